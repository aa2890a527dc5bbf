package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.events.ChangePublisher;
import io.indexmigrator.local.cluster.EngineVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cross-cluster recipes on a twin started with a second engine, as {@code migrator local up
 * --source-engine} starts it: the functions know that cluster only from the template's
 * SourceClusterEndpoint parameter. {@code init} creates the destination on the default cluster from
 * the source's settings and mappings and leaves the source untouched; {@code run} copies it with
 * the reader engine, shard by shard, document for document.
 */
class CrossClusterIT {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The second cluster's engine: Elasticsearch 7.10.2 unless {@code -Dmigrator.it.source}. */
  static final EngineVersion SOURCE_ENGINE =
      EngineVersion.parse(System.getProperty("migrator.it.source", "elasticsearch:7.10.2"));

  static TwinFixture twin;
  static URI sourceUrl;

  @BeforeAll
  static void start() throws Exception {
    twin = TwinFixture.withSource(SOURCE_ENGINE);
    sourceUrl = URI.create(twin.state.clusters().get("source").url());
    // Settings a newer engine refuses or the destination cannot honour come with the index: its
    // identity (uuid, creation date, version), and an allocation filter naming this node's
    // attributes (an exclude, so the source itself stays allocatable).
    send(
        "PUT",
        "/legacy-1",
        """
        {"settings": {"index": {"number_of_shards": 3, "number_of_replicas": 0,
           "routing.allocation.exclude.box_type": "cold",
           "analysis": {"analyzer": {"short": {"type": "standard", "max_token_length": 40}}}}},
         "mappings": {"properties": {
           "title": {"type": "text", "analyzer": "short", "fields": {"raw": {"type": "keyword"}}},
           "year": {"type": "integer"},
           "tags": {"type": "keyword"}}},
         "aliases": {"legacy": {}}}
        """);
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      bulk.append("{\"index\":{\"_id\":\"d").append(i).append("\"}}\n");
      bulk.append("{\"title\":\"Título ").append(i).append("\",\"year\":").append(1990 + i % 30);
      bulk.append(",\"tags\":[\"t").append(i % 7).append("\"]}\n");
    }
    send("POST", "/legacy-1/_bulk?refresh=true", bulk.toString());
  }

  @AfterAll
  static void stop() {
    if (twin != null) {
      twin.close();
    }
  }

  @Test
  void init_createsTheDestinationOnTheDestinationCluster_fromTheSource_andLeavesTheSourceAlone()
      throws Exception {
    JsonNode sourceInfo = send("GET", "/", null);
    JsonNode sourceSettingsBefore = send("GET", "/legacy-1/_settings", null);
    JsonNode sourceMappings = send("GET", "/legacy-1/_mapping", null);
    List<String> sourceIndexesBefore = sourceIndexes();
    List<String> destinationIndexesBefore = twin.indexNames();
    Path recipe =
        twin.writeRecipe(
            "upgrade.yaml",
            """
            name: upgrade
            source: {cluster: source}
            indexes:
              - source: legacy
                destination: legacy-os
            """);

    TwinFixture.Run init = twin.cli("init", "upgrade", "--file", recipe.toString(), "--json");

    System.out.println(
        "source " + sourceInfo.at("/version/number").asText() + " => " + init.all().trim());
    assertThat(init.exitCode()).as(init.all()).isZero();
    JsonNode report = JSON.readTree(init.out());
    assertThat(report.at("/indexes/0/source").asText()).isEqualTo("legacy-1");
    assertThat(report.at("/indexes/0/destination").asText()).isEqualTo("legacy-os");
    assertThat(report.at("/indexes/0/docsTotal").asLong()).isEqualTo(120);

    // The destination, on the default cluster only.
    List<String> created = new ArrayList<>(twin.indexNames());
    created.removeAll(destinationIndexesBefore);
    assertThat(created).containsExactly("legacy-os");
    JsonNode mappings = twin.get("/legacy-os/_mapping").path("legacy-os").path("mappings");
    JsonNode expected = sourceMappings.path("legacy-1").path("mappings").path("properties");
    assertThat(mappings.path("properties")).isEqualTo(expected);
    JsonNode settings = twin.get("/legacy-os/_settings").path("legacy-os").path("settings");
    JsonNode index = settings.path("index");
    assertThat(index.path("number_of_shards").asText()).isEqualTo("3");
    assertThat(index.at("/analysis/analyzer/short/max_token_length").asText()).isEqualTo("40");
    assertThat(index.path("refresh_interval").asText()).as("bulk-load settings").isEqualTo("-1");
    assertThat(index.at("/routing/allocation/exclude").isMissingNode())
        .as("the source's allocation filter is not copied: %s", index)
        .isTrue();
    String sourceUuid = sourceSettingsBefore.at("/legacy-1/settings/index/uuid").asText();
    assertThat(index.path("uuid").asText()).isNotEqualTo(sourceUuid);
    if (!SOURCE_ENGINE.equals(TwinFixture.ENGINE)) {
      // Made by the destination's engine, not copied (between equal versions they agree anyway).
      assertThat(index.at("/version/created").asText())
          .isNotEqualTo(
              sourceSettingsBefore.at("/legacy-1/settings/index/version/created").asText());
    }

    // The state.
    try (var dynamo = twin.dynamo()) {
      var store = twin.store(dynamo);
      var stored = store.getRecipe("upgrade").orElseThrow();
      JsonNode document = JSON.readTree(stored.document());
      assertThat(document.at("/source/cluster").asText()).isEqualTo("source");
      assertThat(document.at("/copy/mode").asText()).isEqualTo("reader");
      List<IndexRecord> indexes = store.listIndexes(stored.ref());
      assertThat(indexes)
          .singleElement()
          .satisfies(
              i -> {
                assertThat(i.source()).isEqualTo("legacy-1");
                assertThat(i.destination()).isEqualTo("legacy-os");
              });
    }

    // The source: no index added, none changed.
    assertThat(sourceIndexes()).isEqualTo(sourceIndexesBefore);
    assertThat(send("GET", "/legacy-1/_settings", null)).isEqualTo(sourceSettingsBefore);
    assertThat(send("GET", "/legacy-1/_mapping", null)).isEqualTo(sourceMappings);
    assertThat(send("GET", "/legacy-1/_count", null).path("count").asLong()).isEqualTo(120);
  }

  @Test
  void run_copiesEveryShardInRangesWithTheReaderEngine_documentForDocument() throws Exception {
    // GIVEN a 4-shard source with custom routing on some documents and several versions of others
    send(
        "PUT",
        "/papers-1",
        """
        {"settings": {"index": {"number_of_shards": 4, "number_of_replicas": 0}},
         "mappings": {"properties": {"title": {"type": "text"}, "n": {"type": "integer"}}}}
        """);
    int documents = 6_000;
    for (int from = 0; from < documents; from += 1_000) {
      StringBuilder bulk = new StringBuilder();
      for (int i = from; i < from + 1_000; i++) {
        String routing = i % 10 == 0 ? ",\"routing\":\"r" + (i % 3) + "\"" : "";
        bulk.append("{\"index\":{\"_id\":\"p").append(i).append('"').append(routing);
        bulk.append("}}\n{\"title\":\"Paper ").append(i).append("\",\"n\":").append(i);
        bulk.append("}\n");
      }
      send("POST", "/papers-1/_bulk", bulk.toString());
    }
    StringBuilder updates = new StringBuilder();
    for (int i = 1; i < documents; i += 50) {
      updates.append("{\"index\":{\"_id\":\"p").append(i).append("\"}}\n");
      updates.append("{\"title\":\"Paper ").append(i).append(" (revised)\",\"n\":");
      updates.append(i).append("}\n");
    }
    send("POST", "/papers-1/_bulk?refresh=true", updates.toString());
    Map<String, String> expected = sourceDocuments("papers-1");
    assertThat(expected).hasSize(documents);
    Path recipe =
        twin.writeRecipe(
            "papers.yaml",
            """
            name: papers
            source: {cluster: source}
            indexes:
              - source: papers-1
                destination: papers-os
            copy: {batchSize: 500, partition: {field: n, parts: 2}}
            """);

    // WHEN it is initialized and run
    TwinFixture.Run init = twin.cli("init", "papers", "--file", recipe.toString());
    assertThat(init.exitCode()).as(init.all()).isZero();
    TwinFixture.Run run = twin.cli("run", "papers", "--wait");
    assertThat(run.exitCode()).as(run.all()).isZero();

    // THEN the destination holds exactly the source's documents: ids, routing, sources, versions
    twin.cluster.post("/papers-os/_refresh", "{}");
    Map<String, String> copied = new TreeMap<>();
    JsonNode page =
        twin.cluster.post(
            "/papers-os/_search?scroll=1m", "{\"size\":1000,\"version\":true,\"sort\":[\"_doc\"]}");
    while (page.at("/hits/hits").size() > 0) {
      page.at("/hits/hits").forEach(h -> copied.put(h.path("_id").asText(), describe(h)));
      page =
          twin.cluster.post(
              "/_search/scroll",
              "{\"scroll\":\"1m\",\"scroll_id\":\"" + page.path("_scroll_id").asText() + "\"}");
    }
    assertThat(copied).hasSize(documents);
    assertThat(copied).isEqualTo(expected);

    // THEN status shows one done work item per range of each shard, and the source keeps no
    // open scroll
    TwinFixture.Run status = twin.cli("status", "papers", "--json");
    JsonNode report = JSON.readTree(status.out());
    assertThat(report.at("/clusters/source/name").asText()).isEqualTo("source");
    assertThat(report.at("/clusters/source/engine").asText())
        .isEqualTo(
            SOURCE_ENGINE.distribution().name().toLowerCase() + " " + SOURCE_ENGINE.version());
    assertThat(report.at("/clusters/destination/name").asText()).isEqualTo("default");
    assertThat(report.at("/clusters/destination/engine").asText()).startsWith("opensearch ");
    JsonNode index = report.at("/indexes/0");
    assertThat(index.path("docsCopied").asLong()).as(status.out()).isEqualTo(documents);
    assertThat(index.path("slicesDone").asInt()).as(status.out()).isEqualTo(8);
    assertThat(send("GET", "/_nodes/stats/indices/search", null).findValues("open_contexts"))
        .allSatisfy(open -> assertThat(open.asLong()).isZero());
  }

  @Test
  void remoteReindex_copiesThroughTheDestinationsOwnReindex_inRanges_withATransformAcrossClusters()
      throws Exception {
    // GIVEN a 4-shard source with custom routing on some documents and revisions of others
    send(
        "PUT",
        "/remote-1",
        """
        {"settings": {"index": {"number_of_shards": 4, "number_of_replicas": 0}}}
        """);
    int documents = 3_000;
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < documents; i++) {
      String routing = i % 10 == 0 ? ",\"routing\":\"r" + (i % 3) + "\"" : "";
      bulk.append("{\"index\":{\"_id\":\"m").append(i).append('"').append(routing);
      bulk.append("}}\n{\"title\":\"Record ").append(i).append('"');
      // Some documents have no value for the partition field: the first range takes them.
      if (i % 50 != 7) {
        bulk.append(",\"n\":").append(i);
      }
      bulk.append("}\n");
    }
    for (int i = 3; i < documents; i += 100) {
      String routing = i % 10 == 0 ? ",\"routing\":\"r" + (i % 3) + "\"" : "";
      bulk.append("{\"index\":{\"_id\":\"m").append(i).append('"').append(routing);
      bulk.append("}}\n{\"title\":\"Record ").append(i).append(" (revised)\",\"n\":");
      bulk.append(i).append("}\n");
    }
    send("POST", "/remote-1/_bulk?refresh=true", bulk.toString());
    Map<String, String> source = sourceDocuments("remote-1");
    assertThat(source).hasSize(documents);
    // The recipe's script runs in the destination's reindex, on documents read from the source.
    Map<String, String> expected = new TreeMap<>();
    source.forEach(
        (id, doc) -> expected.put(id, doc.substring(0, doc.length() - 1) + ",\"moved\":true}"));
    Path recipe =
        twin.writeRecipe(
            "remote.yaml",
            """
            name: remote
            source: {cluster: source}
            indexes:
              - source: remote-1
                destination: remote-os
                transform: {script: {source: "ctx._source.moved = true"}}
                mappings: {properties: {title: {type: keyword}, n: {type: long},
                                        moved: {type: boolean}}}
            copy: {mode: remote-reindex, batchSize: 500, partition: {field: n, parts: 3}}
            """);

    // WHEN it is initialized and run
    TwinFixture.Run init = twin.cli("init", "remote", "--file", recipe.toString());
    assertThat(init.exitCode()).as(init.all()).isZero();
    assertThat(twin.indexNames()).noneMatch(n -> n.contains("-init-trial-"));
    TwinFixture.Run run = twin.cli("run", "remote", "--wait");
    assertThat(run.exitCode()).as(run.all()).isZero();

    // THEN the destination holds every source document, transformed, at the source's version
    // and routing, in the recipe's mapping
    twin.cluster.post("/remote-os/_refresh", "{}");
    // The script's map puts the new field where it likes: compare sources as objects.
    assertThat(sortedFields(destinationDocuments("remote-os"))).isEqualTo(sortedFields(expected));
    assertThat(twin.cluster.get("/remote-os/_mapping").at("/remote-os/mappings/properties/title"))
        .hasToString("{\"type\":\"keyword\"}");
    JsonNode report = JSON.readTree(twin.cli("status", "remote", "--json").out());
    assertThat(report.at("/indexes/0/docsCopied").asLong()).isEqualTo(documents);
    assertThat(report.at("/indexes/0/slicesDone").asInt()).as("one task per range").isEqualTo(3);
    assertThat(send("GET", "/_nodes/stats/indices/search", null).findValues("open_contexts"))
        .as("the remote scroll was cleared")
        .allSatisfy(open -> assertThat(open.asLong()).isZero());
  }

  @Test
  void aCopyFunctionKilledMidItem_withItsScrollsLost_stillEndsWithExactlyTheSourcesDocuments()
      throws Exception {
    // GIVEN a source large enough, read in small pages, that the copy is caught in the middle
    int documents = 60_000;
    loadNumbered("crash-1", documents);
    Map<String, String> expected = sourceDocuments("crash-1");
    assertThat(expected).hasSize(documents);
    Path recipe =
        twin.writeRecipe(
            "crash.yaml",
            """
            name: crash
            source: {cluster: source}
            indexes:
              - source: crash-1
                destination: crash-os
            copy: {batchSize: 100}
            """);
    assertThat(twin.cli("init", "crash", "--file", recipe.toString()).exitCode()).isZero();
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      var run = pool.submit(() -> twin.cli("run", "crash", "--wait"));

      // WHEN, mid-copy, the copy function's environments are killed and every scroll on the
      // source is dropped (as a restart of its node would)
      long copiedAtKill = awaitCopied("crash", 2_000);
      int killed = 0;
      for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
        if (child.info().commandLine().orElse("").contains("CopyStepHandler")) {
          child.destroyForcibly();
          killed++;
        }
      }
      send("DELETE", "/_search/scroll/_all", null);
      System.out.printf(
          "crash: killed %d copy environments and dropped the source's scrolls at %,d of %,d"
              + " documents copied%n",
          killed, copiedAtKill, documents);
      assertThat(killed).as("copy environments killed").isPositive();
      assertThat(copiedAtKill).as("killed mid-copy").isBetween(1L, documents - 1L);

      // THEN the run (or, if the execution gave up, one more run) ends with exactly the source
      TwinFixture.Run finished = run.get(5, java.util.concurrent.TimeUnit.MINUTES);
      if (finished.exitCode() != 0) {
        System.out.println("crash: the first run ended with " + finished.all() + "; run again");
        finished = twin.cli("run", "crash", "--wait");
      }
      assertThat(finished.exitCode()).as(finished.all()).isZero();
    } finally {
      pool.shutdownNow();
    }
    twin.cluster.post("/crash-os/_refresh", "{}");
    assertThat(destinationDocuments("crash-os")).isEqualTo(expected);
    JsonNode report = JSON.readTree(twin.cli("status", "crash", "--json").out());
    assertThat(report.at("/indexes/0/docsCopied").asLong())
        .as("nothing counted twice")
        .isEqualTo(documents);
  }

  @Test
  void theSourceNodeRestartedMidCopy_losingEveryContext_stillEndsWithExactlyTheSourcesDocuments()
      throws Exception {
    // GIVEN a source large enough, read in small pages, that its restart lands mid-copy
    int documents = 60_000;
    loadNumbered("restart-1", documents);
    Map<String, String> expected = sourceDocuments("restart-1");
    assertThat(expected).hasSize(documents);
    Path recipe =
        twin.writeRecipe(
            "restart.yaml",
            """
            name: restart
            source: {cluster: source}
            indexes:
              - source: restart-1
                destination: restart-os
            copy: {batchSize: 100}
            """);
    assertThat(twin.cli("init", "restart", "--file", recipe.toString()).exitCode()).isZero();
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      var run = pool.submit(() -> twin.cli("run", "restart", "--wait"));

      // WHEN, mid-copy, the source engine is restarted: down for its whole start-up, and every
      // scroll the copy holds is gone when it is back
      long copiedAtRestart = awaitCopied("restart", 2_000);
      long began = System.nanoTime();
      twin.twin.restartCluster("source");
      long downMillis = (System.nanoTime() - began) / 1_000_000;
      long copiedAfter =
          JSON.readTree(twin.cli("status", "restart", "--json").out()).path("docsCopied").asLong();
      System.out.printf(
          "restart: %s restarted in %,d ms at %,d of %,d documents copied (%,d when it was back)%n",
          SOURCE_ENGINE.displayName(), downMillis, copiedAtRestart, documents, copiedAfter);
      assertThat(copiedAtRestart).as("restarted mid-copy").isBetween(1L, documents - 1L);

      // THEN the run (or, if the execution gave up while the node was away, one more run) ends
      // with exactly the source's documents
      TwinFixture.Run finished = run.get(8, java.util.concurrent.TimeUnit.MINUTES);
      if (finished.exitCode() != 0) {
        System.out.println("restart: the first run ended with " + finished.all() + "; run again");
        finished = twin.cli("run", "restart", "--wait");
      }
      assertThat(finished.exitCode()).as(finished.all()).isZero();
    } finally {
      pool.shutdownNow();
    }
    twin.cluster.post("/restart-os/_refresh", "{}");
    assertThat(destinationDocuments("restart-os")).isEqualTo(expected);
    JsonNode report = JSON.readTree(twin.cli("status", "restart", "--json").out());
    assertThat(report.at("/indexes/0/docsCopied").asLong())
        .as("nothing counted twice")
        .isEqualTo(documents);
  }

  /** The documents as {@link #describe} gives them, with each source's fields sorted by name. */
  private static Map<String, String> sortedFields(Map<String, String> documents)
      throws IOException {
    Map<String, String> sorted = new TreeMap<>();
    for (var entry : documents.entrySet()) {
      String[] parts = entry.getValue().split(" ", 3);
      Map<?, ?> fields = JSON.readValue(parts[2], TreeMap.class);
      sorted.put(entry.getKey(), parts[0] + " " + parts[1] + " " + JSON.writeValueAsString(fields));
    }
    return sorted;
  }

  /** Loads {@code documents} small numbered documents into a new 4-shard source index. */
  private static void loadNumbered(String index, int documents) throws Exception {
    send(
        "PUT",
        "/" + index,
        """
        {"settings": {"index": {"number_of_shards": 4, "number_of_replicas": 0}}}
        """);
    for (int from = 0; from < documents; from += 5_000) {
      StringBuilder bulk = new StringBuilder();
      for (int i = from; i < Math.min(documents, from + 5_000); i++) {
        bulk.append("{\"index\":{\"_id\":\"c").append(i).append("\"}}\n");
        bulk.append("{\"n\":").append(i).append(",\"pad\":\"").append("x".repeat(40));
        bulk.append("\"}\n");
      }
      send("POST", "/" + index + "/_bulk", bulk.toString());
    }
    send("POST", "/" + index + "/_refresh", "{}");
  }

  /** Waits (up to 2 minutes) until the recipe's status reports more than {@code atLeast} copied. */
  private static long awaitCopied(String recipe, long atLeast) throws Exception {
    long copied = 0;
    long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      copied =
          JSON.readTree(twin.cli("status", recipe, "--json").out()).path("docsCopied").asLong();
      if (copied > atLeast) {
        break;
      }
      Thread.sleep(200);
    }
    return copied;
  }

  @Test
  void liveWritesToTheSourceCluster_reachTheDestination_throughEventsNamingTheCluster()
      throws Exception {
    // GIVEN an application writing to the source cluster through an alias, publishing an event
    // naming that cluster for every acknowledged write, before, during and after the copy
    send(
        "PUT",
        "/live-1",
        """
        {"settings": {"index": {"number_of_shards": 2, "number_of_replicas": 0}},
         "aliases": {"live": {}}}
        """);
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      bulk.append("{\"index\":{\"_id\":\"doc-").append(i).append("\"}}\n");
      bulk.append("{\"title\":\"t").append(i).append("\",\"n\":0}\n");
    }
    send("POST", "/live-1/_bulk?refresh=true", bulk.toString());
    Path recipe =
        twin.writeRecipe(
            "live.yaml",
            """
            name: live
            source: {cluster: source}
            indexes:
              - source: live
                destination: live-os
            sync: {mode: events}
            """);
    try (var sqs = twin.sqs()) {
      ChangePublisher publisher =
          ChangePublisher.builder(sqs, twin.state.queues().get("SyncQueue"))
              .cluster("source")
              .build();
      LiveWriter writer = new LiveWriter(sourceUrl, "live", publisher, 17, 3_000, 200);
      writer.start();

      // WHEN the recipe is initialized, copied and left syncing while the writes go on
      TwinFixture.Run init = twin.cli("init", "live", "--file", recipe.toString());
      assertThat(init.exitCode()).as(init.all()).isZero();
      TwinFixture.Run run = twin.cli("run", "live", "--wait");
      assertThat(run.exitCode()).as(run.all()).isZero();
      Thread.sleep(5_000);
      writer.stop();
      long writes = writer.operations.get();
      send("POST", "/live-1/_refresh", "{}");
      Map<String, String> expected = sourceDocuments("live-1");

      // THEN the destination converges to exactly the source: ids, versions, sources
      Map<String, String> copied = Map.of();
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        twin.cluster.post("/live-os/_refresh", "{}");
        copied = destinationDocuments("live-os");
        if (copied.equals(expected)) {
          break;
        }
        Thread.sleep(1_000);
      }
      System.out.printf(
          "cross-cluster sync: %,d writes to the source, %,d documents there at the end%n",
          writes, expected.size());
      assertThat(writes).isGreaterThan(1_000);
      assertThat(copied).isEqualTo(expected);
    }
  }

  @Test
  void rollover_switchesAWritingApplicationToTheNewCluster_losingNoWrite_thenCommitReleasesTheOld()
      throws Exception {
    // GIVEN an application writing through alias 'cut' on the old cluster, publishing events, and
    // following the published switch when its writes are refused
    send(
        "PUT",
        "/cut-1",
        """
        {"settings": {"index": {"number_of_shards": 2, "number_of_replicas": 0}},
         "aliases": {"cut": {}}}
        """);
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < 1_000; i++) {
      bulk.append("{\"index\":{\"_id\":\"doc-").append(i).append("\"}}\n");
      bulk.append("{\"title\":\"t").append(i).append("\",\"n\":0}\n");
    }
    send("POST", "/cut-1/_bulk?refresh=true", bulk.toString());
    Path recipe =
        twin.writeRecipe(
            "cut.yaml",
            """
            name: cut
            source: {cluster: source}
            indexes:
              - source: cut
                destination: cut-os
                mappings:
                  properties:
                    tag: {type: keyword}
                    n: {type: long}
            sync: {mode: events}
            rollover: {verify: checksum}
            """);
    assertThat(twin.cli("init", "cut", "--file", recipe.toString()).exitCode()).isZero();
    try (var sqs = twin.sqs();
        var ssm = ssm()) {
      ChangePublisher publisher =
          ChangePublisher.builder(sqs, twin.state.queues().get("SyncQueue"))
              .cluster("source")
              .build();
      LiveWriter writer =
          new LiveWriter(sourceUrl, "cut", publisher, 23, 1_500, 200)
              .following(() -> switchedEndpoint(ssm, "cut"));
      // The application writes throughout: during the copy, the sync's catching up and the
      // cut-over.
      writer.start();
      Thread.sleep(1_000);
      long writesBeforeCopy = writer.operations.get();
      TwinFixture.Run run = twin.cli("run", "cut", "--wait");
      assertThat(run.exitCode()).as(run.all()).isZero();
      long writesDuringCopy = writer.operations.get() - writesBeforeCopy;
      System.out.printf("cross-cluster switch: %,d writes during the copy%n", writesDuringCopy);
      assertThat(writesDuringCopy).as("writes while the copy ran").isPositive();
      Thread.sleep(2_000);
      // As an operator would: roll over once status shows the sync keeping up (a cold consumer
      // can be a few hundred events behind, and the rollover rightly refuses a backlog).
      long caughtUp = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < caughtUp
          && JSON.readTree(twin.cli("status", "cut", "--json").out())
                  .at("/sync/queueDepth")
                  .asLong()
              > 100) {
        Thread.sleep(500);
      }

      // WHEN the rollover switches clusters while it writes
      TwinFixture.Run rollover = twin.cli("rollover", "cut");
      assertThat(rollover.exitCode()).as(rollover.all()).isZero();
      System.out.print("cross-cluster rollover: " + rollover.out());
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
      while (writer.switchedAtNanos.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(writer.switchedAtNanos.get()).as("the writer followed the switch").isPositive();
      Thread.sleep(3_000);
      Map<String, LiveWriter.Acked> ledger = writer.stop();

      // THEN the old cluster is frozen, the new one answers under the same names, and it holds
      // exactly the old cluster's documents plus every write acknowledged after the switch
      assertThat(sourceSetting("cut-1", "index.blocks.write")).isEqualTo("true");
      assertThat(twin.get("/cut-os/_mapping").at("/cut-os/mappings/properties/tag/type").asText())
          .as("the mapping change")
          .isEqualTo("keyword");
      assertThat(twin.get("/_alias/cut").has("cut-os")).isTrue();
      assertThat(twin.get("/_alias/cut-1").has("cut-os")).isTrue();
      JsonNode published = parameter(ssm, "cut");
      assertThat(published.path("state").asText()).isEqualTo("switched");
      assertThat(published.path("cluster").asText()).isEqualTo("default");
      assertThat(published.path("previousCluster").asText()).isEqualTo("source");
      assertThat(published.path("endpoint").asText()).isEqualTo(writer.cluster().toString());
      assertThat(published.path("aliases").path("cut").asText()).isEqualTo("cut-os");
      assertThat(eventsPublished()).contains(published.path("id").asText());

      Map<String, String> expected = sources(sourceDocuments("cut-1"));
      long afterSwitch = 0;
      for (var entry : ledger.entrySet()) {
        if (entry.getValue().index().equals("cut-os")) {
          afterSwitch++;
          if (entry.getValue().source() == null) {
            expected.remove(entry.getKey());
          } else {
            expected.put(entry.getKey(), JSON.readTree(entry.getValue().source()).toString());
          }
        }
      }
      twin.cluster.post("/cut-os/_refresh", "{}");
      assertThat(afterSwitch).as("writes acknowledged by the new cluster").isPositive();
      assertThat(sources(destinationDocuments("cut-os"))).isEqualTo(expected);
      System.out.printf(
          "cross-cluster switch: %,d writes, %,d ids last written on the new cluster, longest"
              + " refusal %,d ms%n",
          writer.operations.get(), afterSwitch, writer.longestRefusalMillis.get());

      // AND a rollback is refused, since it would lose those writes; commit releases the old one
      TwinFixture.Run rollback = twin.cli("rollback", "cut");
      assertThat(rollback.exitCode()).as(rollback.all()).isEqualTo(2);
      assertThat(rollback.err()).contains("has been written since the switch").contains("cut-os");
      assertThat(sourceSetting("cut-1", "index.blocks.write")).isEqualTo("true");
      assertThat(parameter(ssm, "cut").path("id").asText())
          .isEqualTo(published.path("id").asText());
      TwinFixture.Run status = twin.cli("status", "cut", "--json");
      JsonNode report = JSON.readTree(status.out());
      assertThat(report.path("state").asText()).isEqualTo("SWITCHED");
      assertThat(report.at("/rollover/endpointSwitch/cluster").asText()).isEqualTo("default");

      TwinFixture.Run commit = twin.cli("commit", "cut");
      assertThat(commit.exitCode()).as(commit.all()).isZero();
      assertThat(sourceSetting("cut-1", "index.blocks.write")).isNull();
      assertThat(parameter(ssm, "cut").path("state").asText()).isEqualTo("committed");
      assertThat(send("GET", "/cut-1/_count", null).path("count").asLong())
          .as("the old index is never deleted")
          .isPositive();
      assertThat(JSON.readTree(twin.cli("status", "cut", "--json").out()).path("state").asText())
          .isEqualTo("ROLLED_OVER");
    }
  }

  @Test
  void rollback_beforeAnyWriteToTheNewCluster_publishesTheOldOneAgain_andRolloverMayRunAgain()
      throws Exception {
    send(
        "PUT",
        "/back-1",
        """
        {"settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
         "aliases": {"back": {}}}
        """);
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      bulk.append("{\"index\":{\"_id\":\"b").append(i).append("\"}}\n");
      bulk.append("{\"n\":").append(i).append("}\n");
    }
    send("POST", "/back-1/_bulk?refresh=true", bulk.toString());
    Path recipe =
        twin.writeRecipe(
            "back.yaml",
            """
            name: back
            source: {cluster: source}
            indexes:
              - source: back
                destination: back-os
            sync: {mode: events}
            """);
    assertThat(twin.cli("init", "back", "--file", recipe.toString()).exitCode()).isZero();
    assertThat(twin.cli("run", "back", "--wait").exitCode()).isZero();
    try (var ssm = ssm()) {
      TwinFixture.Run rollover = twin.cli("rollover", "back");
      assertThat(rollover.exitCode()).as(rollover.all()).isZero();
      assertThat(parameter(ssm, "back").path("state").asText()).isEqualTo("switched");

      TwinFixture.Run rollback = twin.cli("rollback", "back");

      assertThat(rollback.exitCode()).as(rollback.all()).isZero();
      JsonNode back = parameter(ssm, "back");
      assertThat(back.path("state").asText()).isEqualTo("rolled-back");
      assertThat(back.path("cluster").asText()).isEqualTo("source");
      assertThat(eventsPublished()).contains(back.path("id").asText());
      assertThat(sourceSetting("back-1", "index.blocks.write")).isNull();
      assertThat(twin.get("/_alias/back").has("back-os")).isFalse();
      assertThat(JSON.readTree(twin.cli("status", "back", "--json").out()).path("state").asText())
          .isEqualTo("SYNCING");

      // The application writes to the old cluster again, publishing its event: the sync, no
      // longer fenced, applies it
      JsonNode written = send("PUT", "/back/_doc/after-rollback?refresh=true", "{\"n\":-1}");
      try (var sqs = twin.sqs()) {
        ChangePublisher.builder(sqs, twin.state.queues().get("SyncQueue"))
            .cluster("source")
            .build()
            .publishIndexResponse(written.toString());
      }
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
      while (twin.count("back-os") < 301 && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
      assertThat(twin.count("back-os")).as("the sync applies writes again").isEqualTo(301);
      TwinFixture.Run again = twin.cli("rollover", "back");
      assertThat(again.exitCode()).as(again.all()).isZero();
      twin.cluster.post("/back-os/_refresh", "{}");
      assertThat(twin.count("back-os")).isEqualTo(301);
      assertThat(parameter(ssm, "back").path("state").asText()).isEqualTo("switched");
      assertThat(twin.cli("commit", "back").exitCode()).isZero();
      assertThat(sourceSetting("back-1", "index.blocks.write")).isNull();
    }
  }

  private static software.amazon.awssdk.services.ssm.SsmClient ssm() {
    return software.amazon.awssdk.services.ssm.SsmClient.builder()
        .endpointOverride(URI.create(twin.state.endpoints().get("ssm")))
        .region(software.amazon.awssdk.regions.Region.of(twin.state.region()))
        .credentialsProvider(
            software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                    "local", "local")))
        .httpClientBuilder(
            software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
        .build();
  }

  /** The recipe's switch document, as an application reads it: the template's default prefix. */
  private static JsonNode parameter(
      software.amazon.awssdk.services.ssm.SsmClient ssm, String recipe) throws IOException {
    String name = "/index-migrator/" + twin.state.stackName() + "/" + recipe;
    return JSON.readTree(ssm.getParameter(r -> r.name(name)).parameter().value());
  }

  /** Where the published switch tells the application to write, or null before one. */
  private static URI switchedEndpoint(
      software.amazon.awssdk.services.ssm.SsmClient ssm, String recipe) {
    try {
      JsonNode document = parameter(ssm, recipe);
      return document.path("state").asText().equals("switched")
          ? URI.create(document.path("endpoint").asText())
          : null;
    } catch (software.amazon.awssdk.services.ssm.model.ParameterNotFoundException none) {
      return null;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** What the twin's EventBridge stand-in recorded, as text. */
  private static String eventsPublished() throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(twin.state.endpoints().get("events") + "/events"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String sourceSetting(String index, String setting)
      throws IOException, InterruptedException {
    JsonNode value =
        send("GET", "/" + index + "/_settings/" + setting + "?flat_settings=true", null)
            .path(index)
            .path("settings")
            .path(setting);
    return value.isMissingNode() ? null : value.asText();
  }

  /** Id → source as compact JSON, from the comparison's "routing version source" form. */
  private static Map<String, String> sources(Map<String, String> described) throws IOException {
    Map<String, String> sources = new TreeMap<>();
    for (var entry : described.entrySet()) {
      String text = entry.getValue();
      sources.put(entry.getKey(), JSON.readTree(text.substring(text.indexOf('{'))).toString());
    }
    return sources;
  }

  private Map<String, String> destinationDocuments(String index) throws Exception {
    Map<String, String> documents = new TreeMap<>();
    JsonNode page =
        twin.cluster.post(
            "/" + index + "/_search?scroll=1m",
            "{\"size\":1000,\"version\":true,\"sort\":[\"_doc\"]}");
    while (page.at("/hits/hits").size() > 0) {
      page.at("/hits/hits").forEach(h -> documents.put(h.path("_id").asText(), describe(h)));
      page =
          twin.cluster.post(
              "/_search/scroll",
              "{\"scroll\":\"1m\",\"scroll_id\":\"" + page.path("_scroll_id").asText() + "\"}");
    }
    return documents;
  }

  /** A document as the comparison sees it: routing, version and source. */
  private static String describe(JsonNode hit) {
    return hit.path("_routing").asText("-")
        + " v"
        + hit.path("_version").asLong()
        + " "
        + hit.path("_source").toString();
  }

  private static Map<String, String> sourceDocuments(String index)
      throws IOException, InterruptedException {
    Map<String, String> documents = new TreeMap<>();
    JsonNode page =
        send(
            "POST",
            "/" + index + "/_search?scroll=1m",
            "{\"size\":1000,\"version\":true,\"sort\":[\"_doc\"]}");
    while (page.at("/hits/hits").size() > 0) {
      page.at("/hits/hits").forEach(h -> documents.put(h.path("_id").asText(), describe(h)));
      page =
          send(
              "POST",
              "/_search/scroll",
              "{\"scroll\":\"1m\",\"scroll_id\":\"" + page.path("_scroll_id").asText() + "\"}");
    }
    send("DELETE", "/_search/scroll/_all", null);
    return documents;
  }

  @Test
  void init_ofAnUnknownCluster_namesTheClustersThisTwinHas() throws Exception {
    List<String> before = twin.indexNames();
    Path recipe =
        twin.writeRecipe(
            "typo.yaml", "name: typo\nsource: {cluster: sourse}\nindexes: [{source: legacy}]\n");

    TwinFixture.Run init = twin.cli("init", "typo", "--file", recipe.toString());

    assertThat(init.exitCode()).as(init.all()).isEqualTo(2);
    assertThat(init.err()).contains("no cluster named 'sourse'").contains("'default', 'source'");
    assertThat(twin.indexNames()).isEqualTo(before);
    try (var dynamo = twin.dynamo()) {
      assertThat(twin.store(dynamo).getRecipe("typo")).isEmpty();
    }
  }

  private static List<String> sourceIndexes() throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    send("GET", "/_cat/indices?format=json&h=index", null)
        .forEach(i -> names.add(i.path("index").asText()));
    names.sort(null);
    return names;
  }

  private static JsonNode send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(sourceUrl.resolve(path));
    request.header(
        "Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IOException(
          method + " " + path + ": " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
