package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;

/**
 * Reads one primary shard of a source index page by page, for a copy that writes the pages into
 * another cluster and may be continued by a later process.
 *
 * <p>Two cursors exist. A scroll works on every engine but only moves forward: the engine advances
 * it when it answers, so a page whose answer is lost is skipped, and the scroll calls here are
 * never sent twice on their own. A point in time (OpenSearch 2.4 and later) freezes the index, and
 * a page after a given sort value can be asked for as often as needed.
 *
 * <p>Every page call fails with {@link SearchClusterException#contextLost()} when the scroll or
 * point in time it continues is gone; a page that did not come from all the shards it covers fails
 * instead of returning fewer documents.
 */
public interface ShardPages {

  /** One page of documents, with what the next request needs. */
  record ShardPage(String contextId, List<SourceDocument> documents, String lastSortJson) {
    /**
     * @param contextId the scroll id or point-in-time id the engine returned with this page; it may
     *     differ from the one sent, and only the latest is sure to work
     * @param lastSortJson the {@code sort} values of the last document as a JSON array, or null for
     *     an empty page
     */
    public ShardPage {
      documents = List.copyOf(documents);
    }

    /** No documents: the shard has been read to its end. */
    public boolean isEmpty() {
      return documents.isEmpty();
    }
  }

  /**
   * A source document as read, with what a copy must keep: its id, custom routing (null when it has
   * none), version and {@code _source} as JSON text (null when the index does not store sources).
   * Mapping types are never part of it: OpenSearch 2 and later refuse them.
   */
  record SourceDocument(String id, String routing, long version, String sourceJson) {}

  /**
   * Opens a scroll over primary shard {@code shard} of {@code index} in {@code _doc} order and
   * returns its first page.
   */
  default ShardPage openScroll(String index, int shard, int size, Duration keepAlive) {
    return openScroll(index, shard, null, size, keepAlive);
  }

  /**
   * Opens a scroll over the documents of primary shard {@code shard} of {@code index} that match
   * {@code query} (all of them when null), in {@code _doc} order, and returns its first page.
   */
  ShardPage openScroll(String index, int shard, ObjectNode query, int size, Duration keepAlive);

  /** The page after the one {@code scrollId} was returned with; moves the scroll forward. */
  ShardPage nextScroll(String scrollId, Duration keepAlive);

  /** Frees a scroll; one already gone is not an error. */
  void clearScroll(String scrollId);

  /**
   * Opens a point in time over every shard of {@code index}, failing unless all of them are in it.
   *
   * @return its id
   */
  String openPointInTime(String index, Duration keepAlive);

  /**
   * Opens a point in time over primary shard {@code shard} of {@code index} alone: one search
   * context instead of one per shard, and {@code _doc} is unique within it without slicing.
   *
   * @return its id; read it with {@code sliceMax} 1
   */
  String openPointInTime(String index, int shard, Duration keepAlive);

  /**
   * Documents of a point in time in {@code _doc} order, after {@code searchAfterJson}.
   *
   * @param slice which slice to read; with {@code sliceMax} equal to the number of shards the index
   *     has, slice {@code n} is exactly shard {@code n}
   * @param sliceMax 1 to read the whole point in time (the engine refuses a slice of one)
   * @param searchAfterJson the {@link ShardPage#lastSortJson()} of the previous page, or null for
   *     the first page
   */
  default ShardPage pointInTimePage(
      String pitId, int slice, int sliceMax, String searchAfterJson, int size, Duration keepAlive) {
    return pointInTimePage(pitId, slice, sliceMax, null, searchAfterJson, size, keepAlive);
  }

  /**
   * Like {@link #pointInTimePage(String, int, int, String, int, Duration)}, with only the documents
   * matching {@code query} (all of them when null); every page of one pass must send the same one.
   */
  ShardPage pointInTimePage(
      String pitId,
      int slice,
      int sliceMax,
      ObjectNode query,
      String searchAfterJson,
      int size,
      Duration keepAlive);

  /** Frees a point in time; one already gone is not an error. */
  void closePointInTime(String pitId);

  /**
   * Whether the cluster has points in time: OpenSearch 2.4 and later. Elasticsearch 7.10 (the
   * Apache-licensed build) and OpenSearch 1.x do not.
   */
  boolean supportsPointInTime();

  /** The number of primary shards of one concrete index. */
  int primaryShardCount(String index);
}
