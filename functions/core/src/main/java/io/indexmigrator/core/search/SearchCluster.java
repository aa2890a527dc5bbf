package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Everything the migration lifecycle asks of an OpenSearch or Elasticsearch cluster.
 *
 * <p>Methods throw {@link SearchClusterException} when the cluster answers with an error or cannot
 * be reached; {@link SearchClusterException#isRetryable()} tells callers whether to try again.
 * Index arguments are concrete index names unless a method says otherwise; wildcards are refused
 * where a mistake would touch more than intended (delete).
 */
public interface SearchCluster extends BulkWrites {

  /** Distribution, version and identity of the cluster. */
  ClusterInfo info();

  /**
   * Resolves an index name, alias or wildcard pattern to the open concrete indexes it covers, with
   * all aliases on each of them.
   */
  ResolvedExpression resolve(String expression);

  /** Whether a concrete index or an alias of that name exists. */
  boolean indexExists(String index);

  /** The index's own settings (defaults omitted), normalized by {@link IndexSettings}. */
  ObjectNode getSettings(String index);

  /** The index's mappings, e.g. {@code {"properties": {...}}}; empty when it has none. */
  ObjectNode getMappings(String index);

  /**
   * Creates an index; safe to repeat. If the index already exists with the requested settings and
   * mappings (extra fields added since are fine), that counts as success.
   *
   * @param settings settings in any shape {@link IndexSettings#normalize} accepts, or {@code null}
   * @param mappings mappings, or {@code null}
   * @return whether this call created it
   * @throws SearchClusterException status 400 {@code resource_already_exists_exception} if an index
   *     of that name exists with a different definition
   */
  CreateIndexResult createIndex(String index, ObjectNode settings, ObjectNode mappings);

  /**
   * Deletes one concrete index.
   *
   * @return {@code false} if there was no such index
   * @throws IllegalArgumentException for wildcards, comma lists or {@code _all}
   */
  boolean deleteIndex(String index);

  /** Updates dynamic settings; a JSON {@code null} value resets a setting to its default. */
  void putSettings(String index, ObjectNode settings);

  /**
   * Starts {@code _reindex} without waiting for it.
   *
   * @return the task id ({@code node:id}) to poll with {@link #getTask(String)}
   */
  String startReindex(ReindexRequest request);

  /**
   * Starts {@code _reindex} like {@link #startReindex(ReindexRequest)}, with the task tagged by an
   * {@code X-Opaque-Id} header, which the cluster shows on the task, so {@link #findTasks} finds it
   * even when the caller lost the task id.
   */
  String startReindex(ReindexRequest request, String opaqueId);

  /** A task the cluster is running, with the {@code X-Opaque-Id} it was started with. */
  record RunningTask(String taskId, String opaqueId, String action) {}

  /** Running reindex tasks whose {@code X-Opaque-Id} starts with {@code opaqueIdPrefix}. */
  List<RunningTask> findTasks(String opaqueIdPrefix);

  /** Adds to an index's mappings (new fields, updatable parameters). */
  void putMappings(String index, ObjectNode mappings);

  /**
   * Streams every document of {@code index}, split in {@code sliceCount} slices that can be read in
   * parallel; each document arrives in exactly one slice.
   */
  void scan(
      String index,
      int sliceId,
      int sliceCount,
      int batchSize,
      java.util.function.Consumer<ScannedDocument> sink);

  /** A document as stored: its id and its {@code _source} as JSON text. */
  /**
   * One document as a scan saw it.
   *
   * @param routing its custom routing, or null: a later read by id must use it to find the document
   */
  record ScannedDocument(String id, String sourceJson, String routing) {
    public ScannedDocument(String id, String sourceJson) {
      this(id, sourceJson, null);
    }
  }

  /** A document to fetch by id, with the routing it was written with (or null). */
  record DocumentRef(String id, String routing) {}

  /**
   * A document's current state: {@code found} false when it does not exist (deleted or never
   * written); version, seqNo and primaryTerm are -1 then.
   */
  record StoredDocument(
      String id,
      String routing,
      boolean found,
      long version,
      long seqNo,
      long primaryTerm,
      String sourceJson) {}

  /**
   * Reads the current state of documents by id ({@code _mget}), in the order asked.
   *
   * @throws SearchClusterException also when the engine fails on a single document; see {@link
   *     #multiGetEach} to learn which
   */
  List<StoredDocument> multiGet(String index, List<DocumentRef> documents);

  /**
   * The outcome of reading one document: its state, or the engine's error for that document alone
   * (for example {@code routing_missing_exception}, or a shard that is not available).
   */
  record DocumentRead(DocumentRef ref, StoredDocument document, String errorType, String reason) {
    public static DocumentRead of(StoredDocument document) {
      return new DocumentRead(
          new DocumentRef(document.id(), document.routing()), document, null, null);
    }

    public static DocumentRead failed(DocumentRef ref, String errorType, String reason) {
      return new DocumentRead(ref, null, errorType, reason);
    }

    public boolean failed() {
      return document == null;
    }
  }

  /**
   * As {@link #multiGet}, but an error the engine reports for one document is that document's
   * outcome instead of failing the whole read, so one unreadable document cannot hold back the
   * others. A failure of the request itself still throws.
   */
  default List<DocumentRead> multiGetEach(String index, List<DocumentRef> documents) {
    return multiGet(index, documents).stream().map(DocumentRead::of).toList();
  }

  /**
   * One write of a {@code _bulk} request. {@code externalVersion} null writes with internal
   * versioning; otherwise with {@code version_type=external_gte}, so an older version is refused
   * with a conflict instead of overwriting newer data.
   */
  record BulkWrite(
      boolean delete, String id, String routing, String sourceJson, Long externalVersion) {
    public static BulkWrite index(String id, String routing, String sourceJson, Long version) {
      return new BulkWrite(false, id, routing, sourceJson, version);
    }

    public static BulkWrite delete(String id, String routing) {
      return new BulkWrite(true, id, routing, null, null);
    }
  }

  /** The outcome of one bulk item: HTTP-like status and, on failure, the engine's error. */
  record BulkItemResult(String id, int status, String errorType, String reason) {
    public boolean succeeded() {
      return status >= 200 && status < 300;
    }

    public boolean versionConflict() {
      return status == 409;
    }

    public boolean notFound() {
      return status == 404;
    }

    public boolean retryable() {
      return status == 429 || status >= 500;
    }
  }

  /**
   * Writes documents with one {@code _bulk} call and reports every item; never trusts the HTTP 200
   * of the request as a whole.
   */
  List<BulkItemResult> bulk(String index, List<BulkWrite> writes);

  /**
   * Progress of a task; for a finished task the stored result, read from the {@code .tasks} index
   * if the task manager no longer has it.
   */
  ReindexTaskStatus getTask(String taskId);

  /**
   * Runs {@code request} to completion on at most {@code maxDocs} documents, waiting for it: a
   * trial of a transform before the real copy.
   *
   * @throws SearchClusterException when the engine refuses the request as a whole, e.g. a script
   *     that does not compile; its reason carries the engine's explanation
   */
  ReindexTaskStatus reindexSample(ReindexRequest request, int maxDocs);

  /** Whether the cluster has an ingest pipeline with this id. */
  boolean ingestPipelineExists(String id);

  /**
   * Like {@link #getTask(String)}, but if the task is still running, waits up to {@code wait} for
   * it to finish first, so a caller notices the end at once instead of at its next poll. Returns
   * the progress of a task still running after {@code wait}. {@code wait} must stay below the
   * transport's response timeout.
   */
  default ReindexTaskStatus awaitTask(String taskId, java.time.Duration wait) {
    return getTask(taskId);
  }

  /** Asks a task to stop. A task that already finished is not an error. */
  void cancelTask(String taskId);

  /**
   * Sets or clears {@code index.blocks.write}. Setting it returns only once every write already
   * admitted to a shard has completed, so from then on the index's contents change no more: a
   * search after it sees every write the engine acknowledged.
   *
   * @throws SearchClusterException if not every shard confirmed that (the block may then be set:
   *     clearing it is still possible and needed)
   */
  void setWriteBlock(String index, boolean blocked);

  /** Makes recent writes visible to search and count. */
  void refresh(String index);

  /** Number of documents visible to search in an index or alias. */
  long count(String index);

  /**
   * Segment merges running now on an index's shards. A large index just bulk-loaded merges for a
   * while, and everything else on its nodes (refreshes, cluster-state updates) slows meanwhile.
   */
  long mergesRunning(String index);

  /** Applies all actions atomically: either every alias change happens or none does. */
  void updateAliases(List<AliasAction> actions);

  /**
   * The global checkpoint of each primary shard of one concrete index, by shard number, as its
   * primary reports it: every operation with a {@code _seq_no} at or below it is persisted on all
   * in-sync copies, and no lower {@code _seq_no} can appear later. {@code -1} for a shard that has
   * seen no operation.
   *
   * @throws SearchClusterException (retryable) if a shard has no started primary
   * @throws IllegalArgumentException if {@code index} does not name exactly one index
   */
  java.util.Map<Integer, Long> shardCheckpoints(String index);

  /**
   * Up to {@code size} documents of one shard of one concrete index whose {@code _seq_no} is above
   * {@code aboveSeqNo} and at most {@code atMostSeqNo}, in ascending {@code _seq_no} order. Only
   * documents visible to search (refreshed) are returned.
   *
   * @throws SearchClusterException if the shard could not be searched completely
   */
  List<SeqNoHit> searchBySeqNo(
      String index, int shard, long aboveSeqNo, long atMostSeqNo, int size);

  /** A document's latest write as a {@code _seq_no}-ordered read sees it. */
  record SeqNoHit(String id, long seqNo, long primaryTerm, String routing) {}

  /**
   * Whether {@code proposed} mappings could be put on {@code index} as they are, without reindexing
   * (see {@link MappingDiff}).
   */
  default MappingCompatibility checkMappingsAdditive(String index, ObjectNode proposed) {
    return MappingDiff.compare(getMappings(index), proposed);
  }
}
