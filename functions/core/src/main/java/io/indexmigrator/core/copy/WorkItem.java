package io.indexmigrator.core.copy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One unit of a reader copy: one primary shard of a source index, or the documents of one shard
 * that match a query (a range of a partition field).
 *
 * @param shardCount how many primary shards the source index has
 * @param pointInTime read through a point in time (exact resume; OpenSearch 2.4 and later) rather
 *     than a scroll; the caller decides from {@link
 *     io.indexmigrator.core.search.ShardPages#supportsPointInTime()}
 * @param query only the shard's documents matching it, or null for all of them
 */
public record WorkItem(
    String sourceIndex,
    int shard,
    int shardCount,
    String destinationIndex,
    boolean pointInTime,
    ObjectNode query) {
  public WorkItem {
    Objects.requireNonNull(sourceIndex, "sourceIndex");
    Objects.requireNonNull(destinationIndex, "destinationIndex");
    if (shardCount < 1 || shard < 0 || shard >= shardCount) {
      throw new IllegalArgumentException(
          "shard " + shard + " is not one of the " + shardCount + " shards of " + sourceIndex);
    }
    query = query == null ? null : query.deepCopy();
  }

  /** All documents of one shard. */
  public WorkItem(
      String sourceIndex, int shard, int shardCount, String destinationIndex, boolean pointInTime) {
    this(sourceIndex, shard, shardCount, destinationIndex, pointInTime, null);
  }

  @Override
  public ObjectNode query() {
    return query == null ? null : query.deepCopy();
  }

  @Override
  public String toString() {
    return sourceIndex
        + "["
        + shard
        + "/"
        + shardCount
        + "]"
        + (query == null ? "" : " where " + query)
        + " -> "
        + destinationIndex;
  }
}
