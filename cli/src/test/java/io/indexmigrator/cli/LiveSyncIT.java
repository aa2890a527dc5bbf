package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.OpenSearchCluster;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangeEventCodec;
import io.indexmigrator.events.ChangePublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The application keeps writing (inserts, updates, deletes, delete-then-recreate) through init,
 * run, sync and rollover; afterwards the destination holds exactly what the application was last
 * acknowledged, document by document, and no read through the alias failed.
 */
class LiveSyncIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static TwinFixture twin;

  @BeforeAll
  static void start() throws Exception {
    twin = TwinFixture.get();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 29})
  void liveWrites_throughoutTheMigration_leaveZeroDifferences(long seed) throws Exception {
    String name = TwinFixture.fresh("live-" + seed);
    String sourceIndex = name + "-v1";
    twin.cluster.create(sourceIndex, name);
    twin.cluster.load(sourceIndex, 3000, seed);
    try (var sqs = twin.sqs()) {
      ChangePublisher publisher = ChangePublisher.create(sqs, twin.state.queues().get("SyncQueue"));
      LiveWriter writer = new LiveWriter(twin.clusterUrl, name, publisher, seed, 4000, 210);
      long writerStarted = System.nanoTime();
      writer.start();

      Path recipe =
          twin.writeRecipe(
              name + ".yaml",
              """
              name: %s
              indexes:
                - source: %s
                  destination: %s-v2
                  mappings:
                    properties:
                      tag: {type: keyword}
              copy:
                slices: 2
                batchSize: 500
                requestsPerSecond: 1500
              sync:
                mode: events
              """
                  .formatted(name, name, name));
      TwinFixture.Run init = twin.cli("init", name, "--file", recipe.toString());
      assertThat(init.exitCode()).as(init.all()).isZero();
      TwinFixture.Run run = twin.cli("run", name, "--wait");
      assertThat(run.exitCode()).as(run.all()).isZero();
      assertThat(status(name).path("state").asText()).isEqualTo("SYNCING");

      // Duplicate, reordered and late events: replay what was published so far, shuffled.
      List<String> replay;
      synchronized (writer.publishedEvents) {
        replay =
            new ArrayList<>(
                writer.publishedEvents.subList(0, Math.min(300, writer.publishedEvents.size())));
      }
      Collections.shuffle(replay, new Random(seed));
      ChangeEventCodec codec = new ChangeEventCodec();
      List<ChangeEvent> stale = new ArrayList<>();
      replay.forEach(e -> stale.add(codec.parse(e)));
      publisher.publishAll(stale);

      awaitApplied(name, 200);
      awaitCaughtUp(name);
      LifecycleIT.ContinuousReader reader = new LifecycleIT.ContinuousReader(twin.cluster, name);
      reader.start();
      Thread.sleep(1000);
      TwinFixture.Run rollover = twin.cli("rollover", name, "--json");
      Thread.sleep(500);
      reader.stop();
      Map<String, LiveWriter.Acked> ledger = writer.stop();
      double writeRate = writer.operations.get() / ((System.nanoTime() - writerStarted) / 1e9);

      assertThat(rollover.exitCode()).as(rollover.all()).isZero();
      JsonNode report = JSON.readTree(rollover.out());
      System.out.printf(
          "seed %d: %,d writes at %.0f ops/s, %d replayed events, rollover blocked writes %d ms"
              + " %s (drained %d events; the writer saw refusals for %d ms), %d reads, %d failed%n",
          seed,
          writer.operations.get(),
          writeRate,
          stale.size(),
          report.path("writeBlockedMillis").asLong(),
          report.path("blockedWindow"),
          report.path("drainedBacklog").asLong(),
          writer.longestRefusalMillis.get(),
          reader.reads.get(),
          reader.failures.get());
      assertThat(writeRate).isGreaterThanOrEqualTo(200);
      assertThat(reader.failures.get()).as("failed reads: " + reader.firstFailure.get()).isZero();

      String destination = name + "-v2";
      assertThat(twin.get("/_alias/" + name).has(destination)).isTrue();
      assertThat(compare(sourceIndex, destination, ledger)).isEqualTo(List.of());
    }
  }

  @Test
  void badEvents_goToTheDeadLetterQueueWithAReason_andNothingIsApplied() throws Exception {
    enableSyncConsumer();
    String queue = twin.state.queues().get("SyncQueue");
    String dlq = twin.state.queues().get("SyncDeadLetterQueue");
    List<String> bodies =
        List.of(
            "{not json",
            "{\"index\":\"no-such-index-anywhere\",\"id\":\"1\",\"op\":\"index\"}",
            "{\"index\":\"live-11\",\"op\":\"index\"}",
            "{\"index\":\"live-11\",\"id\":\"1\",\"op\":\"upsert\"}");
    try (var sqs = twin.sqs()) {
      int n = 0;
      for (String body : bodies) {
        int i = n++;
        sqs.sendMessage(
            r ->
                r.queueUrl(queue)
                    .messageBody(body)
                    .messageGroupId("bad-" + i)
                    .messageDeduplicationId("bad-" + i + "-" + System.nanoTime()));
      }
      Map<String, String> reasons = new HashMap<>();
      // An unknown index is dead-lettered after the grace period (60 s) for applications that
      // start publishing just before init.
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      while (reasons.size() < bodies.size() && System.nanoTime() < deadline) {
        for (var m :
            sqs.receiveMessage(
                    r ->
                        r.queueUrl(dlq)
                            .maxNumberOfMessages(10)
                            .waitTimeSeconds(1)
                            .messageAttributeNames("All"))
                .messages()) {
          MessageAttributeValue reason = m.messageAttributes().get("reason");
          if (bodies.contains(m.body()) && reason != null) {
            reasons.put(m.body(), reason.stringValue());
          }
          sqs.deleteMessage(r -> r.queueUrl(dlq).receiptHandle(m.receiptHandle()));
        }
      }
      System.out.println("dead letters: " + reasons);
      assertThat(reasons).hasSize(4);
      assertThat(reasons.get(bodies.get(0))).contains("invalid change event");
      assertThat(reasons.get(bodies.get(1)))
          .contains("no active migration covers index 'no-such-index-anywhere'");
      assertThat(reasons.get(bodies.get(2))).contains("id");
      assertThat(reasons.get(bodies.get(3))).contains("upsert");
    }
  }

  private static void enableSyncConsumer() {
    try (var lambda =
        io.indexmigrator.local.aws.AwsClients.lambda(
            twin.state.endpoint("lambda"), twin.state.region())) {
      String function = twin.state.functions().get("SyncFunction");
      lambda
          .listEventSourceMappings(r -> r.functionName(function))
          .eventSourceMappings()
          .forEach(m -> lambda.updateEventSourceMapping(r -> r.uuid(m.uuid()).enabled(true)));
    }
  }

  /**
   * Every document of both indexes and of the writer's ledger: the destination must hold what the
   * application was last acknowledged; for documents last written before the swap (to the source),
   * that is the source's content. Returns the differences.
   */
  static List<String> compare(
      String source, String destination, Map<String, LiveWriter.Acked> ledger) throws Exception {
    Map<String, JsonNode> sourceDocs = scan(source);
    Map<String, JsonNode> destinationDocs = scan(destination);
    Set<String> ids = new HashSet<>(sourceDocs.keySet());
    ids.addAll(destinationDocs.keySet());
    ids.addAll(ledger.keySet());
    List<String> differences = new ArrayList<>();
    for (String id : ids) {
      LiveWriter.Acked acked = ledger.get(id);
      JsonNode expected;
      if (acked != null && acked.index().equals(destination)) {
        expected = acked.source() == null ? null : JSON.readTree(acked.source());
      } else {
        expected = sourceDocs.get(id);
        if (acked != null) {
          JsonNode ledgerState = acked.source() == null ? null : JSON.readTree(acked.source());
          if (!java.util.Objects.equals(ledgerState, expected)) {
            differences.add(id + ": the source lost an acknowledged write");
          }
        }
      }
      JsonNode actual = destinationDocs.get(id);
      if (!java.util.Objects.equals(expected, actual)) {
        differences.add(id + ": expected " + expected + ", destination has " + actual);
      }
    }
    System.out.printf(
        "compared %,d ids: source %,d docs, destination %,d docs, %d differences%n",
        ids.size(), sourceDocs.size(), destinationDocs.size(), differences.size());
    return differences.stream().limit(20).toList();
  }

  /**
   * For an append-only writer: every appended document is in the destination, equal to the source's
   * copy when it was written to the source; and the destination has nothing else than the source
   * plus what was appended to it after the swap.
   */
  static List<String> compareAppendOnly(
      String source, String destination, Map<String, String> writtenTo) throws Exception {
    Map<String, JsonNode> sourceDocs = scan(source);
    Map<String, JsonNode> destinationDocs = scan(destination);
    List<String> differences = new ArrayList<>();
    for (var entry : sourceDocs.entrySet()) {
      if (!entry.getValue().equals(destinationDocs.get(entry.getKey()))) {
        differences.add(
            entry.getKey()
                + ": source "
                + entry.getValue()
                + ", destination "
                + destinationDocs.get(entry.getKey()));
      }
    }
    for (var entry : writtenTo.entrySet()) {
      if (!destinationDocs.containsKey(entry.getKey())) {
        differences.add(
            entry.getKey()
                + ": acknowledged by "
                + entry.getValue()
                + " but missing in the destination");
      }
    }
    for (String id : destinationDocs.keySet()) {
      if (!sourceDocs.containsKey(id) && !destination.equals(writtenTo.get(id))) {
        differences.add(id + ": in the destination only");
      }
    }
    System.out.printf(
        "compared append-only: source %,d, destination %,d, appended %,d, %d differences%n",
        sourceDocs.size(), destinationDocs.size(), writtenTo.size(), differences.size());
    return differences.stream().limit(20).toList();
  }

  private static Map<String, JsonNode> scan(String index) throws Exception {
    Map<String, JsonNode> docs = new HashMap<>();
    try (OpenSearchCluster cluster =
        // The shared twin, not this class's field: PollSyncIT compares through here too.
        OpenSearchCluster.connect(ClusterEndpoint.of(TwinFixture.get().clusterUrl.toString()))) {
      cluster.refresh(index);
      List<Exception> problems = new ArrayList<>();
      cluster.scan(
          index,
          0,
          1,
          1000,
          doc -> {
            try {
              docs.put(doc.id(), JSON.readTree(doc.sourceJson()));
            } catch (Exception e) {
              problems.add(e);
            }
          });
      assertThat(problems).isEmpty();
    }
    return docs;
  }

  private static JsonNode status(String recipe) throws Exception {
    return JSON.readTree(twin.cli("status", recipe, "--json").out());
  }

  /** As an operator would: roll over once status shows the sync queue nearly empty. */
  private static void awaitCaughtUp(String recipe) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    long lastPrint = 0;
    JsonNode sync;
    int calm = 0;
    while (calm < 3) {
      sync = status(recipe).path("sync");
      calm =
          sync.path("queueDepth").isNumber() && sync.path("queueDepth").asLong() <= 50
              ? calm + 1
              : 0;
      if (System.nanoTime() - lastPrint > 5_000_000_000L) {
        System.out.printf(
            "%s: queue %d, applied %d at %.0f/s, lag %d ms%n",
            recipe,
            sync.path("queueDepth").asLong(),
            sync.path("applied").asLong(),
            sync.path("appliedPerSecond").asDouble(),
            sync.path("lagMillis").asLong());
        lastPrint = System.nanoTime();
      }
      assertThat(System.nanoTime()).as("sync catching up on " + recipe).isLessThan(deadline);
      // Status reads the state table, the queues and the execution: not in a tight loop.
      Thread.sleep(1000);
    }
  }

  private static void awaitApplied(String recipe, long atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (status(recipe).at("/sync/applied").asLong() < atLeast) {
      assertThat(System.nanoTime()).as("sync progress of " + recipe).isLessThan(deadline);
      Thread.sleep(250);
    }
  }
}
