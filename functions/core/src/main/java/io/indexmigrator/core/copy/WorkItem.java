package io.indexmigrator.core.copy;

import java.util.Objects;

/**
 * One unit of a reader copy: one primary shard of a source index.
 *
 * @param shardCount how many primary shards the source index has
 * @param pointInTime read through a point in time (exact resume; OpenSearch 2.4 and later) rather
 *     than a scroll; the caller decides from {@link
 *     io.indexmigrator.core.search.ShardPages#supportsPointInTime()}
 */
public record WorkItem(
    String sourceIndex, int shard, int shardCount, String destinationIndex, boolean pointInTime) {
  public WorkItem {
    Objects.requireNonNull(sourceIndex, "sourceIndex");
    Objects.requireNonNull(destinationIndex, "destinationIndex");
    if (shardCount < 1 || shard < 0 || shard >= shardCount) {
      throw new IllegalArgumentException(
          "shard " + shard + " is not one of the " + shardCount + " shards of " + sourceIndex);
    }
  }

  @Override
  public String toString() {
    return sourceIndex + "[" + shard + "/" + shardCount + "] -> " + destinationIndex;
  }
}
