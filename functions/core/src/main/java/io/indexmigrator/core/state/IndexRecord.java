package io.indexmigrator.core.state;

import java.util.List;
import java.util.Objects;

/**
 * The plan and progress for one source index of a recipe.
 *
 * @param createdByUs whether the destination was created by this recipe (so cancel may delete it)
 * @param originalRefreshInterval the destination's refresh_interval to restore after the copy, or
 *     null when it was unset
 * @param originalNumberOfReplicas the destination's number_of_replicas to restore, or null
 * @param writeBlockSetByUs whether this recipe put the write block on the source (so only then it
 *     removes it)
 * @param docsTotal the source's document count when the copy was planned
 */
public record IndexRecord(
    String recipeName,
    int generation,
    String source,
    String destination,
    List<AliasSpec> aliases,
    boolean createdByUs,
    String originalRefreshInterval,
    String originalNumberOfReplicas,
    boolean writeBlockSetByUs,
    IndexPhase phase,
    int sliceCount,
    long docsTotal,
    long version) {

  public IndexRecord {
    new RecipeRef(recipeName, generation);
    StateLimits.requireName("source index", source);
    StateLimits.requireName("destination index", destination);
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
    Objects.requireNonNull(phase, "phase");
    if (sliceCount < 1 || sliceCount > StateLimits.MAX_SLICES) {
      throw new IllegalArgumentException(
          "slice count of '"
              + source
              + "' must be 1.."
              + StateLimits.MAX_SLICES
              + ", was "
              + sliceCount);
    }
  }

  /** A freshly planned index: PENDING, not yet written (version 0). */
  public static IndexRecord planned(
      RecipeRef recipe,
      String source,
      String destination,
      List<AliasSpec> aliases,
      boolean createdByUs,
      String originalRefreshInterval,
      String originalNumberOfReplicas,
      int sliceCount,
      long docsTotal) {
    return new IndexRecord(
        recipe.name(),
        recipe.generation(),
        source,
        destination,
        aliases,
        createdByUs,
        originalRefreshInterval,
        originalNumberOfReplicas,
        false,
        IndexPhase.PENDING,
        sliceCount,
        docsTotal,
        0);
  }

  public RecipeRef recipe() {
    return new RecipeRef(recipeName, generation);
  }

  public IndexRecord withPhase(IndexPhase newPhase) {
    return new IndexRecord(
        recipeName,
        generation,
        source,
        destination,
        aliases,
        createdByUs,
        originalRefreshInterval,
        originalNumberOfReplicas,
        writeBlockSetByUs,
        newPhase,
        sliceCount,
        docsTotal,
        version);
  }

  public IndexRecord withWriteBlockSetByUs(boolean set) {
    return new IndexRecord(
        recipeName,
        generation,
        source,
        destination,
        aliases,
        createdByUs,
        originalRefreshInterval,
        originalNumberOfReplicas,
        set,
        phase,
        sliceCount,
        docsTotal,
        version);
  }

  public IndexRecord withCreatedByUs(boolean created) {
    return new IndexRecord(
        recipeName,
        generation,
        source,
        destination,
        aliases,
        created,
        originalRefreshInterval,
        originalNumberOfReplicas,
        writeBlockSetByUs,
        phase,
        sliceCount,
        docsTotal,
        version);
  }

  IndexRecord withVersion(long newVersion) {
    return new IndexRecord(
        recipeName,
        generation,
        source,
        destination,
        aliases,
        createdByUs,
        originalRefreshInterval,
        originalNumberOfReplicas,
        writeBlockSetByUs,
        phase,
        sliceCount,
        docsTotal,
        newVersion);
  }
}
