package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangePublisher;
import io.indexmigrator.events.MessageKeys;
import io.indexmigrator.events.PublishResult;
import io.indexmigrator.local.aws.LocalSqs;
import io.indexmigrator.local.lambda.ProcessingLog.Delivery;
import io.indexmigrator.local.lambda.ProcessingLog.Violation;
import io.indexmigrator.local.lambda.testfns.TimedSqsHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The sync consumer's guarantee, checked on the local stack: with all events of a document in one
 * FIFO message group (as {@link ChangePublisher} sends; documents share the 256 groups), the SQS
 * event-source mapping never hands one document to two invocations at once and delivers its events
 * in order, although batches do run in parallel. The same workload on a standard queue is the
 * control: there the checker must find a document held by two invocations at once or processed out
 * of order, or it proves nothing.
 *
 * <p>Both mappings feed one function ({@link TimedSqsHandler}, 5 execution environments, so 5
 * pollers per mapping) with batches of 10; every record takes 20 to 80 ms, so events pile up while
 * they are published and batches overlap.
 */
class FifoOrderingIT {

  static final int DOCUMENTS = 20;
  static final int EVENTS_PER_DOCUMENT = 20;
  static final String INDEX = "orders";
  static final Duration AWAIT = Duration.ofSeconds(40);
  static final Path workDir = Path.of("target", "fifo-ordering-it");

  /** Below the function's and the twin's poller limits, so that only the mapping's bound holds. */
  static final int BOUNDED_CONCURRENCY = 2;

  static LocalSqs localSqs;
  static SqsClient sqs;
  static LocalLambdaHost host;
  static Path logDir;
  static String fifoQueue;
  static String standardQueue;
  static String boundedQueue;

  @BeforeAll
  static void start() throws IOException {
    localSqs = LocalSqs.start(0, "us-east-1", "000000000000");
    sqs =
        SqsClient.builder()
            .endpointOverride(localSqs.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    // No content-based deduplication: ChangePublisher sets its own deduplication ids, as in
    // template.yaml. The visibility timeout is far above any invocation, so nothing is redelivered.
    fifoQueue =
        sqs.createQueue(
                r ->
                    r.queueName("document-changes.fifo")
                        .attributes(
                            Map.of(
                                QueueAttributeName.FIFO_QUEUE, "true",
                                QueueAttributeName.VISIBILITY_TIMEOUT, "60")))
            .queueUrl();
    boundedQueue =
        sqs.createQueue(
                r ->
                    r.queueName("document-changes-bounded.fifo")
                        .attributes(
                            Map.of(
                                QueueAttributeName.FIFO_QUEUE, "true",
                                QueueAttributeName.VISIBILITY_TIMEOUT, "60")))
            .queueUrl();
    standardQueue =
        sqs.createQueue(
                r ->
                    r.queueName("document-changes-standard")
                        .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60")))
            .queueUrl();

    logDir = workDir.resolve("invocations");
    if (Files.exists(logDir)) {
      try (Stream<Path> old = Files.list(logDir)) {
        for (Path file : old.toList()) {
          Files.delete(file);
        }
      }
    }
    Files.createDirectories(logDir);
    host =
        LocalLambdaHost.start(
            0,
            List.of(
                TestFunctions.function(
                    "order-probe",
                    TimedSqsHandler.class,
                    Duration.ofSeconds(10),
                    SqsEventSourcePoller.MAX_POLLERS,
                    Map.of("LOG_DIR", logDir.toAbsolutePath().toString()))),
            List.of(
                mapping("esm-fifo", fifoQueue),
                mapping("esm-standard", standardQueue),
                mapping("esm-bounded", boundedQueue).withMaximumConcurrency(BOUNDED_CONCURRENCY)),
            sqs,
            workDir);
  }

  @AfterAll
  static void stop() {
    if (host != null) {
      host.close();
    }
    if (sqs != null) {
      sqs.close();
    }
    if (localSqs != null) {
      localSqs.close();
    }
  }

  @Test
  void aFifoQueueNeverAppliesOneDocumentConcurrentlyAndKeepsItsOrder() throws Exception {
    ProcessingLog log = runWorkload(fifoQueue);

    // Nothing fails and nothing outlives the visibility timeout, so every event must arrive once:
    // a loss or a duplicate here is a fault of the mapping or the queue, not at-least-once noise.
    assertThat(log.deliveriesPerEvent()).isEqualTo(expectedOnce());
    for (ProcessingLog.Invocation invocation : log.invocations()) {
      for (Delivery delivery : invocation.deliveries()) {
        String id = delivery.document().substring(INDEX.length() + 1);
        assertThat(delivery.messageGroupId()).isEqualTo(MessageKeys.groupId(INDEX, id));
      }
    }
    assertThat(log.perDocumentViolations()).isEmpty();
    // Without parallel invocations the assertion above would hold trivially.
    assertThat(log.maxConcurrent()).isGreaterThanOrEqualTo(2);
    assertThat(log.overlappingPairs()).isPositive();
  }

  @Test
  void scalingConfigsMaximumConcurrency_boundsTheMappingsInvocationsAtOnce() throws Exception {
    ProcessingLog log = runWorkload(boundedQueue);

    assertThat(log.deliveriesPerEvent()).isEqualTo(expectedOnce());
    assertThat(log.perDocumentViolations()).isEmpty();
    // Exactly: more would break the bound, fewer would mean the workload never tested it (the
    // unbounded mappings of the other tests run up to five at once).
    assertThat(log.maxConcurrent()).isEqualTo(BOUNDED_CONCURRENCY);
  }

  @Test
  void aStandardQueueLetsTheCheckerFindConcurrentOrReorderedDocuments() throws Exception {
    ProcessingLog log = runWorkload(standardQueue);

    // A standard queue is at-least-once: no event may be missing, duplicates are allowed.
    assertThat(log.deliveriesPerEvent()).containsOnlyKeys(expectedOnce().keySet());
    assertThat(log.maxConcurrent()).isGreaterThanOrEqualTo(2);
    assertThat(log.perDocumentViolations())
        .as("the same workload without message groups must break per-document ordering")
        .isNotEmpty();
  }

  /**
   * Publishes {@link #EVENTS_PER_DOCUMENT} rounds of one event per document (sequence number =
   * round, documents shuffled within a round) while the mapping consumes, then waits until every
   * event was processed and the queue holds nothing, visible or in flight.
   */
  private static ProcessingLog runWorkload(String queueUrl) throws Exception {
    String queueArn = arnOf(queueUrl);
    ChangePublisher publisher = ChangePublisher.create(sqs, queueUrl);
    Random random = new Random(queueUrl.hashCode());
    long started = System.nanoTime();
    for (int round = 1; round <= EVENTS_PER_DOCUMENT; round++) {
      List<ChangeEvent> events = new ArrayList<>();
      for (int document = 0; document < DOCUMENTS; document++) {
        events.add(
            new ChangeEvent(
                INDEX, documentId(document), ChangeEvent.Op.INDEX, (long) round, 1L, null));
      }
      Collections.shuffle(events, random);
      PublishResult published = publisher.publishAll(events);
      assertThat(published.eventsPublished()).isEqualTo(DOCUMENTS);
      Thread.sleep(25);
    }
    long publishedMillis = (System.nanoTime() - started) / 1_000_000;

    long deadline = System.nanoTime() + AWAIT.toNanos();
    ProcessingLog log;
    while (true) {
      log = ProcessingLog.read(logDir).ofQueue(queueArn);
      if (log.deliveriesPerEvent().size() == DOCUMENTS * EVENTS_PER_DOCUMENT
          && messagesIn(queueUrl) == 0) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Within "
                + AWAIT
                + " only "
                + log.deliveriesPerEvent().size()
                + " of "
                + DOCUMENTS * EVENTS_PER_DOCUMENT
                + " events were processed; "
                + messagesIn(queueUrl)
                + " still queued; per-document violations so far: "
                + log.perDocumentViolations().size());
      }
      Thread.sleep(200);
    }
    report(queueUrl, log, publishedMillis, (System.nanoTime() - started) / 1_000_000);
    return log;
  }

  /** The figures the test run leaves in its output, to judge how much parallelism there was. */
  private static void report(String queueUrl, ProcessingLog log, long publishMs, long totalMs) {
    List<Violation> violations = log.perDocumentViolations();
    long concurrent =
        violations.stream().filter(v -> v.problem().startsWith("invocations")).count();
    IntSummaryStatistics sizes =
        log.invocations().stream().mapToInt(i -> i.deliveries().size()).summaryStatistics();
    System.out.printf(
        "%s: %d events in %d invocations (batch sizes %d..%d), max %d concurrent, %d overlapping"
            + " invocation pairs; %d per-document violations (%d concurrent, %d out of order);"
            + " published in %d ms, all processed after %d ms%n",
        queueUrl.substring(queueUrl.lastIndexOf('/') + 1),
        log.deliveries(),
        log.invocations().size(),
        sizes.getMin(),
        sizes.getMax(),
        log.maxConcurrent(),
        log.overlappingPairs(),
        violations.size(),
        concurrent,
        violations.size() - concurrent,
        publishMs,
        totalMs);
    violations.stream()
        .sorted(Comparator.comparing(Violation::document))
        .limit(3)
        .forEach(v -> System.out.println("  e.g. " + v.document() + ": " + v.problem()));
  }

  private static Map<String, Integer> expectedOnce() {
    Map<String, Integer> expected = new TreeMap<>();
    for (int document = 0; document < DOCUMENTS; document++) {
      for (int sequence = 1; sequence <= EVENTS_PER_DOCUMENT; sequence++) {
        expected.put(INDEX + "/" + documentId(document) + "#" + sequence, 1);
      }
    }
    return expected;
  }

  private static String documentId(int document) {
    return String.format("doc-%02d", document);
  }

  private static SqsEventSource mapping(String uuid, String queueUrl) {
    return new SqsEventSource(
        uuid, "order-probe", queueUrl, arnOf(queueUrl), 10, Duration.ZERO, false, true);
  }

  private static String arnOf(String queueUrl) {
    return QueueProbe.arnOf(sqs, queueUrl);
  }

  private static int messagesIn(String queueUrl) {
    return QueueProbe.messagesIn(sqs, queueUrl);
  }
}
