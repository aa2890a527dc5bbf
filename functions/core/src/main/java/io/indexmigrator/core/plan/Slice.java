package io.indexmigrator.core.plan;

import java.util.Objects;

/**
 * One unit of copy work: a manual {@code _reindex} slice of one source index.
 *
 * @param id stable identifier {@code <sourceIndex>:<sliceId>/<sliceCount>}; index names cannot
 *     contain ':', so ids never collide, and the same plan inputs always give the same ids
 * @param sourceIndex concrete index read from
 * @param destinationIndex index written to
 * @param sliceId which slice, {@code 0 <= sliceId < sliceCount}
 * @param sliceCount how many slices the source index is split into; 1 means the whole index
 */
public record Slice(
    String id, String sourceIndex, String destinationIndex, int sliceId, int sliceCount) {

  public Slice {
    Objects.requireNonNull(sourceIndex, "sourceIndex");
    Objects.requireNonNull(destinationIndex, "destinationIndex");
    if (sliceCount < 1 || sliceId < 0 || sliceId >= sliceCount) {
      throw new IllegalArgumentException(
          "slice " + sliceId + " of " + sliceCount + " is not a valid slice");
    }
    if (!id.equals(idOf(sourceIndex, sliceId, sliceCount))) {
      throw new IllegalArgumentException("slice id '" + id + "' does not match its fields");
    }
  }

  /** The slice {@code sliceId} of {@code sliceCount} copying {@code sourceIndex}. */
  public static Slice of(String sourceIndex, String destinationIndex, int sliceId, int sliceCount) {
    return new Slice(
        idOf(sourceIndex, sliceId, sliceCount), sourceIndex, destinationIndex, sliceId, sliceCount);
  }

  static String idOf(String sourceIndex, int sliceId, int sliceCount) {
    return sourceIndex + ":" + sliceId + "/" + sliceCount;
  }

  /** Whether this slice covers its whole index (no {@code slice} clause is needed). */
  public boolean isWholeIndex() {
    return sliceCount == 1;
  }
}
