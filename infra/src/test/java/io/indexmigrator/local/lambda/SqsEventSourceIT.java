package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.local.lambda.testfns.RecordingSqsHandler;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SQS event-source mappings against embedded ElasticMQ: partial batch failures, redrive to a DLQ,
 * disabling through the Lambda API, and FIFO ordering.
 */
class SqsEventSourceIT {

  static final Path workDir = Path.of("target", "lambda-sqs-it");
  static final Duration AWAIT = Duration.ofSeconds(45);

  static SQSRestServer elasticMq;
  static SqsClient sqs;
  static LocalLambdaHost host;
  static LambdaClient lambda;
  static String workQueue;
  static String deadLetters;
  static String fifoQueue;
  static Path workRecords;
  static Path fifoRecords;

  @BeforeAll
  static void start() throws IOException {
    elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    int port = elasticMq.waitUntilStarted().localAddress().getPort();
    sqs =
        SqsClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + port))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();

    deadLetters = sqs.createQueue(r -> r.queueName("sync-events-dlq")).queueUrl();
    workQueue =
        sqs.createQueue(
                r ->
                    r.queueName("sync-events")
                        .attributes(
                            Map.of(
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                "3",
                                QueueAttributeName.REDRIVE_POLICY,
                                "{\"deadLetterTargetArn\":\""
                                    + arnOf(deadLetters)
                                    + "\",\"maxReceiveCount\":\"2\"}")))
            .queueUrl();
    fifoQueue =
        sqs.createQueue(
                r ->
                    r.queueName("ordered-events.fifo")
                        .attributes(
                            Map.of(
                                QueueAttributeName.FIFO_QUEUE,
                                "true",
                                QueueAttributeName.CONTENT_BASED_DEDUPLICATION,
                                "true",
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                "5")))
            .queueUrl();

    Files.createDirectories(workDir);
    workRecords = workDir.resolve("work-records.txt");
    fifoRecords = workDir.resolve("fifo-records.txt");
    Files.deleteIfExists(workRecords);
    Files.deleteIfExists(fifoRecords);
    host =
        LocalLambdaHost.start(
            0,
            List.of(
                TestFunctions.function(
                    "sync-worker",
                    RecordingSqsHandler.class,
                    Duration.ofSeconds(3),
                    2,
                    Map.of("RECORD_FILE", workRecords.toAbsolutePath().toString())),
                TestFunctions.function(
                    "ordered-worker",
                    RecordingSqsHandler.class,
                    Duration.ofSeconds(5),
                    2,
                    Map.of("RECORD_FILE", fifoRecords.toAbsolutePath().toString()))),
            List.of(
                new SqsEventSource(
                    "esm-sync",
                    "sync-worker",
                    workQueue,
                    arnOf(workQueue),
                    10,
                    Duration.ofSeconds(1),
                    true,
                    true),
                new SqsEventSource(
                    "esm-ordered",
                    "ordered-worker",
                    fifoQueue,
                    arnOf(fifoQueue),
                    2,
                    Duration.ZERO,
                    true,
                    true)),
            sqs,
            workDir);
    lambda = TestFunctions.lambdaClient(host);
  }

  @AfterAll
  static void stop() {
    if (lambda != null) {
      lambda.close();
    }
    if (host != null) {
      host.close();
    }
    if (sqs != null) {
      sqs.close();
    }
    if (elasticMq != null) {
      elasticMq.stopAndWait();
    }
  }

  @Test
  void partialFailuresAreRetriedUntilTheDeadLetterQueueTakesThem() throws Exception {
    for (String body : List.of("ok-1", "ok-2", "will-fail", "ok-3", "ok-4")) {
      sqs.sendMessage(r -> r.queueUrl(workQueue).messageBody(body));
    }

    List<Message> dead = takeDeadLetters();

    assertThat(dead).extracting(Message::body).containsExactly("will-fail");
    List<String> records = Files.readAllLines(workRecords);
    for (String ok : List.of("ok-1", "ok-2", "ok-3", "ok-4")) {
      // Delivered once (ApproximateReceiveCount 1) and then deleted: never seen again.
      assertThat(records)
          .filteredOn(line -> line.startsWith(ok + "|"))
          .containsExactly(ok + "|1|null|aws:sqs");
    }
    assertThat(records)
        .filteredOn(line -> line.startsWith("will-fail|"))
        .containsExactly("will-fail|1|null|aws:sqs", "will-fail|2|null|aws:sqs");
    await(() -> messagesIn(workQueue) == 0);
  }

  @Test
  void aFailedInvocationReturnsTheWholeBatchToTheQueue() throws Exception {
    sqs.sendMessage(r -> r.queueUrl(workQueue).messageBody("crash-1"));

    List<Message> dead = takeDeadLetters();

    assertThat(dead).extracting(Message::body).containsExactly("crash-1");
    assertThat(recordsOf(workRecords))
        .filteredOn(line -> line.startsWith("crash-1|"))
        .containsExactly("crash-1|1|null|aws:sqs", "crash-1|2|null|aws:sqs");
  }

  @Test
  void disabledMappingStopsDeliveryUntilEnabledAgain() throws Exception {
    EventSourceMappingConfiguration listed =
        lambda
            .listEventSourceMappings(r -> r.functionName("sync-worker"))
            .eventSourceMappings()
            .get(0);
    assertThat(listed.uuid()).isEqualTo("esm-sync");
    assertThat(listed.eventSourceArn()).isEqualTo(arnOf(workQueue));
    assertThat(listed.functionArn()).isEqualTo(LocalLambdaHost.functionArn("sync-worker"));
    assertThat(listed.functionResponseTypes())
        .containsExactly(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES);
    assertThat(
            lambda
                .listEventSourceMappings(r -> r.functionName("ordered-worker"))
                .eventSourceMappings())
        .extracting(EventSourceMappingConfiguration::uuid)
        .containsExactly("esm-ordered");

    assertThat(lambda.updateEventSourceMapping(r -> r.uuid("esm-sync").enabled(false)).state())
        .isIn("Disabling", "Disabled");
    // As on AWS, pollers finish what they hold first; only "Disabled" means nothing more is taken.
    await(() -> lambda.getEventSourceMapping(r -> r.uuid("esm-sync")).state().equals("Disabled"));
    sqs.sendMessage(r -> r.queueUrl(workQueue).messageBody("while-disabled"));
    // Absence has to be watched for a while: longer than one idle long poll plus one batching
    // window.
    Thread.sleep(SqsEventSourcePoller.IDLE_WAIT_SECONDS * 1000L + 2000);
    assertThat(recordsOf(workRecords)).noneMatch(line -> line.startsWith("while-disabled|"));
    assertThat(messagesIn(workQueue)).isEqualTo(1);

    lambda.updateEventSourceMapping(r -> r.uuid("esm-sync").enabled(true));
    assertThat(lambda.getEventSourceMapping(r -> r.uuid("esm-sync")).state()).isEqualTo("Enabled");
    await(
        () -> recordsOf(workRecords).stream().anyMatch(line -> line.startsWith("while-disabled|")));
    await(() -> messagesIn(workQueue) == 0);
  }

  @Test
  void fifoGroupsAreProcessedInOrder() throws Exception {
    for (int i = 1; i <= 5; i++) {
      for (String group : List.of("index-a", "index-b")) {
        String body = group + "-" + i;
        sqs.sendMessage(r -> r.queueUrl(fifoQueue).messageGroupId(group).messageBody(body));
      }
    }

    await(() -> recordsOf(fifoRecords).size() >= 10);

    List<String> records = recordsOf(fifoRecords);
    for (String group : List.of("index-a", "index-b")) {
      assertThat(records)
          .filteredOn(line -> line.startsWith(group + "-"))
          .containsExactly(
              group + "-1|1|" + group + "|aws:sqs",
              group + "-2|1|" + group + "|aws:sqs",
              group + "-3|1|" + group + "|aws:sqs",
              group + "-4|1|" + group + "|aws:sqs",
              group + "-5|1|" + group + "|aws:sqs");
    }
    await(() -> messagesIn(fifoQueue) == 0);
  }

  /**
   * Waits until the dead-letter queue holds something and takes (deletes) what it received, so no
   * test sees another's dead letters once their visibility timeout runs out.
   */
  private static List<Message> takeDeadLetters() throws InterruptedException {
    List<Message> dead = new ArrayList<>();
    await(
        () -> {
          dead.addAll(
              sqs.receiveMessage(r -> r.queueUrl(deadLetters).waitTimeSeconds(1)).messages());
          return !dead.isEmpty();
        });
    dead.forEach(
        m -> sqs.deleteMessage(r -> r.queueUrl(deadLetters).receiptHandle(m.receiptHandle())));
    return dead;
  }

  private static String arnOf(String queueUrl) {
    return QueueProbe.arnOf(sqs, queueUrl);
  }

  private static int messagesIn(String queueUrl) {
    return QueueProbe.messagesIn(sqs, queueUrl);
  }

  private static List<String> recordsOf(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Condition not met within " + AWAIT);
      }
      Thread.sleep(200);
    }
  }
}
