package io.indexmigrator.core.recipe;

import java.util.Objects;

/**
 * How documents are copied from a source index to its destination.
 *
 * @param mode the copy engine; {@link CopyMode#REINDEX} by default in-cluster, {@link
 *     CopyMode#READER} across clusters
 * @param slices how many parallel slices each index is split into
 * @param batchSize documents per scroll batch (reindex {@code source.size})
 * @param requestsPerSecond throttle passed to {@code _reindex}; {@code -1} means unthrottled
 * @param partition splits each work item further by ranges of one field, or {@code null}
 */
public record CopyOptions(
    CopyMode mode, Slices slices, int batchSize, double requestsPerSecond, Partition partition) {

  public static final int DEFAULT_BATCH_SIZE = 1000;
  public static final double UNTHROTTLED = -1;

  /** What an in-cluster recipe without a {@code copy} section gets. */
  public static final CopyOptions DEFAULTS =
      new CopyOptions(CopyMode.REINDEX, Slices.AUTO, DEFAULT_BATCH_SIZE, UNTHROTTLED, null);

  /** What a cross-cluster recipe without a {@code copy} section gets. */
  public static final CopyOptions CROSS_CLUSTER_DEFAULTS = DEFAULTS.withMode(CopyMode.READER);

  public CopyOptions {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(slices, "slices");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (requestsPerSecond != UNTHROTTLED && !(requestsPerSecond > 0)) {
      throw new IllegalArgumentException(
          "requestsPerSecond must be -1 or > 0, got " + requestsPerSecond);
    }
  }

  public CopyOptions withMode(CopyMode newMode) {
    return new CopyOptions(newMode, slices, batchSize, requestsPerSecond, partition);
  }

  public boolean isThrottled() {
    return requestsPerSecond != UNTHROTTLED;
  }

  /**
   * Splits the copy of an index by ranges of one numeric or date field: each primary shard for the
   * reader engine, each index for a remote reindex (which cannot slice) becomes {@code parts} work
   * items that copy in parallel. The ranges are fixed at {@code init} from the field's minimum and
   * maximum; the first is open below and also takes documents without the field, the last is open
   * above, so every document is in exactly one of them when the field has at most one value.
   *
   * @param field the field's full path, e.g. {@code created} or {@code metadata.updated}
   * @param parts how many ranges, 2 to {@link #MAX_PARTS}
   */
  public record Partition(String field, int parts) {
    public static final int MAX_PARTS = 64;

    public Partition {
      Objects.requireNonNull(field, "field");
      if (field.isBlank()) {
        throw new IllegalArgumentException("partition field must not be blank");
      }
      if (parts < 2 || parts > MAX_PARTS) {
        throw new IllegalArgumentException(
            "partition parts must be 2.." + MAX_PARTS + ", got " + parts);
      }
    }
  }

  /** The copy engines. */
  public enum CopyMode {
    /** The destination cluster's {@code _reindex}: reads only indexes of that same cluster. */
    REINDEX("reindex"),
    /** Reads the source cluster and bulk-writes to the destination, from outside both. */
    READER("reader"),
    /**
     * The destination's {@code _reindex} with {@code source.remote}: one task per index, which the
     * engine cannot slice; the destination must allow the source in {@code
     * reindex.remote.allowlist}.
     */
    REMOTE_REINDEX("remote-reindex");

    private final String wireName;

    CopyMode(String wireName) {
      this.wireName = wireName;
    }

    /** The spelling used in recipes. */
    public String wireName() {
      return wireName;
    }

    static CopyMode fromWireName(String name) {
      for (CopyMode mode : values()) {
        if (mode.wireName.equals(name)) {
          return mode;
        }
      }
      throw new IllegalArgumentException("unknown copy mode '" + name + "'");
    }
  }

  /**
   * Slice count: either {@link #AUTO} (one slice per primary shard of the source, capped by the
   * planner) or a fixed number.
   */
  public record Slices(int count) {
    public static final Slices AUTO = new Slices(0);

    public Slices {
      if (count < 0) {
        throw new IllegalArgumentException("slice count must be >= 1 (or 0 for auto)");
      }
    }

    public static Slices of(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("slice count must be >= 1, got " + count);
      }
      return new Slices(count);
    }

    public boolean isAuto() {
      return count == 0;
    }

    @Override
    public String toString() {
      return isAuto() ? "auto" : Integer.toString(count);
    }
  }
}
