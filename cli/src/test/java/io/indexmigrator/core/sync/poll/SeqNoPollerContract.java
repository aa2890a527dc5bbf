package io.indexmigrator.core.sync.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.OpenSearchCluster;
import io.indexmigrator.core.search.SearchCluster.SeqNoHit;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.events.ChangeEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SeqNoPoller} against a real cluster, while several threads write. Subclasses name the
 * engine; every test works on indexes named after a random run id and deletes them afterwards.
 * Figures (documents polled per second, poll latency) are printed with the prefix {@code
 * POLL-FIGURES}.
 */
abstract class SeqNoPollerContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String RECIPE = "poll-it";
  private static final int GEN = 1;

  private static String url;
  private static OpenSearchCluster cluster;

  private final String run = "poll-" + UUID.randomUUID().toString().substring(0, 8);
  private final InMemoryPollCheckpoints checkpoints = new InMemoryPollCheckpoints();

  /** Called by each subclass's {@code @BeforeAll}. */
  static void connect(URI httpUri) {
    url = httpUri.toString().replaceAll("/$", "");
    cluster = OpenSearchCluster.connect(ClusterEndpoint.of(url));
  }

  abstract String engine();

  @AfterAll
  static void close() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  @AfterEach
  void deleteTestIndexes() throws Exception {
    raw("DELETE", "/" + run + "*", null);
  }

  @Test
  void shardCheckpoints_andSearchBySeqNo_haveTheSameShapeOnThisEngine() throws Exception {
    String index = createIndex(run + "-shape", "1s");
    assertThat(cluster.shardCheckpoints(index)).isEqualTo(Map.of(0, -1L, 1, -1L, 2, -1L));
    // Without any mapping yet, sorting on _seq_no must still work.
    assertThat(cluster.searchBySeqNo(index, 0, -1, 10, 10)).isEmpty();

    bulk(index, List.of("a", "b", "c", "d", "e", "f"), 1, "true");
    Map<Integer, Long> checkpoints = cluster.shardCheckpoints(index);
    List<SeqNoHit> all = new ArrayList<>();
    for (int shard = 0; shard < 3; shard++) {
      List<SeqNoHit> hits = cluster.searchBySeqNo(index, shard, -1, checkpoints.get(shard), 100);
      assertThat(hits).extracting(SeqNoHit::seqNo).isSorted();
      assertThat(hits.size()).isEqualTo(checkpoints.get(shard) + 1);
      assertThat(hits).allSatisfy(h -> assertThat(h.primaryTerm()).isPositive());
      all.addAll(hits);
    }
    // _shards:N reads shard N only: the three shards together hold each document once.
    assertThat(all)
        .extracting(SeqNoHit::id)
        .containsExactlyInAnyOrder("a", "b", "c", "d", "e", "f");

    raw("PUT", "/" + index + "/_doc/routed?routing=tenant-7&refresh=true", "{\"n\": 1}");
    long maxSeqNo = Collections.max(cluster.shardCheckpoints(index).values());
    List<SeqNoHit> routed = new ArrayList<>();
    for (int shard = 0; shard < 3; shard++) {
      routed.addAll(cluster.searchBySeqNo(index, shard, -1, maxSeqNo, 100));
    }
    assertThat(routed)
        .filteredOn(h -> h.id().equals("routed"))
        .extracting(SeqNoHit::routing)
        .containsExactly("tenant-7");
  }

  @Test
  void searchBySeqNo_refusesAnAliasOverSeveralIndexes() throws Exception {
    String a = createIndex(run + "-a", "1s");
    String b = createIndex(run + "-b", "1s");
    raw(
        "POST",
        "/_aliases",
        "{\"actions\": [{\"add\": {\"index\": \""
            + a
            + "\", \"alias\": \""
            + run
            + "-both\"}},"
            + " {\"add\": {\"index\": \""
            + b
            + "\", \"alias\": \""
            + run
            + "-both\"}}]}");

    assertThatThrownBy(() -> cluster.searchBySeqNo(run + "-both", 0, -1, 10, 10))
        .isInstanceOf(SearchClusterException.class)
        .hasMessageContaining("expected exactly one shard");
    assertThatThrownBy(() -> cluster.shardCheckpoints(run + "-both"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * 4 threads write 2,000 new documents (bulk and single requests) and about 210 updates while a
   * poller runs; refresh_interval is -1, so only the poller's own refresh makes them searchable.
   * Every document written after the checkpoint must be emitted at its latest seq_no, none written
   * before it, and each shard's events in seq_no order.
   */
  @Test
  void concurrentWritesAfterTheCheckpoint_areAllEmitted_withoutAutomaticRefresh() throws Exception {
    String index = createIndex(run + "-concurrent", "-1");
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      before.add("before-" + i);
    }
    bulk(index, before, 0, "false");

    SeqNoPoller poller = new SeqNoPoller(cluster, checkpoints, 200);
    Map<Integer, Long> initial = poller.begin(RECIPE, GEN, index);
    assertThat(initial).hasSize(3);

    List<ChangeEvent> emitted = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService writers = Executors.newFixedThreadPool(4);
    List<Future<?>> writes = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      writes.add(writers.submit(() -> writeMix(index, thread)));
    }
    List<Duration> latencies = new ArrayList<>();
    long polledNanos = 0;
    Thread.sleep(200);
    while (writing.get()) {
      PollResult result =
          poller.poll(RECIPE, GEN, index, 300, Duration.ofSeconds(5), emitted::addAll);
      latencies.add(result.elapsed());
      polledNanos += result.elapsed().toNanos();
      if (writes.stream().allMatch(Future::isDone)) {
        writing.set(false);
      } else if (!result.moreRemaining()) {
        Thread.sleep(100);
      }
    }
    for (Future<?> write : writes) {
      write.get(); // surfaces a writer's failure
    }
    writers.shutdown();
    writers.awaitTermination(10, TimeUnit.SECONDS);

    Map<String, Truth> truth = groundTruth(index);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!covers(latestSeqNos(emitted), truth)) {
      assertThat(System.nanoTime()).as("caught up within 30 s").isLessThan(deadline);
      PollResult result =
          poller.poll(RECIPE, GEN, index, 300, Duration.ofSeconds(5), emitted::addAll);
      latencies.add(result.elapsed());
      polledNanos += result.elapsed().toNanos();
      if (!result.moreRemaining()) {
        Thread.sleep(100);
      }
    }

    Map<String, Long> latest = latestSeqNos(emitted);
    List<String> writtenAfter =
        truth.keySet().stream().filter(id -> !id.startsWith("before-")).toList();
    assertThat(writtenAfter).hasSize(2_000);
    for (String id : writtenAfter) {
      assertThat(latest.get(id))
          .as("latest seq_no emitted for " + id)
          .isEqualTo(truth.get(id).seqNo);
    }
    assertThat(latest.keySet()).noneMatch(id -> id.startsWith("before-"));
    Map<Integer, Long> lastByShard = new HashMap<>(initial);
    for (ChangeEvent event : emitted) {
      int shard = truth.get(event.id()).shard;
      assertThat(event.seqNo())
          .as("shard %d emits in seq_no order, above its initial checkpoint", shard)
          .isGreaterThan(lastByShard.get(shard));
      lastByShard.put(shard, event.seqNo());
    }
    printFigures("concurrent (refresh_interval -1)", emitted.size(), polledNanos, latencies);
  }

  /** Appends continue for several poll rounds; the poller keeps up and then catches up fully. */
  @Test
  void appendOnlyWorkload_isKeptUpWithOverSeveralRounds() throws Exception {
    String index = createIndex(run + "-append", "1s");
    SeqNoPoller poller = new SeqNoPoller(cluster, checkpoints, 500);
    poller.begin(RECIPE, GEN, index);

    AtomicLong written = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    Thread appender =
        Thread.ofPlatform()
            .start(
                () -> {
                  int batch = 0;
                  while (!stop.get()) {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                      ids.add("log-" + batch + "-" + i);
                    }
                    try {
                      bulk(index, ids, batch, "false");
                      Thread.sleep(20);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                    written.addAndGet(ids.size());
                    batch++;
                  }
                });

    List<ChangeEvent> emitted = new ArrayList<>();
    List<Duration> latencies = new ArrayList<>();
    long polledNanos = 0;
    int rounds = 0;
    int roundsWithDocuments = 0;
    long startedAt = System.nanoTime();
    while (System.nanoTime() - startedAt < TimeUnit.SECONDS.toNanos(8)) {
      PollResult result =
          poller.poll(RECIPE, GEN, index, 5_000, Duration.ofSeconds(5), emitted::addAll);
      rounds++;
      roundsWithDocuments += result.documentsEmitted() > 0 ? 1 : 0;
      latencies.add(result.elapsed());
      polledNanos += result.elapsed().toNanos();
      Thread.sleep(500);
    }
    stop.set(true);
    appender.join(10_000);
    long lagAtStop = written.get() - emitted.size();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (emitted.size() < written.get()) {
      assertThat(System.nanoTime()).as("caught up within 20 s").isLessThan(deadline);
      PollResult result =
          poller.poll(RECIPE, GEN, index, 5_000, Duration.ofSeconds(5), emitted::addAll);
      latencies.add(result.elapsed());
      polledNanos += result.elapsed().toNanos();
      if (!result.moreRemaining()) {
        Thread.sleep(100);
      }
    }

    assertThat(rounds).isGreaterThanOrEqualTo(5);
    assertThat(roundsWithDocuments).isGreaterThanOrEqualTo(rounds - 1);
    assertThat(emitted).extracting(ChangeEvent::id).doesNotHaveDuplicates();
    assertThat((long) emitted.size()).isEqualTo(written.get()).isEqualTo(cluster.count(index));
    System.out.printf(
        Locale.ROOT,
        "POLL-FIGURES %s append-only: %d docs written in 8 s, lag at stop %d docs, %d rounds%n",
        engine(),
        written.get(),
        lagAtStop,
        rounds);
    printFigures("append-only", emitted.size(), polledNanos, latencies);
  }

  /** A backlog written before polling, read with no document limit: the poller's throughput. */
  @Test
  void aBacklog_isReadInFullPagesAtTheEnginesPace() throws Exception {
    String index = createIndex(run + "-backlog", "-1");
    SeqNoPoller poller = new SeqNoPoller(cluster, checkpoints, 1_000);
    poller.begin(RECIPE, GEN, index);
    int documents = 20_000;
    for (int batch = 0; batch < documents / 1_000; batch++) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        ids.add("b" + batch + "-" + i);
      }
      bulk(index, ids, batch, "false");
    }

    List<ChangeEvent> emitted = new ArrayList<>();
    PollResult result =
        poller.poll(RECIPE, GEN, index, Integer.MAX_VALUE, Duration.ofMinutes(2), emitted::addAll);

    assertThat(result.moreRemaining()).isFalse();
    assertThat(emitted).extracting(ChangeEvent::id).doesNotHaveDuplicates().hasSize(documents);
    assertThat(result.shards()).allSatisfy(s -> assertThat(s.caughtUp()).isTrue());
    printFigures(
        "backlog of 20,000 (pages of 1,000)",
        emitted.size(),
        result.elapsed().toNanos(),
        List.of(result.elapsed()));
  }

  // --- helpers -------------------------------------------------------------------------------

  private record Truth(int shard, long seqNo) {}

  /** Every live document with its shard and latest seq_no, read shard by shard after a refresh. */
  private static Map<String, Truth> groundTruth(String index) {
    cluster.refresh(index);
    Map<String, Truth> truth = new HashMap<>();
    Map<Integer, Long> global = cluster.shardCheckpoints(index);
    for (int shard : global.keySet()) {
      for (SeqNoHit hit : cluster.searchBySeqNo(index, shard, -1, Long.MAX_VALUE, 10_000)) {
        assertThat(truth.put(hit.id(), new Truth(shard, hit.seqNo()))).isNull();
      }
    }
    assertThat((long) truth.size()).isEqualTo(cluster.count(index));
    return truth;
  }

  private static Map<String, Long> latestSeqNos(List<ChangeEvent> emitted) {
    Map<String, Long> latest = new HashMap<>();
    synchronized (emitted) {
      emitted.forEach(e -> latest.merge(e.id(), e.seqNo(), Math::max));
    }
    return latest;
  }

  private static boolean covers(Map<String, Long> latest, Map<String, Truth> truth) {
    return truth.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("before-"))
        .allMatch(e -> Long.valueOf(e.getValue().seqNo).equals(latest.get(e.getKey())));
  }

  /**
   * One writer's share: 500 new documents, 300 in bulk requests of 20 and 200 singly, and about 50
   * updates of its earlier documents (some in bulk, some singly), interleaved.
   */
  private static void writeMix(String index, int thread) {
    try {
      int next = 0;
      for (int round = 0; round < 15; round++) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          ids.add("w" + thread + "-" + next++);
        }
        bulk(index, ids, round, "false");
        for (int i = 0; i < 13 && next < 500; i++) {
          put(index, "w" + thread + "-" + next++, round);
        }
        if (round % 2 == 0) {
          List<String> updates = new ArrayList<>();
          for (int i = 0; i < 4; i++) {
            updates.add("w" + thread + "-" + (round * 20 + i * 3));
          }
          bulk(index, updates, 1_000 + round, "false");
        } else {
          for (int i = 0; i < 3; i++) {
            put(index, "w" + thread + "-" + (round * 20 + i * 5 + 1), 1_000 + round);
          }
        }
      }
      while (next < 500) {
        put(index, "w" + thread + "-" + next++, 99);
      }
    } catch (Exception e) {
      throw new IllegalStateException("writer " + thread + " failed", e);
    }
  }

  private String createIndex(String index, String refreshInterval) throws Exception {
    HttpResponse<String> response =
        raw(
            "PUT",
            "/" + index,
            "{\"settings\": {\"number_of_shards\": 3, \"number_of_replicas\": 0,"
                + " \"refresh_interval\": \""
                + refreshInterval
                + "\"}}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    raw("GET", "/_cluster/health/" + index + "?wait_for_status=green&timeout=30s", null);
    return index;
  }

  private static void bulk(String index, List<String> ids, int value, String refresh)
      throws Exception {
    StringBuilder body = new StringBuilder();
    for (String id : ids) {
      body.append("{\"index\": {\"_id\": \"").append(id).append("\"}}\n");
      body.append("{\"n\": ").append(value).append(", \"msg\": \"m\"}\n");
    }
    HttpResponse<String> response =
        raw("POST", "/" + index + "/_bulk?refresh=" + refresh, body.toString());
    JsonNode reply = JSON.readTree(response.body());
    if (response.statusCode() != 200 || reply.path("errors").asBoolean()) {
      throw new IllegalStateException("bulk failed: " + response.body());
    }
  }

  private static void put(String index, String id, int value) throws Exception {
    HttpResponse<String> response =
        raw("PUT", "/" + index + "/_doc/" + id, "{\"n\": " + value + ", \"msg\": \"m\"}");
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException("index " + id + " failed: " + response.body());
    }
  }

  private void printFigures(
      String workload, int documents, long polledNanos, List<Duration> latencies) {
    List<Long> millis = latencies.stream().map(Duration::toMillis).sorted().toList();
    System.out.printf(
        Locale.ROOT,
        "POLL-FIGURES %s %s: %d events in %d polls, %.0f docs/s while polling,"
            + " poll latency p50 %d ms, p90 %d ms, max %d ms%n",
        engine(),
        workload,
        documents,
        millis.size(),
        documents / Math.max(polledNanos / 1e9, 1e-9),
        millis.get(millis.size() / 2),
        millis.get(millis.size() * 9 / 10),
        millis.getLast());
  }

  private static HttpResponse<String> raw(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + path))
            .header(
                "Content-Type",
                path.contains("_bulk") ? "application/x-ndjson" : "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
