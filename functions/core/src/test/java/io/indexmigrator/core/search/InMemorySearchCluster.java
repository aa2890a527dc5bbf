package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.search.ResolvedExpression.ConcreteIndex;
import io.indexmigrator.core.search.ResolvedExpression.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A {@link SearchCluster} held in memory for unit tests of code that reads cluster metadata,
 * manages indexes/aliases, and counts or scans documents. Reindex tasks are not modelled: those
 * calls throw. Tests that need real behaviour use a real cluster ({@code *IT}).
 */
public final class InMemorySearchCluster
    implements SearchCluster, ShardPages, RemoteReindexSource, FieldStatistics {

  private record StoredIndex(ObjectNode settings, ObjectNode mappings) {}

  private final Map<String, StoredIndex> indexes = new TreeMap<>();
  private final List<AliasInfo> aliases = new ArrayList<>();
  private final Map<String, Map<String, String>> documents = new TreeMap<>();
  private final Map<String, Map<String, Long>> versions = new TreeMap<>();
  private final Map<String, Map<String, Long>> tombstones = new TreeMap<>();
  private final Map<String, Long> seqNos = new TreeMap<>();
  private final Map<String, String> rejectedScripts = new TreeMap<>();
  private final Set<String> pipelines = new TreeSet<>();
  private final List<ReindexRequest> sampleReindexes = new ArrayList<>();
  private String remoteHost;
  private SearchClusterException remoteRefusal;
  private final Map<String, String[]> unreadable = new TreeMap<>();
  private final Map<String, String> routings = new TreeMap<>();
  private final Map<String, java.util.ArrayDeque<BulkItemResult>> writeFailures = new TreeMap<>();
  private long seqNo;
  private final Map<String, List<Runnable>> hooks = new java.util.HashMap<>();

  /**
   * Runs {@code action} each time {@code operation} (a method name of {@link SearchCluster}) is
   * called, before it does anything: to write between two steps of the code under test, or to make
   * the call fail (the action throws) or hang (it blocks).
   */
  public InMemorySearchCluster on(String operation, Runnable action) {
    hooks.computeIfAbsent(operation, o -> new ArrayList<>()).add(action);
    return this;
  }

  public InMemorySearchCluster clearHooks() {
    hooks.clear();
    return this;
  }

  private void call(String operation) {
    for (Runnable hook : List.copyOf(hooks.getOrDefault(operation, List.of()))) {
      hook.run();
    }
  }

  private final Map<String, java.util.function.LongSupplier> merges = new TreeMap<>();

  /** What {@link #mergesRunning} answers for {@code index}, asked afresh each call. */
  public InMemorySearchCluster withMergesRunning(
      String index, java.util.function.LongSupplier running) {
    merges.put(index, running);
    return this;
  }

  @Override
  public long mergesRunning(String index) {
    call("mergesRunning");
    java.util.function.LongSupplier running = merges.get(index);
    return running == null ? 0 : running.getAsLong();
  }

  /** Whether writes to {@code index} are refused, as an application would see it. */
  public boolean writeBlocked(String index) {
    StoredIndex stored = indexes.get(index);
    return stored != null && stored.settings().path("index.blocks.write").asBoolean(false);
  }

  private void refuseIfBlocked(String index) {
    if (writeBlocked(index)) {
      throw new IllegalStateException(
          "index [" + index + "] blocked by: [FORBIDDEN/8/index write]");
    }
  }

  /** A started {@code _reindex}: what was asked, under which tag, and whether it ended. */
  public record StartedTask(String taskId, ReindexRequest request, String opaqueId) {}

  private final List<StartedTask> tasks = new ArrayList<>();
  private final Map<String, ReindexTaskStatus> finishedTasks = new TreeMap<>();

  private boolean tasksHeld;

  /** While held, tasks keep running when polled; released, the next poll completes them. */
  public InMemorySearchCluster holdTasks(boolean held) {
    tasksHeld = held;
    return this;
  }

  /** Every {@code _reindex} started on this cluster, in order. */
  public List<StartedTask> startedTasks() {
    return List.copyOf(tasks);
  }

  /** Stores a document (its source as JSON text) in an existing index. */
  public InMemorySearchCluster withDocument(String index, String id, String sourceJson) {
    stored(index);
    refuseIfBlocked(index);
    documents.computeIfAbsent(index, i -> new TreeMap<>()).put(id, sourceJson);
    versions.computeIfAbsent(index, i -> new TreeMap<>()).merge(id, 1L, Long::sum);
    seqNos.put(index + "/" + id, ++seqNo);
    return this;
  }

  /** Deletes a document as an application would (its version is remembered as a tombstone). */
  public InMemorySearchCluster withoutDocument(String index, String id) {
    refuseIfBlocked(index);
    Map<String, String> docs = documents.getOrDefault(index, Map.of());
    if (docs.remove(id) != null) {
      seqNos.remove(index + "/" + id);
      ++seqNo;
      Long version = versions.get(index).remove(id);
      tombstones.computeIfAbsent(index, i -> new TreeMap<>()).put(id, version + 1);
    }
    return this;
  }

  /** The stored source of a document, or null. */
  public String document(String index, String id) {
    return documents.getOrDefault(index, Map.of()).get(id);
  }

  public long version(String index, String id) {
    return versions.getOrDefault(index, Map.of()).getOrDefault(id, -1L);
  }

  /** Adds an index with {@code primaryShards} shards and the given mappings (may be null). */
  public InMemorySearchCluster withIndex(String name, int primaryShards, ObjectNode mappings) {
    ObjectNode settings = JsonNodeFactory.instance.objectNode();
    settings.put("index.number_of_shards", Integer.toString(primaryShards));
    settings.put("index.number_of_replicas", "1");
    settings.put("index.uuid", "uuid-" + name);
    settings.put("index.creation_date", "1700000000000");
    settings.put("index.provided_name", name);
    settings.put("index.version.created", "136408127");
    return withIndex(name, settings, mappings);
  }

  /** Adds an index with exactly these (normalized) settings. */
  public InMemorySearchCluster withIndex(String name, ObjectNode settings, ObjectNode mappings) {
    indexes.put(
        name,
        new StoredIndex(
            IndexSettings.normalize(settings),
            mappings == null ? JsonNodeFactory.instance.objectNode() : mappings.deepCopy()));
    return this;
  }

  public InMemorySearchCluster withAlias(AliasInfo alias) {
    aliases.add(alias);
    return this;
  }

  private ClusterInfo info =
      new ClusterInfo("in-memory", "in-memory-uuid", ClusterInfo.OPENSEARCH, "2.19.0");

  /** What {@link #info} answers: another engine, for direction checks. */
  public InMemorySearchCluster withInfo(ClusterInfo newInfo) {
    info = newInfo;
    return this;
  }

  @Override
  public ClusterInfo info() {
    call("info");
    return info;
  }

  @Override
  public ResolvedExpression resolve(String expression) {
    Kind kind;
    List<String> names;
    if (expression.contains("*")) {
      kind = Kind.PATTERN;
      Pattern glob = Pattern.compile(Pattern.quote(expression).replace("*", "\\E.*\\Q"));
      names = indexes.keySet().stream().filter(n -> glob.matcher(n).matches()).toList();
    } else if (aliases.stream().anyMatch(a -> a.alias().equals(expression))) {
      kind = Kind.ALIAS;
      names =
          aliases.stream()
              .filter(a -> a.alias().equals(expression))
              .map(AliasInfo::index)
              .sorted()
              .toList();
    } else if (indexes.containsKey(expression)) {
      kind = Kind.INDEX;
      names = List.of(expression);
    } else {
      return new ResolvedExpression(expression, Kind.MISSING, List.of());
    }
    List<ConcreteIndex> resolved = new ArrayList<>();
    for (String name : names) {
      resolved.add(
          new ConcreteIndex(
              name,
              aliases.stream()
                  .filter(a -> a.index().equals(name))
                  .sorted(Comparator.comparing(AliasInfo::alias))
                  .toList()));
    }
    return new ResolvedExpression(expression, kind, resolved);
  }

  @Override
  public boolean indexExists(String index) {
    return indexes.containsKey(index) || aliases.stream().anyMatch(a -> a.alias().equals(index));
  }

  @Override
  public ObjectNode getSettings(String index) {
    return stored(index).settings().deepCopy();
  }

  @Override
  public ObjectNode getMappings(String index) {
    return stored(index).mappings().deepCopy();
  }

  private StoredIndex stored(String index) {
    StoredIndex stored = indexes.get(index);
    if (stored == null) {
      throw new SearchClusterException(
          "read '" + index + "'",
          404,
          "index_not_found_exception",
          "no such index [" + index + "]");
    }
    return stored;
  }

  @Override
  public CreateIndexResult createIndex(String index, ObjectNode settings, ObjectNode mappings) {
    if (indexes.containsKey(index)) {
      return CreateIndexResult.ALREADY_EXISTED;
    }
    withIndex(index, settings == null ? JsonNodeFactory.instance.objectNode() : settings, mappings);
    return CreateIndexResult.CREATED;
  }

  @Override
  public boolean deleteIndex(String index) {
    aliases.removeIf(a -> a.index().equals(index));
    return indexes.remove(index) != null;
  }

  @Override
  public void putSettings(String index, ObjectNode settings) {
    ObjectNode current = stored(index).settings();
    IndexSettings.normalize(settings)
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isNull()) {
                current.remove(e.getKey());
              } else {
                current.set(e.getKey(), e.getValue());
              }
            });
  }

  @Override
  public String startReindex(ReindexRequest request) {
    throw new UnsupportedOperationException("no documents in memory");
  }

  /**
   * Records the task; it runs until polled while not {@link #holdTasks held}, which copies the
   * whole source (slices, queries and transforms are not modelled) and completes it.
   */
  @Override
  public String startReindex(ReindexRequest request, String opaqueId) {
    String taskId = "memory:" + (tasks.size() + 1);
    tasks.add(new StartedTask(taskId, request, opaqueId));
    return taskId;
  }

  /** Makes a trial reindex with this script fail as the engine does for a compile error. */
  public InMemorySearchCluster rejectingScript(String source, String reason) {
    rejectedScripts.put(source, reason);
    return this;
  }

  public InMemorySearchCluster withIngestPipeline(String id) {
    pipelines.add(id);
    return this;
  }

  /** Every trial reindex run so far, in order. */
  /** Lets other clusters' remote reindexes read this one at {@code host}. */
  public InMemorySearchCluster withRemoteHost(String host) {
    this.remoteHost = host;
    return this;
  }

  /** Makes every remote reindex started here fail as the engine would, e.g. for its allowlist. */
  public InMemorySearchCluster refusingRemoteReindex(int status, String type, String reason) {
    this.remoteRefusal =
        new SearchClusterException("reindex from a remote cluster", status, type, reason);
    return this;
  }

  @Override
  public ReindexRequest.RemoteSource remoteSource() {
    if (remoteHost == null) {
      throw new io.indexmigrator.core.MigrationFailedException(
          "this in-memory cluster has no remote host");
    }
    return new ReindexRequest.RemoteSource(remoteHost, null, null);
  }

  public List<ReindexRequest> sampleReindexes() {
    return List.copyOf(sampleReindexes);
  }

  @Override
  public ReindexTaskStatus reindexSample(ReindexRequest request, int maxDocs) {
    sampleReindexes.add(request);
    stored(request.destinationIndex());
    if (request.remote() != null && remoteRefusal != null) {
      throw remoteRefusal;
    }
    String rejected =
        request.scriptSource() == null ? null : rejectedScripts.get(request.scriptSource());
    if (rejected != null) {
      throw new SearchClusterException(
          "trial reindex " + request.sourceIndex() + " -> " + request.destinationIndex(),
          400,
          "script_exception",
          "script_exception: " + rejected);
    }
    long copied = Math.min(maxDocs, documents.getOrDefault(request.sourceIndex(), Map.of()).size());
    return new ReindexTaskStatus(
        "sample", true, copied, copied, 0, 0, 1, 0, 0, List.of(), null, false);
  }

  @Override
  public boolean ingestPipelineExists(String id) {
    return pipelines.contains(id);
  }

  @Override
  public List<RunningTask> findTasks(String opaqueIdPrefix) {
    return tasks.stream()
        .filter(t -> !finishedTasks.containsKey(t.taskId()))
        .filter(t -> t.opaqueId() != null && t.opaqueId().startsWith(opaqueIdPrefix))
        .map(t -> new RunningTask(t.taskId(), t.opaqueId(), "indices:data/write/reindex"))
        .toList();
  }

  @Override
  public void putMappings(String index, ObjectNode mappings) {
    StoredIndex current = stored(index);
    ObjectNode merged = current.mappings().deepCopy();
    merged.setAll(mappings);
    indexes.put(index, new StoredIndex(current.settings(), merged));
  }

  @Override
  public void scan(
      String index,
      int sliceId,
      int sliceCount,
      int batchSize,
      java.util.function.Consumer<ScannedDocument> sink) {
    stored(index);
    documents
        .getOrDefault(index, Map.of())
        .forEach(
            (id, source) -> {
              if (Math.floorMod(id.hashCode(), sliceCount) == sliceId) {
                sink.accept(new ScannedDocument(id, source));
              }
            });
  }

  /**
   * Makes the engine report an error for this document alone in every read ({@code _mget} item
   * error), as a real one does for, e.g., a missing required routing.
   */
  public InMemorySearchCluster failingReadsOf(
      String index, String id, String errorType, String reason) {
    unreadable.put(index + "/" + id, new String[] {errorType, reason});
    return this;
  }

  /** Reads work again for this document. */
  public InMemorySearchCluster readableAgain(String index, String id) {
    unreadable.remove(index + "/" + id);
    return this;
  }

  @Override
  public List<DocumentRead> multiGetEach(String index, List<DocumentRef> refs) {
    List<DocumentRead> result = new ArrayList<>();
    List<StoredDocument> read = stateOf(index, refs);
    for (int i = 0; i < refs.size(); i++) {
      String[] error = unreadable.get(index + "/" + refs.get(i).id());
      result.add(
          error != null
              ? DocumentRead.failed(refs.get(i), error[0], error[1])
              : DocumentRead.of(read.get(i)));
    }
    return result;
  }

  @Override
  public List<StoredDocument> multiGet(String index, List<DocumentRef> refs) {
    call("multiGet");
    for (DocumentRef ref : refs) {
      String[] error = unreadable.get(index + "/" + ref.id());
      if (error != null) {
        throw new SearchClusterException(
            "multi-get '" + ref.id() + "' from '" + index + "'", 500, error[0], error[1]);
      }
    }
    return stateOf(index, refs);
  }

  private List<StoredDocument> stateOf(String index, List<DocumentRef> refs) {
    stored(index);
    List<StoredDocument> result = new ArrayList<>();
    for (DocumentRef ref : refs) {
      String source = document(index, ref.id());
      long version = version(index, ref.id());
      result.add(
          source == null
              ? new StoredDocument(ref.id(), ref.routing(), false, -1, -1, -1, null)
              : new StoredDocument(
                  ref.id(),
                  ref.routing(),
                  true,
                  version,
                  seqNos.get(index + "/" + ref.id()),
                  1,
                  source));
    }
    return result;
  }

  /**
   * Makes the next {@code times} bulk writes of this document fail with this item status and error
   * (the rest of the request goes through), as a real engine answers a rejected or refused item.
   */
  public InMemorySearchCluster failingWritesOf(
      String index, String id, int times, int status, String errorType, String reason) {
    java.util.ArrayDeque<BulkItemResult> queue =
        writeFailures.computeIfAbsent(index + "/" + id, k -> new java.util.ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      queue.add(new BulkItemResult(id, status, errorType, reason));
    }
    return this;
  }

  /** The routing a document was last written with through {@link #bulk}, or null. */
  public String routing(String index, String id) {
    return routings.get(index + "/" + id);
  }

  /** Ids of the documents an index holds, in id order. */
  public List<String> ids(String index) {
    return List.copyOf(documents.getOrDefault(index, Map.of()).keySet());
  }

  private final List<List<String>> bulkRequests = new ArrayList<>();

  /** The ids each {@link #bulk} call carried, in call order. */
  public List<List<String>> bulkRequests() {
    return List.copyOf(bulkRequests);
  }

  private int throttleBulksOver = Integer.MAX_VALUE;

  /**
   * Answers every item of a bulk request carrying more than {@code documents} writes with 429, as a
   * node whose write queue has room for only so many answers.
   */
  public InMemorySearchCluster throttlingBulksOver(int documents) {
    this.throttleBulksOver = documents;
    return this;
  }

  @Override
  public List<BulkItemResult> bulk(String index, List<BulkWrite> writes) {
    call("bulk");
    bulkRequests.add(writes.stream().map(BulkWrite::id).toList());
    stored(index);
    refuseIfBlocked(index);
    List<BulkItemResult> results = new ArrayList<>();
    if (writes.size() > throttleBulksOver) {
      for (BulkWrite write : writes) {
        results.add(
            new BulkItemResult(write.id(), 429, "es_rejected_execution_exception", "queue full"));
      }
      return results;
    }
    for (BulkWrite write : writes) {
      java.util.ArrayDeque<BulkItemResult> failures = writeFailures.get(index + "/" + write.id());
      if (failures != null && !failures.isEmpty()) {
        results.add(failures.poll());
        continue;
      }
      Map<String, String> docs = documents.computeIfAbsent(index, i -> new TreeMap<>());
      Map<String, Long> docVersions = versions.computeIfAbsent(index, i -> new TreeMap<>());
      Map<String, Long> deleted = tombstones.computeIfAbsent(index, i -> new TreeMap<>());
      long current = docVersions.getOrDefault(write.id(), deleted.getOrDefault(write.id(), 0L));
      if (write.delete()) {
        if (docs.remove(write.id()) == null) {
          results.add(new BulkItemResult(write.id(), 404, null, null));
        } else {
          docVersions.remove(write.id());
          seqNos.remove(index + "/" + write.id());
          ++seqNo;
          deleted.put(write.id(), current + 1);
          results.add(new BulkItemResult(write.id(), 200, null, null));
        }
        continue;
      }
      Long external = write.externalVersion();
      if (external != null && external < current) {
        results.add(
            new BulkItemResult(
                write.id(), 409, "version_conflict_engine_exception", "current " + current));
        continue;
      }
      docs.put(write.id(), write.sourceJson());
      if (write.routing() == null) {
        routings.remove(index + "/" + write.id());
      } else {
        routings.put(index + "/" + write.id(), write.routing());
      }
      seqNos.put(index + "/" + write.id(), ++seqNo);
      docVersions.put(write.id(), external != null ? external : current + 1);
      deleted.remove(write.id());
      results.add(new BulkItemResult(write.id(), 201, null, null));
    }
    return results;
  }

  @Override
  public ReindexTaskStatus getTask(String taskId) {
    StartedTask task =
        tasks.stream()
            .filter(t -> t.taskId().equals(taskId))
            .findFirst()
            .orElseThrow(
                () -> new SearchClusterException("get task " + taskId, 404, "not_found", taskId));
    if (tasksHeld && !finishedTasks.containsKey(taskId)) {
      return new ReindexTaskStatus(taskId, false, 0, 0, 0, 0, 0, 0, 0, List.of(), null, false);
    }
    return finishedTasks.computeIfAbsent(
        taskId,
        id -> {
          Map<String, String> source =
              documents.getOrDefault(task.request().sourceIndex(), Map.of());
          source.forEach(
              (docId, json) -> withDocument(task.request().destinationIndex(), docId, json));
          return new ReindexTaskStatus(
              id, true, source.size(), source.size(), 0, 0, 1, 0, 0, List.of(), null, false);
        });
  }

  @Override
  public void cancelTask(String taskId) {
    finishedTasks.putIfAbsent(
        taskId, new ReindexTaskStatus(taskId, true, 0, 0, 0, 0, 0, 0, 0, List.of(), null, true));
  }

  @Override
  public void setWriteBlock(String index, boolean blocked) {
    call("setWriteBlock");
    ObjectNode settings = JsonNodeFactory.instance.objectNode();
    if (blocked) {
      settings.put("index.blocks.write", "true");
    } else {
      settings.putNull("index.blocks.write");
    }
    putSettings(index, settings);
  }

  @Override
  public void refresh(String index) {
    call("refresh");
    stored(index);
  }

  @Override
  public long count(String index) {
    call("count");
    stored(index);
    return documents.getOrDefault(index, Map.of()).size();
  }

  @Override
  public Map<Integer, Long> shardCheckpoints(String index) {
    call("shardCheckpoints");
    stored(index);
    // One shard; every operation so far is at or below the cluster-wide counter.
    return Map.of(0, seqNo);
  }

  @Override
  public List<SeqNoHit> searchBySeqNo(
      String index, int shard, long aboveSeqNo, long atMostSeqNo, int size) {
    call("searchBySeqNo");
    stored(index);
    String prefix = index + "/";
    return seqNos.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .filter(e -> e.getValue() > aboveSeqNo && e.getValue() <= atMostSeqNo)
        .sorted(Map.Entry.comparingByValue())
        .limit(size)
        .map(e -> new SeqNoHit(e.getKey().substring(prefix.length()), e.getValue(), 1, null))
        .toList();
  }

  @Override
  public void updateAliases(List<AliasAction> actions) {
    call("updateAliases");
    // Check everything first so that a failing request changes nothing, as on a real cluster.
    for (AliasAction action : actions) {
      if (action instanceof AliasAction.Add add) {
        stored(add.alias().index());
      }
    }
    for (AliasAction action : actions) {
      switch (action) {
        case AliasAction.Add add -> {
          aliases.removeIf(
              a -> a.alias().equals(add.alias().alias()) && a.index().equals(add.alias().index()));
          aliases.add(add.alias());
        }
        case AliasAction.Remove remove ->
            aliases.removeIf(
                a -> a.alias().equals(remove.alias()) && a.index().equals(remove.index()));
        case AliasAction.RemoveIndex removeIndex -> deleteIndex(removeIndex.index());
      }
    }
  }

  // ---- ShardPages: scrolls only, a document's shard is the hash of its id ----

  private final Map<String, java.util.Deque<SourceDocument>> scrolls = new TreeMap<>();
  private int scrollIds;

  /** Which of {@code shards} primary shards holds {@code id}: stable, like the engine's routing. */
  public static int shardOf(String id, int shards) {
    return Math.floorMod(id.hashCode(), shards);
  }

  /** Scrolls still open: a copy that ends or stops must close its own. */
  public int openScrolls() {
    return scrolls.size();
  }

  @Override
  public ShardPage openScroll(
      String index, int shard, ObjectNode query, int size, java.time.Duration keepAlive) {
    call("openScroll");
    int shards = primaryShardCount(index);
    java.util.Deque<SourceDocument> pending = new java.util.ArrayDeque<>();
    documents
        .getOrDefault(index, Map.of())
        .forEach(
            (id, source) -> {
              if (shardOf(id, shards) == shard && matches(query, parse(source))) {
                pending.add(new SourceDocument(id, null, version(index, id), source));
              }
            });
    String scrollId = "scroll-" + ++scrollIds + "-" + size;
    scrolls.put(scrollId, pending);
    return page(scrollId, size);
  }

  @Override
  public ShardPage nextScroll(String scrollId, java.time.Duration keepAlive) {
    call("nextScroll");
    if (!scrolls.containsKey(scrollId)) {
      throw new SearchClusterException(
          "scroll",
          404,
          "search_context_missing_exception",
          "No search context found for " + scrollId,
          true,
          null);
    }
    return page(scrollId, Integer.parseInt(scrollId.substring(scrollId.lastIndexOf('-') + 1)));
  }

  private ShardPage page(String scrollId, int size) {
    java.util.Deque<SourceDocument> pending = scrolls.get(scrollId);
    List<SourceDocument> page = new ArrayList<>();
    while (page.size() < size && !pending.isEmpty()) {
      page.add(pending.poll());
    }
    return new ShardPage(scrollId, page, null);
  }

  @Override
  public void clearScroll(String scrollId) {
    scrolls.remove(scrollId);
  }

  /** Drops every open scroll, as a restarted node does. */
  public InMemorySearchCluster loseScrolls() {
    scrolls.clear();
    return this;
  }

  @Override
  public String openPointInTime(String index, java.time.Duration keepAlive) {
    throw new UnsupportedOperationException("the in-memory cluster has no point in time");
  }

  @Override
  public String openPointInTime(String index, int shard, java.time.Duration keepAlive) {
    throw new UnsupportedOperationException("the in-memory cluster has no point in time");
  }

  @Override
  public ShardPage pointInTimePage(
      String pitId,
      int slice,
      int sliceMax,
      ObjectNode query,
      String searchAfterJson,
      int size,
      java.time.Duration keepAlive) {
    throw new UnsupportedOperationException("the in-memory cluster has no point in time");
  }

  @Override
  public void closePointInTime(String pitId) {}

  @Override
  public boolean supportsPointInTime() {
    return false;
  }

  @Override
  public int primaryShardCount(String index) {
    return stored(index).settings().path("index.number_of_shards").asInt(1);
  }

  /** Partition-field ranges that {@link #valueRange} was asked for, as {@code index/field}. */
  public final List<String> valueRangeCalls = new ArrayList<>();

  @Override
  public java.util.Optional<ValueRange> valueRange(String index, String field) {
    call("valueRange");
    valueRangeCalls.add(index + "/" + field);
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (String source : documents.getOrDefault(index, Map.of()).values()) {
      Double value = numericValue(parse(source), field);
      if (value != null) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
    }
    return min <= max
        ? java.util.Optional.of(new ValueRange(min, max))
        : java.util.Optional.empty();
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper SOURCES =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static com.fasterxml.jackson.databind.JsonNode parse(String source) {
    try {
      return source == null ? SOURCES.createObjectNode() : SOURCES.readTree(source);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A field's single value as a number: numbers as they are, ISO dates as epoch milliseconds. */
  private static Double numericValue(com.fasterxml.jackson.databind.JsonNode source, String field) {
    com.fasterxml.jackson.databind.JsonNode node = source;
    for (String name : field.split("\\.")) {
      node = node.path(name);
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      return (double) java.time.Instant.parse(node.textValue()).toEpochMilli();
    }
    return null;
  }

  /**
   * The engine's answer for the queries the copy sends: match_all, range (gte, gt, lt, lte), exists
   * and bool (must, should with minimum_should_match, must_not).
   */
  public static boolean matches(
      com.fasterxml.jackson.databind.JsonNode query, com.fasterxml.jackson.databind.JsonNode doc) {
    if (query == null || query.has("match_all")) {
      return true;
    }
    if (query.has("range")) {
      var entry = query.get("range").fields().next();
      Double value = numericValue(doc, entry.getKey());
      if (value == null) {
        return false;
      }
      var bounds = entry.getValue();
      return (!bounds.has("gte") || value >= bounds.get("gte").doubleValue())
          && (!bounds.has("gt") || value > bounds.get("gt").doubleValue())
          && (!bounds.has("lt") || value < bounds.get("lt").doubleValue())
          && (!bounds.has("lte") || value <= bounds.get("lte").doubleValue());
    }
    if (query.has("exists")) {
      return numericValue(doc, query.get("exists").get("field").textValue()) != null;
    }
    if (query.has("bool")) {
      var bool = query.get("bool");
      for (var must : clauses(bool.get("must"))) {
        if (!matches(must, doc)) {
          return false;
        }
      }
      for (var mustNot : clauses(bool.get("must_not"))) {
        if (matches(mustNot, doc)) {
          return false;
        }
      }
      List<com.fasterxml.jackson.databind.JsonNode> should = clauses(bool.get("should"));
      int needed = bool.path("minimum_should_match").asInt(should.isEmpty() ? 0 : 1);
      return should.stream().filter(q -> matches(q, doc)).count() >= needed;
    }
    throw new UnsupportedOperationException("the in-memory cluster cannot run " + query);
  }

  private static List<com.fasterxml.jackson.databind.JsonNode> clauses(
      com.fasterxml.jackson.databind.JsonNode node) {
    if (node == null) {
      return List.of();
    }
    List<com.fasterxml.jackson.databind.JsonNode> list = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(list::add);
    } else {
      list.add(node);
    }
    return list;
  }
}
