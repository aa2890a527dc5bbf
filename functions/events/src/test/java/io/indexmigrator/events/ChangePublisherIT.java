package io.indexmigrator.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsServiceClientConfiguration;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The publisher against ElasticMQ, which implements SQS's FIFO grouping, deduplication window and
 * batch rules. Each test uses its own queue, so the tests do not see each other's messages.
 */
class ChangePublisherIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger QUEUES = new AtomicInteger();
  private static SQSRestServer elasticMq;
  private static SqsClient sqs;
  private static URI endpoint;

  @BeforeAll
  static void start() {
    elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    int port = elasticMq.waitUntilStarted().localAddress().getPort();
    endpoint = URI.create("http://127.0.0.1:" + port);
    sqs =
        SqsClient.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .build();
  }

  @AfterAll
  static void stop() {
    if (sqs != null) {
      sqs.close();
    }
    if (elasticMq != null) {
      elasticMq.stopAndWait();
    }
  }

  @Test
  void fifoGroupsByDocumentKeepsEachDocumentsOrderAndSendsFullBatches() {
    String queue = fifoQueue();
    ChangePublisher publisher = ChangePublisher.builder(sqs, queue).maxInFlight(4).build();
    // 5 documents, 5 writes each, interleaved as an application would produce them.
    List<ChangeEvent> events = new ArrayList<>();
    for (long seqNo = 0; seqNo < 25; seqNo++) {
      events.add(
          new ChangeEvent("orders", "doc-" + seqNo % 5, ChangeEvent.Op.INDEX, seqNo, 1L, null));
    }

    PublishResult result = publisher.publishAll(events);

    assertThat(result).isEqualTo(new PublishResult(25, 3, 0));
    Map<String, List<Long>> seqNosByDocument = new LinkedHashMap<>();
    for (Message message : drain(queue)) {
      ChangeEvent event = new ChangeEventCodec().parse(message.body());
      String group = message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID);
      // Documents share groups; all events of one document are in its group.
      assertThat(group).isEqualTo(MessageKeys.groupId("orders", event.id()));
      assertThat(message.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID))
          .isEqualTo(MessageKeys.deduplicationId(event));
      seqNosByDocument.computeIfAbsent(event.id(), d -> new ArrayList<>()).add(event.seqNo());
    }
    assertThat(seqNosByDocument).hasSize(5);
    for (int doc = 0; doc < 5; doc++) {
      int first = doc;
      assertThat(seqNosByDocument.get("doc-" + doc))
          .as("doc-%d in publish order", doc)
          .containsExactlyElementsOf(
              IntStream.range(0, 5).mapToObj(i -> (long) (first + 5 * i)).toList());
    }
  }

  @Test
  void fifoDropsAResentWriteButKeepsRepeatsWithoutSequenceNumbers() {
    String queue = fifoQueue();
    ChangePublisher publisher = ChangePublisher.create(sqs, queue);
    ChangeEvent write = new ChangeEvent("orders", "7", ChangeEvent.Op.INDEX, 12L, 1L, null);
    ChangeEvent unnumbered = ChangeEvent.deleted("orders", "8");

    publisher.publish(write);
    publisher.publish(write);
    publisher.publishAll(List.of(unnumbered, unnumbered));

    List<String> bodies = drain(queue).stream().map(Message::body).toList();
    assertThat(bodies)
        .containsExactlyInAnyOrder(
            "{\"index\":\"orders\",\"id\":\"7\",\"op\":\"index\",\"seqNo\":12,\"primaryTerm\":1}",
            "{\"index\":\"orders\",\"id\":\"8\",\"op\":\"delete\"}",
            "{\"index\":\"orders\",\"id\":\"8\",\"op\":\"delete\"}");
  }

  @Test
  void fifoAcceptsTheHashedGroupIdOfAnAwkwardDocumentId() {
    String queue = fifoQueue();
    String id = "ünïcode id with spaces " + "x".repeat(200);
    ChangePublisher.create(sqs, queue).publish(ChangeEvent.indexed("orders", id));

    List<Message> received = drain(queue);
    assertThat(received).hasSize(1);
    assertThat(received.get(0).attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
        .isEqualTo(MessageKeys.groupId("orders", id));
    assertThat(new ChangeEventCodec().parse(received.get(0).body()).id()).isEqualTo(id);
  }

  @Test
  void standardQueueGetsNoGroupOrDeduplicationIds() {
    String queue = standardQueue();
    ChangePublisher publisher = ChangePublisher.create(sqs, queue);
    assertThat(publisher.fifo()).isFalse();
    List<ChangeEvent> events =
        IntStream.range(0, 12).mapToObj(i -> ChangeEvent.indexed("orders", "d" + i)).toList();

    assertThat(publisher.publishAll(events)).isEqualTo(new PublishResult(12, 2, 0));

    List<Message> received = drain(queue);
    assertThat(received).hasSize(12);
    assertThat(received)
        .allSatisfy(
            m ->
                assertThat(m.attributes())
                    .doesNotContainKeys(
                        MessageSystemAttributeName.MESSAGE_GROUP_ID,
                        MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID));
  }

  @Test
  void batchesStayUnder256KiB() {
    String queue = standardQueue();
    // About 100 KB each, so only two fit in one SendMessageBatch.
    String routing = "r".repeat(100_000);
    List<ChangeEvent> events =
        IntStream.range(0, 10)
            .mapToObj(
                i -> new ChangeEvent("orders", "d" + i, ChangeEvent.Op.INDEX, null, null, routing))
            .toList();

    assertThat(ChangePublisher.create(sqs, queue).publishAll(events))
        .isEqualTo(new PublishResult(10, 5, 0));
    assertThat(drain(queue)).hasSize(10);
  }

  @Test
  void bulkResponsePublishesExactlyTheItemsThatChangedADocument() throws IOException {
    String queue = fifoQueue();
    JsonNode bulk = fixture("/bulk/mixed-bulk-response.json");

    PublishResult result = ChangePublisher.create(sqs, queue).publishBulkResponse(bulk.toString());

    assertThat(result.eventsPublished()).isEqualTo(8);
    List<ChangeEvent> received =
        drain(queue).stream().map(m -> new ChangeEventCodec().parse(m.body())).toList();
    assertThat(received)
        .containsExactlyInAnyOrder(
            event("1001", ChangeEvent.Op.INDEX, 40, 3),
            event("1002", ChangeEvent.Op.INDEX, 41, 3),
            event("1004", ChangeEvent.Op.INDEX, 42, 3),
            event("1005", ChangeEvent.Op.INDEX, 43, 3),
            event("1006", ChangeEvent.Op.INDEX, 12, 2),
            event("1007", ChangeEvent.Op.DELETE, 44, 3),
            event("1008", ChangeEvent.Op.DELETE, 45, 3),
            event("9999", ChangeEvent.Op.DELETE, 46, 3));
  }

  @Test
  void bulkResponseCarriesRoutingGivenByPosition() throws IOException {
    String queue = standardQueue();
    JsonNode bulk = fixture("/bulk/mixed-bulk-response.json");
    List<String> routing = new ArrayList<>();
    for (int i = 0; i < bulk.get("items").size(); i++) {
      routing.add(i % 2 == 0 ? "tenant-" + i : null);
    }

    ChangePublisher.create(sqs, queue).publishBulkResponse(bulk, routing);

    Map<String, String> routingById = new LinkedHashMap<>();
    for (Message m : drain(queue)) {
      ChangeEvent event = new ChangeEventCodec().parse(m.body());
      routingById.put(event.id(), event.routing());
    }
    // Positions: 1001@0, 1002@1, 1004@3, 1005@5, 1006@6, 1007@7, 1008@8, 9999@9.
    assertThat(routingById)
        .containsExactlyInAnyOrderEntriesOf(
            mapOf(
                "1001",
                "tenant-0",
                "1002",
                null,
                "1004",
                null,
                "1005",
                null,
                "1006",
                "tenant-6",
                "1007",
                null,
                "1008",
                "tenant-8",
                "9999",
                null));
    assertThatThrownBy(
            () -> ChangePublisher.create(sqs, queue).publishBulkResponse(bulk, List.of("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("routing list has 1 entries but the bulk response has 11 items");
  }

  @Test
  void singleDocumentResponsesPublishTheirWrite() {
    String queue = fifoQueue();
    ChangePublisher publisher = ChangePublisher.create(sqs, queue);
    publisher.publishIndexResponse(
        "{\"_index\":\"orders-v1\",\"_id\":\"5\",\"_version\":1,\"result\":\"created\","
            + "\"_shards\":{\"total\":2,\"successful\":1,\"failed\":0},\"_seq_no\":3,\"_primary_term\":1}");
    publisher.publishDeleteResponse(
        "{\"_index\":\"orders-v1\",\"_id\":\"6\",\"_version\":2,\"result\":\"not_found\","
            + "\"_shards\":{\"total\":2,\"successful\":1,\"failed\":0},\"_seq_no\":4,\"_primary_term\":1}");

    assertThat(drain(queue).stream().map(m -> new ChangeEventCodec().parse(m.body())).toList())
        .containsExactlyInAnyOrder(
            new ChangeEvent("orders-v1", "5", ChangeEvent.Op.INDEX, 3L, 1L, null),
            new ChangeEvent("orders-v1", "6", ChangeEvent.Op.DELETE, 4L, 1L, null));
    assertThatThrownBy(
            () ->
                publisher.publishIndexResponse(
                    "{\"error\":{\"type\":\"index_not_found_exception\"},\"status\":404}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("index response is an error response, nothing was written");
  }

  @Test
  void missingQueueFailsEveryEventWithoutRetrying() {
    String queue = endpoint + "/000000000000/no-such-queue.fifo";
    ChangePublisher publisher =
        ChangePublisher.builder(sqs, queue).backoffBase(Duration.ofMillis(1)).build();
    List<ChangeEvent> events =
        List.of(ChangeEvent.indexed("orders", "1"), ChangeEvent.deleted("orders", "2"));

    assertThatThrownBy(() -> publisher.publishAll(events))
        .isInstanceOfSatisfying(
            PublishException.class,
            e -> {
              assertThat(e.failures())
                  .extracting(PublishException.Failure::event)
                  .isEqualTo(events);
              assertThat(e.failures()).allSatisfy(f -> assertThat(f.attempts()).isEqualTo(1));
              assertThat(e.published()).isEqualTo(new PublishResult(0, 1, 0));
              assertThat(e.getMessage())
                  .startsWith("2 change event(s) not published (0 published): ")
                  .contains("index orders/1 (", "delete orders/2 (");
            });
  }

  @Test
  void retriesTransientEntryFailuresAndReportsPermanentOnes() {
    String queue = fifoQueue();
    // SQS cannot be made to fail one entry on demand, so this client does: entry "flaky" fails
    // on the service side twice, entry "refused" is the sender's fault every time.
    Map<String, Integer> serviceFailuresLeft = new LinkedHashMap<>(Map.of("flaky", 2));
    FailingEntries client =
        new FailingEntries(
            sqs,
            body -> {
              if (body.contains("\"id\":\"refused\"")) {
                return error(true, "InvalidParameterValue", "refused by the test");
              }
              if (body.contains("\"id\":\"flaky\"")
                  && serviceFailuresLeft.merge("flaky", -1, Integer::sum) >= 0) {
                return error(false, "InternalError", "try again");
              }
              return null;
            });
    ChangePublisher publisher =
        ChangePublisher.builder(client, queue).backoffBase(Duration.ofMillis(5)).build();
    ChangeEvent ok = ChangeEvent.indexed("orders", "fine");
    ChangeEvent flaky = ChangeEvent.indexed("orders", "flaky");
    ChangeEvent refused = ChangeEvent.indexed("orders", "refused");

    assertThatThrownBy(() -> publisher.publishAll(List.of(ok, flaky, refused)))
        .isInstanceOfSatisfying(
            PublishException.class,
            e -> {
              assertThat(e.failures())
                  .containsExactly(
                      new PublishException.Failure(
                          refused, "InvalidParameterValue", "refused by the test", 1));
              assertThat(e.published()).isEqualTo(new PublishResult(2, 3, 2));
            });
    assertThat(client.calls.get()).isEqualTo(3);
    assertThat(drain(queue).stream().map(m -> new ChangeEventCodec().parse(m.body()).id()))
        .containsExactlyInAnyOrder("fine", "flaky");
  }

  @Test
  void givesUpOnATransientFailureAfterMaxAttempts() {
    String queue = standardQueue();
    FailingEntries client =
        new FailingEntries(sqs, body -> error(false, "ServiceUnavailable", "still down"));
    ChangePublisher publisher =
        ChangePublisher.builder(client, queue)
            .maxAttempts(3)
            .backoffBase(Duration.ofMillis(1))
            .build();
    ChangeEvent event = ChangeEvent.indexed("orders", "1");

    assertThatThrownBy(() -> publisher.publish(event))
        .isInstanceOfSatisfying(
            PublishException.class,
            e -> {
              assertThat(e.failures())
                  .containsExactly(
                      new PublishException.Failure(event, "ServiceUnavailable", "still down", 3));
              assertThat(e.published()).isEqualTo(new PublishResult(0, 3, 2));
            });
    assertThat(drain(queue)).isEmpty();
  }

  @Test
  void refusesAnInvalidEventBeforeSendingAnything() {
    String queue = standardQueue();
    FailingEntries client = new FailingEntries(sqs, body -> null);
    ChangePublisher publisher = ChangePublisher.create(client, queue);

    assertThatThrownBy(
            () ->
                publisher.publishAll(
                    List.of(
                        ChangeEvent.indexed("orders", "1"), ChangeEvent.indexed("Orders", "2"))))
        .isInstanceOf(InvalidChangeEventException.class)
        .hasMessage("invalid index name \"Orders\": must be lowercase");
    assertThat(client.calls.get()).isZero();
  }

  private static ChangeEvent event(String id, ChangeEvent.Op op, long seqNo, long primaryTerm) {
    return new ChangeEvent("orders-v1", id, op, seqNo, primaryTerm, null);
  }

  private static Map<String, String> mapOf(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static BatchResultErrorEntry error(boolean senderFault, String code, String message) {
    return BatchResultErrorEntry.builder()
        .senderFault(senderFault)
        .code(code)
        .message(message)
        .build();
  }

  private static JsonNode fixture(String resource) throws IOException {
    try (InputStream in = ChangePublisherIT.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return JSON.readTree(in);
    }
  }

  private static String fifoQueue() {
    return sqs.createQueue(
            r ->
                r.queueName("events-" + QUEUES.incrementAndGet() + ".fifo")
                    .attributes(
                        Map.of(
                            QueueAttributeName.FIFO_QUEUE, "true",
                            QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false")))
        .queueUrl();
  }

  private static String standardQueue() {
    return sqs.createQueue(r -> r.queueName("events-" + QUEUES.incrementAndGet())).queueUrl();
  }

  /** Receives and deletes until the queue stays empty, in the order SQS hands messages out. */
  private static List<Message> drain(String queue) {
    List<Message> all = new ArrayList<>();
    int emptyPolls = 0;
    while (emptyPolls < 2) {
      List<Message> batch =
          sqs.receiveMessage(
                  r ->
                      r.queueUrl(queue)
                          .maxNumberOfMessages(10)
                          .waitTimeSeconds(0)
                          .messageSystemAttributeNames(MessageSystemAttributeName.ALL))
              .messages();
      if (batch.isEmpty()) {
        emptyPolls++;
        continue;
      }
      emptyPolls = 0;
      all.addAll(batch);
      for (Message m : batch) {
        sqs.deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
      }
    }
    return all;
  }

  /**
   * Sends through the real client, but first takes out the entries {@code verdict} fails and
   * reports them as SQS would in {@code Failed}.
   */
  private static final class FailingEntries implements SqsClient {
    private final SqsClient real;
    private final Function<String, BatchResultErrorEntry> verdict;
    final AtomicInteger calls = new AtomicInteger();

    FailingEntries(SqsClient real, Function<String, BatchResultErrorEntry> verdict) {
      this.real = real;
      this.verdict = verdict;
    }

    @Override
    public SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
      calls.incrementAndGet();
      List<SendMessageBatchRequestEntry> passed = new ArrayList<>();
      List<BatchResultErrorEntry> failed = new ArrayList<>();
      for (SendMessageBatchRequestEntry entry : request.entries()) {
        BatchResultErrorEntry error = verdict.apply(entry.messageBody());
        if (error == null) {
          passed.add(entry);
        } else {
          failed.add(error.toBuilder().id(entry.id()).build());
        }
      }
      SendMessageBatchResponse.Builder response = SendMessageBatchResponse.builder();
      if (!passed.isEmpty()) {
        response.successful(
            real.sendMessageBatch(request.toBuilder().entries(passed).build()).successful());
      } else {
        response.successful(List.of());
      }
      return response.failed(failed).build();
    }

    @Override
    public String serviceName() {
      return SERVICE_NAME;
    }

    @Override
    public SqsServiceClientConfiguration serviceClientConfiguration() {
      return real.serviceClientConfiguration();
    }

    @Override
    public void close() {}
  }
}
