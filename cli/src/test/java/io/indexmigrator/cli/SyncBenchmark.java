package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.cli.demo.SampleRecords;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.OpenSearchCluster;
import io.indexmigrator.core.sync.SyncApplier;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangePublisher;
import io.indexmigrator.local.aws.AwsClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Benchmark (not a test): sync lag at a steady write rate, and the write-blocked window at rollover
 * under load, on the local twin. Run with {@code bench/run-sync.sh [writesPerSecond] [seconds]
 * [rolloverWritesPerSecond] [writers] [drainRounds]}; prints a summary and writes
 * bench/results/*.json.
 *
 * <p>Lag of a write = time from its acknowledgement by the source to the moment the destination
 * holds it, measured on every 25th write by polling the destination with _mget.
 */
public final class SyncBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int rolloverRate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int writers = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    int drainRounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    TwinFixture twin = TwinFixture.get();
    String name = "bench-" + Instant.now().getEpochSecond();
    twin.cluster.create(name + "-v1", name);
    twin.cluster.load(name + "-v1", 10_000, 1);
    Path recipe =
        twin.writeRecipe(
            name + ".yaml",
            """
            name: %s
            indexes: [{source: %s, destination: %s-v2}]
            copy: {slices: 2}
            sync: {mode: events}
            """
                .formatted(name, name, name));
    twin.cli("init", name, "--file", recipe.toString()).require();
    twin.cli("run", name, "--wait").require();

    try (var sqs = twin.sqs()) {
      String queueUrl = twin.state.queues().get("SyncQueue");
      ChangePublisher publisher = ChangePublisher.builder(sqs, queueUrl).maxInFlight(8).build();

      int drainEvents = 10_000;
      List<ChangeEvent> backlog = new ArrayList<>();
      for (int i = 0; i < drainEvents; i++) {
        backlog.add(ChangeEvent.indexed(name + "-v1", SampleRecords.id(i)));
      }
      // The backlog is queued while the mapping is off, so that the drain is timed alone (not the
      // publishing, which competes for the same cores). The first rounds meet cold environments
      // and code the JIT has not compiled yet; the rounds after them are the consumer's capacity.
      List<double[]> drains = new ArrayList<>();
      try (var lambda = AwsClients.lambda(twin.state.endpoint("lambda"), twin.state.region())) {
        String queueArn =
            sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings()
                .get("QueueArn");
        String mapping =
            lambda
                .listEventSourceMappings(r -> r.eventSourceArn(queueArn))
                .eventSourceMappings()
                .get(0)
                .uuid();
        for (int round = 1; round <= drainRounds; round++) {
          lambda.updateEventSourceMapping(r -> r.uuid(mapping).enabled(false));
          awaitMappingState(lambda, mapping, "Disabled");
          long publishStart = System.nanoTime();
          publisher.publishAll(backlog);
          double publishSeconds = (System.nanoTime() - publishStart) / 1e9;
          long drainStart = System.nanoTime();
          lambda.updateEventSourceMapping(r -> r.uuid(mapping).enabled(true));
          awaitQueueEmpty(sqs, queueUrl, Duration.ofMinutes(10));
          double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
          drains.add(new double[] {publishSeconds, drainSeconds});
          System.out.printf(
              "consumer capacity, round %d: %d events queued in %.1f s, drained in %.1f s"
                  + " (%.0f events/s)%n",
              round, drainEvents, publishSeconds, drainSeconds, drainEvents / drainSeconds);
        }
      }

      System.out.printf(
          "sync lag: %d writes/s (%d writers) for %d s ...%n", rate, writers, seconds);
      Consumer<JsonNode> viaQueue = publisher::publishBulkResponse;
      Load steady = new Load(twin, name, "lag", viaQueue, rate, writers);
      steady.start();
      Thread.sleep(seconds * 1000L);
      steady.stop();
      List<Long> lags = steady.awaitLags(Duration.ofMinutes(3));
      Collections.sort(lags);

      System.out.printf(
          "apply path without SQS and Lambda: %d writes/s for %d s ...%n", rate, seconds);
      Load direct;
      List<Long> directLags;
      try (OpenSearchCluster cluster =
              OpenSearchCluster.connect(ClusterEndpoint.of(twin.clusterUrl.toString()));
          var dynamo = twin.dynamo();
          InProcessConsumer consumer =
              new InProcessConsumer(
                  new SyncApplier(twin.store(dynamo), cluster, cluster, Clock.systemUTC()), 4)) {
        direct = new Load(twin, name, "direct", consumer::submit, rate, writers);
        direct.start();
        Thread.sleep(seconds * 1000L);
        direct.stop();
        directLags = direct.awaitLags(Duration.ofMinutes(1));
      }
      Collections.sort(directLags);

      System.out.printf("rollover under %d writes/s ...%n", rolloverRate);
      awaitQueueBelow(twin, name, 100, Duration.ofMinutes(5));
      Load duringRollover = new Load(twin, name, "rollover", viaQueue, rolloverRate, writers);
      duringRollover.start();
      Thread.sleep(3000);
      TwinFixture.Run rollover = twin.cli("rollover", name, "--json");
      Thread.sleep(1000);
      duringRollover.stop();
      JsonNode report = JSON.readTree(rollover.out().isBlank() ? "{}" : rollover.out());

      var result = JSON.createObjectNode();
      result.put("date", Instant.now().toString());
      result.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
      result.put("consumerCapacityEvents", drainEvents);
      var rounds = result.putArray("consumerCapacityRounds");
      List<Double> warm = new ArrayList<>();
      for (int i = 0; i < drains.size(); i++) {
        double eventsPerSecond = drainEvents / drains.get(i)[1];
        rounds
            .addObject()
            .put("publishSeconds", Math.round(drains.get(i)[0] * 100) / 100.0)
            .put("drainSeconds", Math.round(drains.get(i)[1] * 100) / 100.0)
            .put("eventsPerSecond", Math.round(eventsPerSecond));
        if (i >= WARM_UP_ROUNDS) {
          warm.add(eventsPerSecond);
        }
      }
      Collections.sort(warm);
      result.put(
          "consumerCapacityWarmMedianEventsPerSecond",
          warm.isEmpty() ? -1 : Math.round(warm.get(warm.size() / 2)));
      result.put("writers", writers);
      result.put("writesPerSecondTarget", rate);
      result.put("writesPerSecondAchieved", Math.round(steady.achievedRate()));
      result.put("lagSamples", lags.size());
      result.put("lagP50Millis", percentile(lags, 50));
      result.put("lagP99Millis", percentile(lags, 99));
      result.put("lagMaxMillis", lags.isEmpty() ? -1 : lags.get(lags.size() - 1));
      var perWindow = result.putArray("lagMaxMillisPerFiveSeconds");
      steady.maxLagPerFiveSeconds().forEach(perWindow::add);
      result.put("applyPathWritesPerSecondAchieved", Math.round(direct.achievedRate()));
      result.put("applyPathLagSamples", directLags.size());
      result.put("applyPathLagP50Millis", percentile(directLags, 50));
      result.put("applyPathLagP99Millis", percentile(directLags, 99));
      result.put("rolloverWritesPerSecondTarget", rolloverRate);
      result.put("rolloverWritesPerSecondAchieved", Math.round(duringRollover.achievedRate()));
      result.put("rolloverPassed", report.path("passed").asBoolean());
      result.put("writeBlockedMillis", report.path("writeBlockedMillis").asLong(-1));
      result.put("longestRefusalSeenByWriterMillis", duringRollover.longestRefusal.get());
      result.put("drainedBacklog", report.path("drainedBacklog").asLong(-1));
      if (rollover.exitCode() != 0) {
        result.put("rolloverMessage", rollover.all().trim());
      }
      String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result);
      System.out.println(json);
      Path out =
          Path.of("..", "bench", "results", "sync-" + Instant.now().getEpochSecond() + ".json");
      Files.createDirectories(out.getParent());
      Files.writeString(out, json + "\n");
      System.out.println("written to " + out.toAbsolutePath().normalize());
    }
    System.exit(0);
  }

  private static void awaitQueueBelow(TwinFixture twin, String recipe, long depth, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (JSON.readTree(twin.cli("status", recipe, "--json").out())
                .at("/sync/queueDepth")
                .asLong(Long.MAX_VALUE)
            > depth
        && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
  }

  /** Rounds of the backlog phase that only warm up environments and the JIT. */
  private static final int WARM_UP_ROUNDS = 2;

  private static void awaitMappingState(LambdaClient lambda, String mapping, String state)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!state.equals(lambda.getEventSourceMapping(r -> r.uuid(mapping)).state())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("event source mapping " + mapping + " never " + state);
      }
      Thread.sleep(100);
    }
  }

  /** Until the queue holds nothing, visible or in flight, three reads in a row. */
  private static void awaitQueueEmpty(SqsClient sqs, String queueUrl, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int emptyReads = 0;
    while (emptyReads < 3) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the sync queue did not drain within " + timeout);
      }
      Long depth = StatusCommand.Watcher.depth(sqs, queueUrl);
      emptyReads = depth != null && depth == 0 ? emptyReads + 1 : 0;
      Thread.sleep(100);
    }
  }

  private static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  /**
   * The sync consumer's apply path without SQS and Lambda: lanes by document (as FIFO groups keep
   * one document's events in one invocation at a time), batches of up to ten, as the event-source
   * mapping gives them. It shows what the applier, the source reads and the destination writes
   * sustain on this machine, apart from the local queue emulator.
   */
  static final class InProcessConsumer implements AutoCloseable {
    private final SyncApplier applier;
    private final List<LinkedBlockingQueue<ChangeEvent>> lanes = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    InProcessConsumer(SyncApplier applier, int laneCount) {
      this.applier = applier;
      for (int i = 0; i < laneCount; i++) {
        LinkedBlockingQueue<ChangeEvent> lane = new LinkedBlockingQueue<>();
        lanes.add(lane);
        threads.add(Thread.ofPlatform().name("apply-lane-" + i).start(() -> drain(lane)));
      }
    }

    /** The events of a bulk response's successful items, each to its document's lane. */
    void submit(JsonNode bulkResponse) {
      for (JsonNode item : bulkResponse.path("items")) {
        JsonNode action = item.elements().next();
        if (action.path("status").asInt(500) < 300) {
          ChangeEvent event =
              ChangeEvent.indexed(action.path("_index").asText(), action.path("_id").asText());
          lanes.get(Math.floorMod(event.id().hashCode(), lanes.size())).add(event);
        }
      }
    }

    private void drain(LinkedBlockingQueue<ChangeEvent> lane) {
      List<ChangeEvent> batch = new ArrayList<>();
      while (!closed) {
        try {
          ChangeEvent first = lane.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
          lane.drainTo(batch, 9);
          applier.apply(batch);
          batch.clear();
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      for (LinkedBlockingQueue<ChangeEvent> lane : lanes) {
        while (!lane.isEmpty()) {
          Thread.sleep(50);
        }
      }
      closed = true;
      for (Thread thread : threads) {
        thread.join();
      }
    }
  }

  /** Upserts random documents at a rate, publishing events; samples every 25th write's lag. */
  static final class Load {
    private final TwinFixture twin;
    private final String alias;
    private final Consumer<JsonNode> sink;
    private final String idPrefix;
    private final int rate;
    private final int writerCount;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, long[]> pending = new ConcurrentHashMap<>(); // id -> {n, ackNanos}

    /** Per sampled write: {seconds since start when acknowledged, lag in ms}. */
    private final List<long[]> lags = Collections.synchronizedList(new ArrayList<>());

    final AtomicLong writes = new AtomicLong();
    final AtomicLong longestRefusal = new AtomicLong();
    private long started;
    private long stopped;
    private final List<Thread> writers = new ArrayList<>();
    private Thread sampler;

    /**
     * @param idPrefix keeps each phase's documents apart: a sample must not be satisfied by a
     *     number an earlier phase wrote
     * @param sink what a writer does with each acknowledged bulk response: publish its events
     */
    Load(
        TwinFixture twin,
        String alias,
        String idPrefix,
        Consumer<JsonNode> sink,
        int rate,
        int writerCount) {
      this.idPrefix = idPrefix;
      this.twin = twin;
      this.alias = alias;
      this.sink = sink;
      this.rate = rate;
      this.writerCount = writerCount;
    }

    void start() {
      started = System.nanoTime();
      for (int w = 0; w < writerCount; w++) {
        int writer = w;
        writers.add(
            Thread.ofPlatform()
                .name("bench-writer-" + w)
                .start(() -> write(writer, Math.max(1, rate / writerCount))));
      }
      sampler = Thread.ofPlatform().name("bench-sampler").start(this::sample);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread writer : writers) {
        writer.join();
      }
      stopped = System.nanoTime();
    }

    double achievedRate() {
      return writes.get() / ((stopped - started) / 1e9);
    }

    /** The largest lag of the writes acknowledged in each five seconds of the run. */
    List<Long> maxLagPerFiveSeconds() {
      List<Long> max = new ArrayList<>();
      synchronized (lags) {
        for (long[] sample : lags) {
          int window = (int) (sample[0] / 5);
          while (max.size() <= window) {
            max.add(0L);
          }
          max.set(window, Math.max(max.get(window), sample[1]));
        }
      }
      return max;
    }

    List<Long> awaitLags(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      sampler.interrupt();
      sampler.join();
      synchronized (lags) {
        return lags.stream()
            .map(sample -> sample[1])
            .collect(Collectors.toCollection(ArrayList::new));
      }
    }

    /**
     * One writer: its own ids (so the numbers written to one id only grow), twenty bulks a second.
     */
    private void write(int writer, int rate) {
      int bulk = Math.max(1, rate / 20);
      long pause = 1_000_000_000L * bulk / rate;
      long next = System.nanoTime();
      long n = 0;
      var random = new java.util.SplittableRandom(rate * 31L + writer);
      try {
        while (running.get()) {
          StringBuilder body = new StringBuilder();
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < bulk; i++) {
            String id = idPrefix + "-" + writer + "-" + random.nextInt(20_000 / writerCount);
            if (ids.contains(id)) {
              continue;
            }
            ids.add(id);
            n++;
            body.append("{\"index\":{\"_id\":\"")
                .append(id)
                .append("\"}}\n")
                .append("{\"n\":")
                .append(n)
                .append("}\n");
          }
          long refusedSince = 0;
          JsonNode reply;
          while (true) {
            reply = twin.cluster.post("/" + alias + "/_bulk", body.toString());
            if (reply.path("errors").asBoolean()) {
              if (refusedSince == 0) {
                refusedSince = System.nanoTime();
              }
              Thread.sleep(10);
              continue;
            }
            break;
          }
          long acked = System.nanoTime();
          if (refusedSince != 0) {
            longestRefusal.accumulateAndGet((acked - refusedSince) / 1_000_000, Math::max);
          }
          sink.accept(reply);
          writes.addAndGet(ids.size());
          long first = n - ids.size() + 1;
          for (int i = 0; i < ids.size(); i++) {
            if ((first + i) % 25 == 0) {
              pending.put(ids.get(i), new long[] {first + i, acked});
            }
          }
          next += pause;
          long sleep = next - System.nanoTime();
          if (sleep > 0) {
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    private void sample() {
      String destination = alias + "-v2";
      try {
        while (!Thread.currentThread().isInterrupted()) {
          if (pending.isEmpty()) {
            Thread.sleep(20);
            continue;
          }
          var body = JSON.createObjectNode();
          var docs = body.putArray("ids");
          pending.keySet().forEach(docs::add);
          JsonNode found = twin.cluster.post("/" + destination + "/_mget", body.toString());
          long now = System.nanoTime();
          for (JsonNode doc : found.path("docs")) {
            long[] expected = pending.get(doc.path("_id").asText());
            if (expected != null && doc.at("/_source/n").asLong(-1) >= expected[0]) {
              lags.add(
                  new long[] {
                    (expected[1] - started) / 1_000_000_000L, (now - expected[1]) / 1_000_000
                  });
              pending.remove(doc.path("_id").asText());
            }
          }
          Thread.sleep(10);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
