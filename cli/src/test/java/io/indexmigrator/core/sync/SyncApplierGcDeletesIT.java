package io.indexmigrator.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.OpenSearchCluster;
import io.indexmigrator.core.state.AliasSpec;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sync applier against a real engine whose indexes forget deletions at once ({@code
 * index.gc_deletes: 0s}), the worst case of the default 60 s: versions restart after a delete on
 * the source, and the destination no longer remembers a delete when a late event arrives.
 *
 * <p>Each test first shows the engine really forgot (a version restarts at 1, or a stale external
 * version is accepted again), so that it proves something about the applier and not about a setting
 * that did not take.
 */
class SyncApplierGcDeletesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static URI url;
  private static OpenSearchCluster cluster;

  private final String run = "gc-" + UUID.randomUUID().toString().substring(0, 8);
  private final String source = run + "-src";
  private final String destination = run + "-dst";
  private SyncApplier applier;

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

  @BeforeEach
  void indexesThatForgetDeletionsAndACopiedRecipe() throws Exception {
    for (String index : List.of(source, destination)) {
      raw(
          "PUT",
          "/" + index,
          "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,"
              + "\"index.gc_deletes\":\"0s\"}}");
    }
    InMemoryStateStore store = new InMemoryStateStore();
    var recipe = store.createRecipe(run, "{}");
    store.putIndexIfAbsent(
        IndexRecord.planned(
            recipe.ref(),
            source,
            destination,
            List.of(AliasSpec.named(run)),
            true,
            "indexes[0]",
            "{}",
            1,
            0));
    IndexRecord index = store.getIndex(recipe.ref(), source).orElseThrow();
    store.updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
    store.transition(run, EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
    applier = new SyncApplier(store, cluster, cluster, Clock.systemUTC(), Duration.ZERO);
  }

  @AfterEach
  void deleteIndexes() throws Exception {
    raw("DELETE", "/" + run + "*", null);
  }

  @Test
  void aDocumentRecreatedAtVersionOne_replacesTheEarlierIncarnationOnTheDestination()
      throws Exception {
    // Only the source forgets here: the destination keeps its tombstones as long as by default.
    raw("PUT", "/" + destination + "/_settings", "{\"index.gc_deletes\":\"60s\"}");
    for (int v = 1; v <= 5; v++) {
      put(source, "a", "{\"incarnation\":1,\"v\":" + v + "}");
    }
    applyAll(ChangeEvent.indexed(source, "a"));
    assertThat(version(destination, "a")).isEqualTo(5);

    raw("DELETE", "/" + source + "/_doc/a", null);
    applyAll(ChangeEvent.deleted(source, "a"));
    forgetDeletions(source);
    put(source, "a", "{\"incarnation\":2,\"v\":1}");
    // The engine forgot the deletion: the new incarnation starts again at version 1, below the
    // destination's tombstone (or, without the delete event, its live version 5).
    assertThat(version(source, "a")).isEqualTo(1);

    List<SyncOutcome> outcomes = applier.apply(List.of(ChangeEvent.indexed(source, "a")));

    assertThat(outcomes).extracting(SyncOutcome::kind).containsExactly(SyncOutcome.Kind.APPLIED);
    assertThat(document(destination, "a")).isEqualTo(document(source, "a"));
    assertThat(document(destination, "a").path("incarnation").asInt()).isEqualTo(2);

    // The same, when the delete's event never made it before the re-creation: the destination
    // still holds the earlier incarnation live, at a higher version.
    for (int v = 1; v <= 4; v++) {
      put(source, "b", "{\"incarnation\":1,\"v\":" + v + "}");
    }
    applyAll(ChangeEvent.indexed(source, "b"));
    raw("DELETE", "/" + source + "/_doc/b", null);
    forgetDeletions(source);
    put(source, "b", "{\"incarnation\":2,\"v\":1}");
    assertThat(version(source, "b")).isEqualTo(1);

    applyAll(ChangeEvent.deleted(source, "b"), ChangeEvent.indexed(source, "b"));

    assertThat(document(destination, "b")).isEqualTo(document(source, "b"));
  }

  @Test
  void lateDuplicateAndReorderedEvents_neverResurrectADeletion_theDestinationForgot()
      throws Exception {
    List<ChangeEvent> history = new ArrayList<>();
    for (int v = 1; v <= 3; v++) {
      put(source, "a", "{\"v\":" + v + "}");
      history.add(ChangeEvent.indexed(source, "a"));
      applyAll(ChangeEvent.indexed(source, "a"));
    }
    raw("DELETE", "/" + source + "/_doc/a", null);
    history.add(ChangeEvent.deleted(source, "a"));
    applyAll(ChangeEvent.deleted(source, "a"));
    assertThat(found(destination, "a")).isFalse();
    forgetDeletions(destination);

    // The hazard is real on this engine: with the deletion forgotten, a write carrying the old
    // external version is accepted again. An applier that wrote an event's (stale) content with
    // its version would resurrect the document here.
    put(destination, "control?version=3&version_type=external_gte", "{\"v\":3}");
    raw("DELETE", "/" + destination + "/_doc/control", null);
    forgetDeletions(destination);
    assertThat(
            status(
                "PUT",
                "/" + destination + "/_doc/control?version=3&version_type=external_gte",
                "{\"v\":3}"))
        .as("the engine accepts a stale external version once the tombstone is gone")
        .isEqualTo(201);
    raw("DELETE", "/" + destination + "/_doc/control", null);

    Random random = new Random(7);
    for (int round = 0; round < 5; round++) {
      List<ChangeEvent> replay = new ArrayList<>(history);
      replay.addAll(history);
      Collections.shuffle(replay, random);
      List<SyncOutcome> outcomes = applier.apply(replay);
      assertThat(outcomes).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.APPLIED);
      // One event per batch too: each re-reads the source on its own.
      for (ChangeEvent event : replay.subList(0, 4)) {
        applyAll(event);
      }
      forgetDeletions(destination);
    }

    assertThat(found(destination, "a")).isFalse();
    assertThat(found(source, "a")).isFalse();
  }

  private void applyAll(ChangeEvent... events) {
    assertThat(applier.apply(List.of(events)))
        .extracting(SyncOutcome::kind)
        .containsOnly(SyncOutcome.Kind.APPLIED);
  }

  /**
   * Makes the engine drop its delete tombstones: they are pruned on refresh once older than
   * gc_deletes, at most every quarter of it, measured on a clock the thread pool updates every 200
   * ms.
   */
  private static void forgetDeletions(String index) throws Exception {
    raw("POST", "/" + index + "/_refresh", null);
    Thread.sleep(400);
    raw("POST", "/" + index + "/_refresh", null);
  }

  private static void put(String index, String idAndQuery, String body) throws Exception {
    String path = "/" + index + "/_doc/" + idAndQuery;
    raw("PUT", path + (path.contains("?") ? "&" : "?") + "refresh=true", body);
  }

  private static long version(String index, String id) throws Exception {
    return raw("GET", "/" + index + "/_doc/" + id, null).path("_version").asLong();
  }

  private static boolean found(String index, String id) throws Exception {
    return status("GET", "/" + index + "/_doc/" + id, null) == 200;
  }

  private static JsonNode document(String index, String id) throws Exception {
    return raw("GET", "/" + index + "/_doc/" + id, null).path("_source");
  }

  private static int status(String method, String path, String body) throws Exception {
    return send(method, path, body).statusCode();
  }

  private static JsonNode raw(String method, String path, String body) throws Exception {
    HttpResponse<String> response = send(method, path, body);
    if (response.statusCode() >= 300 && !(method.equals("GET") && response.statusCode() == 404)) {
      throw new IllegalStateException(method + " " + path + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> send(String method, String path, String body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(url.resolve(path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
