package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.search.ResolvedExpression.ConcreteIndex;
import io.indexmigrator.core.search.ResolvedExpression.Kind;
import io.indexmigrator.local.cluster.EngineVersion;
import io.indexmigrator.local.cluster.SharedClusters;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link OpenSearchCluster} against a real cluster: the one given by {@code
 * MIGRATOR_TEST_OPENSEARCH_URL} (system property or environment variable), else the engine {@code
 * -Dmigrator.it.engine} names (OpenSearch 2.19.6 by default) started by the cluster launcher. (It
 * lives in the CLI module because that module may depend on both the core and the launcher.) Every
 * test works on indexes named after a random run id and deletes them afterwards, so the cluster can
 * be shared.
 */
class OpenSearchClusterIT {
  private static final String URL_KEY = "MIGRATOR_TEST_OPENSEARCH_URL";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String url;
  private static OpenSearchCluster cluster;

  private final String run = "it-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void connect() {
    url = System.getProperty(URL_KEY, System.getenv(URL_KEY));
    if (url == null || url.isBlank()) {
      String engine = System.getProperty("migrator.it.engine");
      url =
          SharedClusters.get(engine == null ? EngineVersion.DEFAULT : EngineVersion.parse(engine))
              .httpUri()
              .toString();
    }
    cluster = OpenSearchCluster.connect(ClusterEndpoint.of(url));
  }

  @AfterAll
  static void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void deleteTestIndexes() throws Exception {
    raw("DELETE", "/" + run + "*?expand_wildcards=all", null);
  }

  @Test
  void info_reportsDistributionAndVersion() {
    ClusterInfo info = cluster.info();

    assertThat(info.distribution()).isIn(ClusterInfo.OPENSEARCH, ClusterInfo.ELASTICSEARCH);
    assertThat(info.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(info.majorVersion()).isGreaterThanOrEqualTo(1);
    assertThat(info.clusterUuid()).isNotBlank();
  }

  @Test
  void createIndex_isIdempotentForTheSameDefinitionOnly() {
    String index = run + "-create";
    ObjectNode settings = json("{\"index\": {\"number_of_shards\": 2, \"number_of_replicas\": 0}}");
    ObjectNode mappings = json("{\"properties\": {\"title\": {\"type\": \"keyword\"}}}");

    assertThat(cluster.createIndex(index, settings, mappings)).isEqualTo(CreateIndexResult.CREATED);
    // Flat keys and the string form of numbers are the same definition to the cluster.
    ObjectNode sameButFlat = json("{\"index.number_of_shards\": \"2\", \"number_of_replicas\": 0}");
    assertThat(cluster.createIndex(index, sameButFlat, mappings))
        .isEqualTo(CreateIndexResult.ALREADY_EXISTED);

    SearchClusterException e =
        catchThrowableOfType(
            SearchClusterException.class,
            () ->
                cluster.createIndex(
                    index,
                    json("{\"index.number_of_shards\": 3}"),
                    json("{\"properties\": {\"title\": {\"type\": \"text\"}}}")));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.errorType()).isEqualTo("resource_already_exists_exception");
    assertThat(e.reason())
        .contains("setting index.number_of_shards is \"2\", requested 3")
        .contains("field 'title' is 'keyword' on the index and cannot become 'text'");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void settingsAndMappings_areReadBackNormalized() {
    String index = run + "-read";
    cluster.createIndex(
        index,
        json("{\"index\": {\"number_of_shards\": 3, \"refresh_interval\": \"7s\"}}"),
        json("{\"properties\": {\"n\": {\"type\": \"long\"}}}"));

    ObjectNode settings = cluster.getSettings(index);
    assertThat(settings.get("index.number_of_shards").asText()).isEqualTo("3");
    assertThat(settings.get("index.refresh_interval").asText()).isEqualTo("7s");
    assertThat(settings.has("index.uuid")).isTrue();
    assertThat(cluster.getMappings(index).at("/properties/n/type").asText()).isEqualTo("long");

    cluster.putSettings(index, json("{\"index.refresh_interval\": null}"));
    assertThat(cluster.getSettings(index).has("index.refresh_interval")).isFalse();
  }

  @Test
  void resolve_distinguishesIndexAliasPatternAndMissing() {
    String a = run + "-logs-1";
    String b = run + "-logs-2";
    String alias = run + "-logs";
    cluster.createIndex(a, null, null);
    cluster.createIndex(b, null, null);
    cluster.updateAliases(
        List.of(
            new AliasAction.Add(
                new AliasInfo(
                    alias, a, json("{\"term\": {\"tenant\": \"t1\"}}"), "r1", "r1,r2", true)),
            new AliasAction.Add(AliasInfo.plain(alias, b))));

    ResolvedExpression byAlias = cluster.resolve(alias);
    assertThat(byAlias.kind()).isEqualTo(Kind.ALIAS);
    assertThat(byAlias.indexes()).extracting(ConcreteIndex::name).containsExactly(a, b);
    AliasInfo onA = byAlias.indexes().get(0).aliases().get(0);
    assertThat(onA.filter().at("/term/tenant").asText()).isEqualTo("t1");
    assertThat(onA.indexRouting()).isEqualTo("r1");
    assertThat(onA.searchRouting()).isEqualTo("r1,r2");
    assertThat(onA.writeIndex()).isTrue();
    assertThat(byAlias.indexes().get(1).aliases().get(0).writeIndex()).isNull();

    ResolvedExpression byName = cluster.resolve(a);
    assertThat(byName.kind()).isEqualTo(Kind.INDEX);
    assertThat(byName.indexes()).extracting(ConcreteIndex::name).containsExactly(a);

    ResolvedExpression byPattern = cluster.resolve(run + "-logs-*");
    assertThat(byPattern.kind()).isEqualTo(Kind.PATTERN);
    assertThat(byPattern.indexes()).extracting(ConcreteIndex::name).containsExactly(a, b);

    assertThat(cluster.resolve(run + "-nothing-*").indexes()).isEmpty();
    assertThat(cluster.resolve(run + "-missing").kind()).isEqualTo(Kind.MISSING);
    assertThat(cluster.indexExists(a)).isTrue();
    assertThat(cluster.indexExists(run + "-missing")).isFalse();
  }

  @Test
  void updateAliases_isAtomic() {
    String oldIndex = run + "-old";
    String newIndex = run + "-new";
    String alias = run + "-current";
    cluster.createIndex(oldIndex, null, null);
    cluster.createIndex(newIndex, null, null);
    cluster.updateAliases(List.of(new AliasAction.Add(AliasInfo.plain(alias, oldIndex))));

    // The second action fails (no such index), so the first must not happen either.
    assertThatThrownBy(
            () ->
                cluster.updateAliases(
                    List.of(
                        new AliasAction.Remove(oldIndex, alias),
                        new AliasAction.Add(AliasInfo.plain(alias, run + "-missing")))))
        .isInstanceOf(SearchClusterException.class);
    assertThat(cluster.resolve(alias).indexes())
        .extracting(ConcreteIndex::name)
        .containsExactly(oldIndex);

    cluster.updateAliases(
        List.of(
            new AliasAction.Remove(oldIndex, alias),
            new AliasAction.Add(AliasInfo.plain(alias, newIndex))));
    assertThat(cluster.resolve(alias).indexes())
        .extracting(ConcreteIndex::name)
        .containsExactly(newIndex);
  }

  @Test
  void writeBlock_rejectsWritesUntilRemoved() throws Exception {
    String index = run + "-blocked";
    cluster.createIndex(index, null, null);

    cluster.setWriteBlock(index, true);
    // A retried step blocks again: an index already blocked is not an error.
    cluster.setWriteBlock(index, true);
    assertThat(cluster.getSettings(index).path("index.blocks.write").asText()).isEqualTo("true");
    assertThat(raw("PUT", "/" + index + "/_doc/1", "{\"a\": 1}").statusCode()).isEqualTo(403);

    cluster.setWriteBlock(index, false);
    assertThat(cluster.getSettings(index).has("index.blocks.write")).isFalse();
    assertThat(raw("PUT", "/" + index + "/_doc/1", "{\"a\": 1}").statusCode()).isEqualTo(201);
  }

  @Test
  void writeBlock_onceSet_everyAcknowledgedWriteIsSearchable() throws Exception {
    // Writers keep writing while the block is set: a refresh and count right after the call
    // must see every write the engine acknowledged, including those admitted just before it.
    String index = run + "-inflight";
    cluster.createIndex(
        index, json("{\"index.number_of_shards\": 4, \"index.number_of_replicas\": 0}"), null);
    java.util.concurrent.atomic.AtomicInteger acknowledged =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger unexpected =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean blockedSeen =
        new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> writers = new java.util.ArrayList<>();
    for (int w = 0; w < 6; w++) {
      int writer = w;
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; ; i++) {
                  try {
                    int status =
                        raw("PUT", "/" + index + "/_doc/w" + writer + "-" + i, "{\"n\": " + i + "}")
                            .statusCode();
                    if (status == 201) {
                      acknowledged.incrementAndGet();
                    } else if (status == 403) {
                      blockedSeen.set(true);
                      return;
                    } else {
                      unexpected.incrementAndGet();
                    }
                  } catch (Exception e) {
                    unexpected.incrementAndGet();
                    return;
                  }
                }
              });
      writers.add(t);
      t.start();
    }
    Thread.sleep(500);

    cluster.setWriteBlock(index, true);
    cluster.refresh(index);
    long counted = cluster.count(index);

    for (Thread t : writers) {
      t.join(30_000);
    }
    assertThat(blockedSeen).isTrue();
    assertThat(unexpected).hasValue(0);
    assertThat(acknowledged.get()).isGreaterThan(0);
    assertThat(counted).isEqualTo(acknowledged.get());
    cluster.setWriteBlock(index, false);
  }

  @Test
  void countSeesDocumentsAfterRefresh() throws Exception {
    String index = run + "-count";
    cluster.createIndex(index, json("{\"index.refresh_interval\": -1}"), null);
    index(index, 5);

    cluster.refresh(index);

    assertThat(cluster.count(index)).isEqualTo(5);
  }

  @Test
  void deleteIndex_reportsWhetherItExisted() {
    String index = run + "-delete";
    cluster.createIndex(index, null, null);

    assertThat(cluster.deleteIndex(index)).isTrue();
    assertThat(cluster.deleteIndex(index)).isFalse();
    assertThatThrownBy(() -> cluster.deleteIndex(run + "-*"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void httpErrors_carryStatusTypeAndReason() {
    SearchClusterException e =
        catchThrowableOfType(
            SearchClusterException.class, () -> cluster.getMappings(run + "-none"));

    assertThat(e.status()).isEqualTo(404);
    assertThat(e.errorType()).isEqualTo("index_not_found_exception");
    assertThat(e.reason()).contains(run + "-none");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void basicAuth_isSentWithoutBreakingRequests() {
    // The test cluster runs without the security plugin and ignores the header; this checks
    // that the authenticated transport is built and works end to end.
    try (OpenSearchCluster withAuth =
        OpenSearchCluster.connect(
            new ClusterEndpoint(
                URI.create(url), new ClusterEndpoint.Auth.Basic("admin", "admin")))) {
      assertThat(withAuth.info().version()).isEqualTo(cluster.info().version());
    }
  }

  @Test
  void unreachableCluster_isRetryable() {
    try (OpenSearchCluster nowhere =
        OpenSearchCluster.connect(ClusterEndpoint.of("http://127.0.0.1:1"))) {
      SearchClusterException e = catchThrowableOfType(SearchClusterException.class, nowhere::info);

      assertThat(e.status()).isEqualTo(SearchClusterException.NO_RESPONSE);
      assertThat(e.isRetryable()).isTrue();
    }
  }

  /**
   * The offline additive-mapping rules must agree with the cluster: whatever {@link MappingDiff}
   * calls additive is accepted by put-mapping, whatever it calls a conflict is refused.
   */
  @Test
  void mappingCompatibility_agreesWithPutMapping() throws Exception {
    String index = run + "-mapping";
    cluster.createIndex(
        index,
        null,
        json(
            "{\"properties\": {\"title\": {\"type\": \"text\", \"analyzer\": \"standard\"},"
                + " \"tag\": {\"type\": \"keyword\", \"ignore_above\": 100}}}"));
    List<String> additive =
        List.of(
            "{\"properties\": {\"added\": {\"type\": \"long\"}}}",
            "{\"properties\": {\"tag\": {\"type\": \"keyword\", \"ignore_above\": 50}}}",
            "{\"properties\": {\"title\": {\"type\": \"text\", \"analyzer\": \"standard\","
                + " \"fields\": {\"raw\": {\"type\": \"keyword\"}}}}}",
            "{\"dynamic\": \"strict\"}",
            "{\"properties\": {\"tag\": {\"type\": \"keyword\", \"index\": true}}}");
    List<String> conflicting =
        List.of(
            "{\"properties\": {\"tag\": {\"type\": \"text\"}}}",
            "{\"properties\": {\"title\": {\"type\": \"text\", \"analyzer\": \"simple\"}}}",
            "{\"properties\": {\"tag\": {\"type\": \"keyword\", \"doc_values\": false}}}",
            // Leaving out a parameter the index sets means "back to the default": a change.
            "{\"properties\": {\"title\": {\"type\": \"text\"}}}");

    for (String proposal : additive) {
      assertThat(cluster.checkMappingsAdditive(index, json(proposal)).conflicts())
          .as(proposal)
          .isEmpty();
      assertThat(raw("PUT", "/" + index + "/_mapping", proposal).statusCode())
          .as("cluster accepts " + proposal)
          .isEqualTo(200);
    }
    for (String proposal : conflicting) {
      assertThat(cluster.checkMappingsAdditive(index, json(proposal)).additive())
          .as(proposal)
          .isFalse();
      assertThat(raw("PUT", "/" + index + "/_mapping", proposal).statusCode())
          .as("cluster refuses " + proposal)
          .isEqualTo(400);
    }
  }

  @Test
  void reindex_manualSlicesCopyEverythingAndReportCounters() throws Exception {
    assertThat(hasReindex()).as("the cluster has the reindex module").isTrue();
    String source = run + "-src";
    String dest = run + "-dst";
    cluster.createIndex(source, json("{\"index.number_of_shards\": 2}"), null);
    cluster.createIndex(dest, null, null);
    index(source, 40);
    cluster.refresh(source);

    String first =
        cluster.startReindex(ReindexRequest.builder(source, dest).slice(0, 2).batchSize(7).build());
    String second =
        cluster.startReindex(ReindexRequest.builder(source, dest).slice(1, 2).batchSize(7).build());
    ReindexTaskStatus a = awaitCompletion(first);
    ReindexTaskStatus b = awaitCompletion(second);

    assertThat(first).contains(":");
    assertThat(a.succeeded()).as(a.toString()).isTrue();
    assertThat(b.succeeded()).as(b.toString()).isTrue();
    assertThat(a.created() + b.created()).isEqualTo(40);
    assertThat(a.total() + b.total()).isEqualTo(40);
    assertThat(a.batches()).isGreaterThanOrEqualTo(1);
    cluster.refresh(dest);
    assertThat(cluster.count(dest)).isEqualTo(40);
    // Reading a finished task again gives the stored result.
    assertThat(cluster.getTask(first).created()).isEqualTo(a.created());
  }

  @Test
  void reindex_refreshAtEnd_leavesTheCopySearchableOnADestinationThatDoesNotRefresh()
      throws Exception {
    assertThat(hasReindex()).as("the cluster has the reindex module").isTrue();
    String source = run + "-refreshed";
    String dest = run + "-refreshed-dst";
    cluster.createIndex(source, json("{\"index\": {\"number_of_shards\": 2}}"), null);
    cluster.createIndex(
        dest, json("{\"index\": {\"number_of_shards\": 2, \"refresh_interval\": \"-1\"}}"), null);
    index(source, 30);
    cluster.refresh(source);

    ReindexTaskStatus plain =
        awaitCompletion(
            cluster.startReindex(ReindexRequest.builder(source, dest).automaticSlices(0).build()));
    assertThat(plain.created()).isEqualTo(30);
    assertThat(cluster.count(dest)).as("no refresh yet: nothing searchable").isZero();

    cluster.deleteIndex(dest);
    cluster.createIndex(
        dest, json("{\"index\": {\"number_of_shards\": 2, \"refresh_interval\": \"-1\"}}"), null);
    ReindexTaskStatus refreshed =
        awaitCompletion(
            cluster.startReindex(
                ReindexRequest.builder(source, dest)
                    .automaticSlices(0)
                    .refreshAtEnd(true)
                    .build()));
    assertThat(refreshed.created()).isEqualTo(30);
    assertThat(cluster.count(dest)).as("the task refreshed the destination").isEqualTo(30);
  }

  @Test
  void reindex_canBeCancelled() throws Exception {
    assertThat(hasReindex()).as("the cluster has the reindex module").isTrue();
    String source = run + "-slow";
    cluster.createIndex(source, null, null);
    index(source, 20);
    cluster.refresh(source);

    String task =
        cluster.startReindex(
            ReindexRequest.builder(source, run + "-slow-dst")
                .batchSize(1)
                .requestsPerSecond(0.2)
                .build());
    cluster.cancelTask(task);
    ReindexTaskStatus status = awaitCompletion(task);

    assertThat(status.cancelled()).as(status.toString()).isTrue();
    assertThat(status.succeeded()).isFalse();
    assertThat(status.created()).isLessThan(20);
    cluster.cancelTask(task); // finished: still not an error
  }

  @Test
  void awaitTask_returnsProgressWhenTheWaitRunsOut_andTheResultWhenTheTaskEnds() throws Exception {
    assertThat(hasReindex()).as("the cluster has the reindex module").isTrue();
    String task = slowSlicedReindex(run + "-await", 40);

    // A wait that runs out (the engine answers it with a timeout error) gives the progress
    long started = System.nanoTime();
    ReindexTaskStatus running = cluster.awaitTask(task, java.time.Duration.ofSeconds(1));
    assertThat(running.completed()).as(running.toString()).isFalse();
    assertThat((System.nanoTime() - started) / 1_000_000)
        .as("waited in the engine, once")
        .isBetween(900L, 1900L);

    // A task that ends within the wait is answered as soon as it ends
    cluster.cancelTask(task);
    ReindexTaskStatus ended = cluster.awaitTask(task, java.time.Duration.ofSeconds(20));
    assertThat(ended.completed()).as(ended.toString()).isTrue();
    assertThat(ended.cancelled()).isTrue();
  }

  @Test
  void slicedTask_reportsTheProgressOfSlicesStillRunning() throws Exception {
    assertThat(hasReindex()).as("the cluster has the reindex module").isTrue();
    String task = slowSlicedReindex(run + "-progress", 60);
    try {
      // The engine's own counters for the parent stay at 0 until a slice ends (about 15 s here).
      ReindexTaskStatus running = cluster.awaitTask(task, java.time.Duration.ofSeconds(3));
      assertThat(running.completed()).as(running.toString()).isFalse();
      assertThat(running.processed()).as(running.toString()).isBetween(1L, 59L);
      assertThat(running.total()).as(running.toString()).isEqualTo(60);
      assertThat(cluster.getTask(task).processed()).isGreaterThanOrEqualTo(running.processed());
    } finally {
      cluster.cancelTask(task);
    }
  }

  @Test
  void mergesRunning_readsTheIndexsMergeStats() throws Exception {
    String index = run + "-merges";
    cluster.createIndex(index, null, null);
    index(index, 20);
    cluster.refresh(index);

    assertThat(cluster.mergesRunning(index)).isBetween(0L, 100L);
    assertThat(catchThrowable(() -> cluster.mergesRunning(run + "-missing")))
        .isInstanceOf(SearchClusterException.class);
  }

  @Test
  void reindex_reportsDocumentFailures() throws Exception {
    assertThat(hasReindex()).as("the cluster has the reindex module").isTrue();
    String source = run + "-text";
    String dest = run + "-numbers";
    cluster.createIndex(source, null, json("{\"properties\": {\"n\": {\"type\": \"keyword\"}}}"));
    cluster.createIndex(dest, null, json("{\"properties\": {\"n\": {\"type\": \"long\"}}}"));
    raw("PUT", "/" + source + "/_doc/x?refresh=true", "{\"n\": \"not a number\"}");

    ReindexTaskStatus status =
        awaitCompletion(cluster.startReindex(ReindexRequest.builder(source, dest).build()));

    assertThat(status.completed()).isTrue();
    assertThat(status.succeeded()).isFalse();
    assertThat(status.failures())
        .singleElement()
        .asString()
        .startsWith(dest + "/x: ")
        .contains("mapper_parsing_exception");
  }

  private ReindexTaskStatus awaitCompletion(String task) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    ReindexTaskStatus status = cluster.getTask(task);
    while (!status.completed()) {
      assertThat(Instant.now()).as("task " + task + " still running").isBefore(deadline);
      Thread.sleep(200);
      status = cluster.getTask(task);
    }
    return status;
  }

  private static boolean hasReindex() throws Exception {
    HttpResponse<String> modules = raw("GET", "/_cat/plugins?h=component", null);
    JsonNode nodes = JSON.readTree(raw("GET", "/_nodes/plugins", null).body()).path("nodes");
    for (JsonNode node : nodes) {
      for (JsonNode module : node.path("modules")) {
        if (module.path("name").asText().toLowerCase(Locale.ROOT).contains("reindex")) {
          return true;
        }
      }
    }
    return modules.body().contains("reindex");
  }

  /**
   * A 2-shard index of {@code documents} copied by an engine-sliced reindex at 4 documents a second
   * (2 per slice): slow enough to watch it run.
   */
  private static String slowSlicedReindex(String source, int documents) throws Exception {
    cluster.createIndex(source, json("{\"index.number_of_shards\": 2}"), null);
    index(source, documents);
    cluster.refresh(source);
    return cluster.startReindex(
        ReindexRequest.builder(source, source + "-dst")
            .automaticSlices(2)
            .batchSize(2)
            .requestsPerSecond(4)
            .build());
  }

  private static void index(String index, int documents) throws Exception {
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < documents; i++) {
      bulk.append("{\"index\": {\"_id\": \"").append(i).append("\"}}\n");
      bulk.append("{\"n\": ").append(i).append("}\n");
    }
    HttpResponse<String> response = raw("POST", "/" + index + "/_bulk", bulk.toString());
    assertThat(JSON.readTree(response.body()).path("errors").asBoolean()).isFalse();
  }

  private static HttpResponse<String> raw(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + path))
            .header(
                "Content-Type",
                path.endsWith("_bulk") ? "application/x-ndjson" : "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
