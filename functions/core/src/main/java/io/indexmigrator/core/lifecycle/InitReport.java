package io.indexmigrator.core.lifecycle;

import java.util.List;

/**
 * What {@code init} did.
 *
 * @param inPlacePossible whether every change is additive, so {@code --in-place} could apply it
 *     without a copy
 * @param inPlaceBlockers why not, one sentence each
 * @param appliedInPlace whether {@code --in-place} applied it (then nothing was copied)
 */
public record InitReport(
    String recipe,
    int generation,
    List<IndexReport> indexes,
    boolean inPlacePossible,
    List<String> inPlaceBlockers,
    boolean appliedInPlace) {

  public record IndexReport(
      String source,
      String destination,
      boolean created,
      int slices,
      long docsTotal,
      List<String> aliases) {}
}
