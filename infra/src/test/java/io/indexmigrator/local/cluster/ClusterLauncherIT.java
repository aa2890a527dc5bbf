package io.indexmigrator.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.OpenSearchCluster;
import io.indexmigrator.core.search.ReindexRequest;
import io.indexmigrator.core.search.SearchCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts every supported engine for real (one at a time, the machine is small) and checks that
 * reindexing works on each: sliced, asynchronous, with a painless script, through an ingest
 * pipeline, tagged with the X-Opaque-Id the product's task lookup relies on, and from a remote
 * Elasticsearch 7.
 */
class ClusterLauncherIT {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterLauncherIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ClusterLauncher LAUNCHER = new ClusterLauncher();

  @ParameterizedTest
  @ValueSource(
      strings = {"opensearch:2.19.6", "opensearch:1.3.20", "opensearch:3", "elasticsearch"})
  void slicedAndAsyncReindexWorkOnEachEngine(String engineName) throws Exception {
    EngineVersion engine = EngineVersion.parse(engineName);
    RunningCluster cluster = LAUNCHER.start(ClusterSpec.of(engine));
    List<ProcessHandle> tree;
    try {
      tree = processTree(cluster);
      if (Processes.isRoot()) {
        assertThat(ProcessHandle.of(cluster.pid()).orElseThrow().info().user())
            .as("engines refuse root, so they run as the unprivileged user")
            .hasValue(ClusterLauncher.DEFAULT_ENGINE_USER);
      }
      URI base = cluster.httpUri();
      send(
          base,
          "PUT",
          "/source",
          "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0}}");
      bulkIndex(base, "source", 300);
      assertThat(count(base, "source")).isEqualTo(300);

      JsonNode sliced =
          send(
              base,
              "POST",
              "/_reindex?slices=2&refresh=true",
              reindexBody("source", "dest_sliced"));
      assertThat(sliced.path("created").asInt()).isEqualTo(300);
      assertThat(sliced.path("slices").size()).as("one status per slice").isEqualTo(2);
      assertThat(count(base, "dest_sliced")).isEqualTo(300);

      JsonNode started =
          send(
              base,
              "POST",
              "/_reindex?slices=auto&wait_for_completion=false",
              reindexBody("source", "dest_async"));
      JsonNode task = awaitTask(base, started.path("task").asText());
      assertThat(task.path("response").path("created").asInt()).isEqualTo(300);
      assertThat(task.path("response").path("failures").size()).isZero();
      send(base, "POST", "/dest_async/_refresh", null);
      assertThat(count(base, "dest_async")).isEqualTo(300);
      assertScriptTransformAndIngestPipelineWork(base);
      assertReindexTasksCarryTheirTag(base);
      LOG.info(
          "{}: sliced reindex created {} in {} ms, async (slices=auto) created {}",
          engine.displayName(),
          sliced.path("created").asInt(),
          sliced.path("took").asLong(),
          task.path("response").path("created").asInt());
    } finally {
      cluster.close();
    }
    assertStopped(cluster, tree);
  }

  /** Needs the lang-painless and ingest-common modules the installer assembles. */
  private static void assertScriptTransformAndIngestPipelineWork(URI base) throws Exception {
    String script =
        JSON.writeValueAsString(
            Map.of(
                "source",
                Map.of("index", "source"),
                "dest",
                Map.of("index", "dest_scripted"),
                "script",
                Map.of(
                    "lang", "painless", "source", "ctx._source.doubled = ctx._source.number * 2")));
    JsonNode scripted = send(base, "POST", "/_reindex?refresh=true", script);
    assertThat(scripted.path("created").asInt()).as(scripted.toString()).isEqualTo(300);
    JsonNode doc = send(base, "GET", "/dest_scripted/_doc/doc-21", null);
    assertThat(doc.path("_source").path("doubled").asInt()).isEqualTo(42);

    // The script processor lives in ingest-common but runs painless: it checks that ingest-common
    // really sees the lang-painless module it extends.
    send(
        base,
        "PUT",
        "/_ingest/pipeline/stamp",
        "{\"processors\": [{\"set\": {\"field\": \"stage\", \"value\": \"migrated\"}},"
            + " {\"script\": {\"source\": \"ctx.title_length = ctx.title.length()\"}}]}");
    String piped =
        JSON.writeValueAsString(
            Map.of(
                "source",
                Map.of("index", "source"),
                "dest",
                Map.of("index", "dest_piped", "pipeline", "stamp")));
    JsonNode pipedResult = send(base, "POST", "/_reindex?refresh=true", piped);
    assertThat(pipedResult.path("created").asInt()).as(pipedResult.toString()).isEqualTo(300);
    JsonNode stamped = send(base, "GET", "/dest_piped/_doc/doc-7", null).path("_source");
    assertThat(stamped.path("stage").asText()).isEqualTo("migrated");
    assertThat(stamped.path("title_length").asInt()).isEqualTo("document 7".length());
  }

  /**
   * Starts a throttled reindex through the product's own client with a task tag and reads the
   * engine's task list raw: cancel and resume find tasks only by that header.
   */
  private static void assertReindexTasksCarryTheirTag(URI base) throws Exception {
    String tag = "index-migrator/launcher-it/g1/source/0";
    try (OpenSearchCluster product =
        OpenSearchCluster.connect(ClusterEndpoint.of(base.toString()))) {
      String taskId =
          product.startReindex(
              ReindexRequest.builder("source", "dest_tagged")
                  .batchSize(1)
                  .requestsPerSecond(0.5)
                  .build(),
              tag);
      try {
        JsonNode listed =
            send(base, "GET", "/_tasks?actions=*reindex*&detailed=true&group_by=none", null);
        List<String> headers = new ArrayList<>();
        for (JsonNode task : listed.path("tasks")) {
          if (task.path("action").asText().contains("reindex")
              && !task.hasNonNull("parent_task_id")) {
            headers.add(task.path("headers").path("X-Opaque-Id").asText(""));
          }
        }
        assertThat(headers).as("X-Opaque-Id of running reindex tasks: %s", listed).contains(tag);
        assertThat(product.findTasks("index-migrator/launcher-it/"))
            .extracting(SearchCluster.RunningTask::taskId)
            .containsExactly(taskId);
      } finally {
        product.cancelTask(taskId);
      }
    }
  }

  @Test
  void remoteReindexFromElasticsearch7IntoOpenSearch2() throws Exception {
    try (RunningCluster source =
            LAUNCHER.start(ClusterSpec.of(EngineVersion.parse("elasticsearch")));
        RunningCluster target =
            LAUNCHER.start(ClusterSpec.of(EngineVersion.parse("opensearch:2")))) {
      bulkIndex(source.httpUri(), "legacy", 250);
      assertThat(count(source.httpUri(), "legacy")).isEqualTo(250);

      String body =
          JSON.writeValueAsString(
              Map.of(
                  "source",
                  Map.of("remote", Map.of("host", source.httpUri().toString()), "index", "legacy"),
                  "dest",
                  Map.of("index", "migrated")));
      JsonNode result = send(target.httpUri(), "POST", "/_reindex?refresh=true", body);

      assertThat(result.path("created").asInt()).isEqualTo(250);
      assertThat(count(target.httpUri(), "migrated")).isEqualTo(250);
      JsonNode doc = send(target.httpUri(), "GET", "/migrated/_doc/doc-42", null);
      assertThat(doc.path("_source").path("title").asText()).isEqualTo("document 42");
      assertThat(doc.path("_source").path("number").asInt()).isEqualTo(42);
      // init's advice for a source outside the allowlist keys on the engine's own words.
      try (OpenSearchCluster product =
          OpenSearchCluster.connect(ClusterEndpoint.of(target.httpUri().toString()))) {
        assertThatThrownBy(
                () ->
                    product.reindexSample(
                        ReindexRequest.builder("legacy", "never")
                            .remote(
                                new ReindexRequest.RemoteSource(
                                    "http://192.0.2.1:9200", null, null))
                            .build(),
                        1))
            .isInstanceOf(io.indexmigrator.core.search.SearchClusterException.class)
            .hasMessageContaining("192.0.2.1:9200")
            .hasMessageContaining("reindex.remote.allowlist");
      }
      LOG.info(
          "remote reindex {} -> {} created {} in {} ms",
          source.engine().displayName(),
          target.engine().displayName(),
          result.path("created").asInt(),
          result.path("took").asLong());
    }
  }

  @Test
  void restart_keepsTheEndpointAndTheData_andLosesTheScrolls() throws Exception {
    try (RunningCluster cluster = LAUNCHER.start(ClusterSpec.of(EngineVersion.DEFAULT))) {
      URI base = cluster.httpUri();
      bulkIndex(base, "kept", 40);
      long pidBefore = cluster.pid();
      String scrollId =
          send(base, "POST", "/kept/_search?scroll=5m", "{\"size\":10}")
              .path("_scroll_id")
              .asText();

      cluster.restart();

      assertThat(cluster.httpUri()).isEqualTo(base);
      assertThat(cluster.isAlive()).isTrue();
      assertThat(cluster.pid()).as("a new engine process").isNotEqualTo(pidBefore);
      assertThat(ProcessHandle.of(pidBefore).map(ProcessHandle::isAlive))
          .isNotEqualTo(java.util.Optional.of(true));
      send(base, "GET", "/_cluster/health/kept?wait_for_status=yellow&timeout=30s", null);
      assertThat(count(base, "kept")).as("the data survives").isEqualTo(40);
      HttpResponse<String> lost =
          HTTP.send(
              HttpRequest.newBuilder(base.resolve("/_search/scroll"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          JSON.writeValueAsString(Map.of("scroll", "5m", "scroll_id", scrollId))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(lost.statusCode()).as("the scroll is gone: %s", lost.body()).isEqualTo(404);
      Thread.sleep(5_000);
      assertThat(cluster.isAlive()).as("still running after the restart").isTrue();
      assertThat(count(base, "kept")).isEqualTo(40);
    }
  }

  @Test
  void aStartFailureCarriesTheEnginesOwnExplanation() {
    ClusterSpec spec = ClusterSpec.of(EngineVersion.DEFAULT).withSetting("no.such.setting", "true");

    assertThatThrownBy(() -> LAUNCHER.start(spec))
        .isInstanceOf(ClusterStartException.class)
        .hasMessageContaining("opensearch 2.19.6 exited during startup")
        .hasMessageContaining("unknown setting [no.such.setting]");
  }

  @Test
  void sharedClustersStartOncePerEngine() {
    RunningCluster first = SharedClusters.get("opensearch:2");
    RunningCluster again = SharedClusters.get(EngineVersion.parse("opensearch:2.19.6"));

    assertThat(again).isSameAs(first);
    assertThat(first.isAlive()).isTrue();
    // Left running on purpose: the shutdown hook stops it when this JVM exits.
  }

  private static String reindexBody(String from, String to) throws IOException {
    return JSON.writeValueAsString(
        Map.of("source", Map.of("index", from, "size", 50), "dest", Map.of("index", to)));
  }

  private static void bulkIndex(URI base, String index, int docs) throws Exception {
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < docs; i++) {
      bulk.append(
              JSON.writeValueAsString(Map.of("index", Map.of("_index", index, "_id", "doc-" + i))))
          .append('\n')
          .append(JSON.writeValueAsString(Map.of("title", "document " + i, "number", i)))
          .append('\n');
    }
    JsonNode result = send(base, "POST", "/_bulk?refresh=true", bulk.toString());
    assertThat(result.path("errors").asBoolean()).as("bulk errors: %s", result).isFalse();
  }

  private static int count(URI base, String index) throws Exception {
    return send(base, "GET", "/" + index + "/_count", null).path("count").asInt();
  }

  private static JsonNode awaitTask(URI base, String taskId) throws Exception {
    assertThat(taskId).isNotBlank();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode task = send(base, "GET", "/_tasks/" + taskId, null);
      if (task.path("completed").asBoolean()) {
        return task;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("task " + taskId + " did not complete in 2 minutes");
  }

  private static JsonNode send(URI base, String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofMinutes(1))
            .header(
                "Content-Type",
                path.startsWith("/_bulk") ? "application/x-ndjson" : "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("%s %s answered %s", method, path, response.body())
        .isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  private static List<ProcessHandle> processTree(RunningCluster cluster) {
    ProcessHandle engine = ProcessHandle.of(cluster.pid()).orElseThrow();
    List<ProcessHandle> tree = new ArrayList<>(engine.descendants().toList());
    tree.add(engine);
    return tree;
  }

  private static void assertStopped(RunningCluster cluster, List<ProcessHandle> tree) {
    assertThat(cluster.isAlive()).isFalse();
    assertThat(Stream.of(tree.toArray(ProcessHandle[]::new)).filter(ProcessHandle::isAlive))
        .as("engine processes left after close()")
        .isEmpty();
    assertThat(Files.exists(cluster.logFile())).as("work directory deleted").isFalse();
  }
}
