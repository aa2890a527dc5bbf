package io.indexmigrator.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.OpenSearchCluster;
import io.indexmigrator.core.search.SearchCluster.DocumentRef;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.local.cluster.EngineVersion;
import io.indexmigrator.local.cluster.SharedClusters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One document the engine cannot read, on a real engine: an event without routing for an index
 * whose mapping requires it gets an {@code _mget} item error ({@code routing_missing_exception}).
 * That document alone must fail, with the engine's reason; the rest of the batch is applied.
 */
class SyncApplierPoisonDocumentIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static URI url;
  private static OpenSearchCluster cluster;

  private final String run = "poison-" + UUID.randomUUID().toString().substring(0, 8);
  private final String source = run + "-src";
  private final String destination = run + "-dst";

  @BeforeAll
  static void connect() {
    url = SharedClusters.get(EngineVersion.DEFAULT).httpUri();
    cluster = OpenSearchCluster.connect(ClusterEndpoint.of(url.toString()));
  }

  @AfterAll
  static void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void deleteIndexes() throws Exception {
    raw("DELETE", "/" + run + "*", null);
  }

  @Test
  void aDocumentTheEngineCannotRead_failsAlone_andTheBatchIsApplied() throws Exception {
    String routed =
        "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0},"
            + "\"mappings\":{\"_routing\":{\"required\":true}}}";
    raw("PUT", "/" + source, routed);
    raw("PUT", "/" + destination, routed);
    raw("PUT", "/" + source + "/_doc/a?routing=r1&refresh=true", "{\"v\":\"a\"}");
    raw("PUT", "/" + source + "/_doc/b?routing=r2&refresh=true", "{\"v\":\"b\"}");
    // The engine really reports this per document: the old multiGet fails the whole read.
    try {
      cluster.multiGet(source, List.of(new DocumentRef("a", "r1"), new DocumentRef("b", null)));
      throw new AssertionError("the engine accepted a read without the required routing");
    } catch (SearchClusterException expected) {
      assertThat(expected.getMessage()).contains("routing_missing_exception");
    }

    InMemoryStateStore store = new InMemoryStateStore();
    var recipe = store.createRecipe(run, "{}");
    store.putIndexIfAbsent(
        IndexRecord.planned(
            recipe.ref(), source, destination, List.of(), true, "indexes[0]", "{}", 1, 0));
    IndexRecord index = store.getIndex(recipe.ref(), source).orElseThrow();
    store.updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
    store.transition(run, EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
    SyncApplier applier =
        new SyncApplier(store, cluster, cluster, Clock.systemUTC(), Duration.ZERO);

    List<SyncOutcome> outcomes =
        applier.apply(
            List.of(
                new ChangeEvent(source, "a", ChangeEvent.Op.INDEX, null, null, "r1"),
                ChangeEvent.indexed(source, "b"),
                new ChangeEvent(source, "b", ChangeEvent.Op.INDEX, null, null, "r2")));

    assertThat(outcomes)
        .extracting(SyncOutcome::kind)
        .containsExactly(
            SyncOutcome.Kind.APPLIED, SyncOutcome.Kind.FAILED, SyncOutcome.Kind.APPLIED);
    assertThat(outcomes.get(1).reason())
        .contains("'b'", "'" + source + "'", "routing_missing_exception");
    raw("POST", "/" + destination + "/_refresh", null);
    assertThat(raw("GET", "/" + destination + "/_doc/a?routing=r1", null).path("_source"))
        .hasToString("{\"v\":\"a\"}");
    assertThat(raw("GET", "/" + destination + "/_doc/b?routing=r2", null).path("_source"))
        .hasToString("{\"v\":\"b\"}");
  }

  private static JsonNode raw(String method, String path, String body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(url.resolve(path))
                .header("Content-Type", "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
