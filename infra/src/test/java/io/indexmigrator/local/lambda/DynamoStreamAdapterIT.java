package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.events.MessageKeys;
import io.indexmigrator.local.aws.AwsClients;
import io.indexmigrator.local.aws.LocalDynamoDb;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The DynamoDB stream adapter from the shaded functions jar, run by the Lambda host on a stream of
 * DynamoDB Local, publishing to a FIFO queue of ElasticMQ: every write becomes a change event in
 * its document's message group, an item the id template cannot name is retried and then skipped,
 * and the mapping can be disabled and enabled through the Lambda API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DynamoStreamAdapterIT {
  static final Path FUNCTIONS_JAR =
      Path.of("..", "functions", "handlers", "target", "migrator-functions.jar")
          .toAbsolutePath()
          .normalize();
  static final Path workDir = Path.of("target", "lambda-ddb-stream-it").toAbsolutePath();
  static final Duration AWAIT = Duration.ofSeconds(60);
  static final String TABLE = "Records";
  static final String FUNCTION = "stream-adapter";
  static final String MAPPING = "esm-records";

  static LocalDynamoDb dynamoDb;
  static DynamoDbClient dynamo;
  static DynamoDbStreamsClient streams;
  static SQSRestServer elasticMq;
  static SqsClient sqs;
  static String queue;
  static LocalLambdaHost host;
  static LambdaClient lambda;

  @BeforeAll
  static void start() throws IOException {
    assertThat(FUNCTIONS_JAR)
        .as("build it first: mvn -pl functions/handlers -am package -DskipTests")
        .exists();
    dynamoDb = LocalDynamoDb.start(0, Optional.empty());
    dynamo = AwsClients.dynamo(dynamoDb.endpoint(), "us-east-1");
    streams = AwsClients.dynamoStreams(dynamoDb.endpoint(), "us-east-1");
    dynamo.createTable(
        r ->
            r.tableName(TABLE)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .billingMode("PAY_PER_REQUEST")
                .streamSpecification(
                    s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));

    elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    URI sqsEndpoint =
        URI.create("http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort());
    sqs = AwsClients.sqs(sqsEndpoint, "us-east-1");
    queue =
        sqs.createQueue(
                r ->
                    r.queueName("sync-events.fifo")
                        .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true")))
            .queueUrl();

    Files.createDirectories(workDir);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SYNC_QUEUE_URL", queue);
    env.put("ADAPTER_INDEX", "records");
    env.put("ADAPTER_ID_TEMPLATE", "{tenant}:{pk}");
    env.put("ADAPTER_ROUTING_ATTRIBUTE", "tenant");
    env.put("AWS_ENDPOINT_URL_SQS", sqsEndpoint.toString());
    env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString());
    host =
        LocalLambdaHost.start(
            0,
            List.of(
                new FunctionSpec(
                    FUNCTION,
                    "io.indexmigrator.functions.adapter.DynamoStreamAdapter",
                    List.of(FUNCTIONS_JAR),
                    env,
                    Duration.ofSeconds(30),
                    512,
                    1)),
            List.of(),
            List.of(
                new DynamoStreamEventSource(
                    MAPPING,
                    FUNCTION,
                    "arn:aws:dynamodb:us-east-1:000000000000:table/" + TABLE + "/stream/local",
                    TABLE,
                    10,
                    DynamoStreamEventSource.StartingPosition.LATEST,
                    true,
                    true)),
            sqs,
            streams,
            workDir);
    lambda = TestFunctions.lambdaClient(host);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable part : new AutoCloseable[] {lambda, host, streams, dynamo, sqs}) {
      try {
        if (part != null) {
          part.close();
        }
      } catch (Exception e) {
        // Keep stopping the rest.
      }
    }
    if (elasticMq != null) {
      elasticMq.stopAndWait();
    }
    if (dynamoDb != null) {
      dynamoDb.close();
    }
  }

  @BeforeEach
  void mappingIsEnabled() {
    assertThat(mapping().state()).isEqualTo("Enabled");
  }

  @Test
  @Order(1)
  void everyWriteBecomesAnEventInItsDocumentsGroup() {
    put("a1", "acme", "first");
    put("a1", "acme", "second");
    put("b2", "acme", "other");
    dynamo.deleteItem(r -> r.tableName(TABLE).key(Map.of("pk", s("a1"))));

    List<Message> received = receive(4);

    assertThat(received)
        .extracting(Message::body)
        .containsExactlyInAnyOrder(
            event("index", "acme:a1"),
            event("index", "acme:a1"),
            event("index", "acme:b2"),
            event("delete", "acme:a1"));
    // Each document in its one group (MessageKeys.groupId), and within it the stream's order.
    assertThat(received)
        .filteredOn(m -> m.body().contains("\"acme:a1\""))
        .allMatch(m -> group(m).equals(MessageKeys.groupId("records", "acme:a1")))
        .extracting(Message::body)
        .containsExactly(
            event("index", "acme:a1"), event("index", "acme:a1"), event("delete", "acme:a1"));
    assertThat(received)
        .filteredOn(m -> m.body().contains("\"acme:b2\""))
        .singleElement()
        .satisfies(m -> assertThat(group(m)).isEqualTo(MessageKeys.groupId("records", "acme:b2")));
  }

  @Test
  @Order(2)
  void aRecordTheTemplateCannotNameIsRetriedThenSkipped() throws IOException {
    put("c3", null, "no tenant");
    put("d4", "acme", "fine");

    await(() -> logLines("attribute 'tenant' is missing") >= DynamoStreamPoller.MAX_ATTEMPTS);
    // The good record of the failing batches was published on each attempt (at least once).
    List<Message> received = receive(1);
    assertThat(received).extracting(Message::body).contains(event("index", "acme:d4"));

    put("e5", "acme", "after the skip");
    List<Message> later = receiveUntil(event("index", "acme:e5"));
    assertThat(later).extracting(Message::body).allMatch(body -> body.contains("acme:"));
    assertThat(logLines("attribute 'tenant' is missing"))
        .as("attempts on the bad record, then it is skipped")
        .isEqualTo(DynamoStreamPoller.MAX_ATTEMPTS);
  }

  @Test
  @Order(3)
  void aDisabledMappingHoldsRecordsUntilEnabled() throws InterruptedException {
    lambda.updateEventSourceMapping(r -> r.uuid(MAPPING).enabled(false));
    await(() -> mapping().state().equals("Disabled"));

    put("f6", "globex", "while disabled");
    Thread.sleep(3000);
    assertThat(sqs.receiveMessage(r -> r.queueUrl(queue).waitTimeSeconds(1)).messages()).isEmpty();

    lambda.updateEventSourceMapping(r -> r.uuid(MAPPING).enabled(true));
    List<Message> received = receive(1);
    assertThat(received).extracting(Message::body).containsExactly(event("index", "globex:f6"));
    assertThat(group(received.get(0))).isEqualTo(MessageKeys.groupId("records", "globex:f6"));
  }

  @Test
  @Order(4)
  void theMappingIsListedWithItsStream() {
    List<EventSourceMappingConfiguration> mappings =
        lambda.listEventSourceMappings(r -> r.functionName(FUNCTION)).eventSourceMappings();
    assertThat(mappings).hasSize(1);
    assertThat(mappings.get(0).eventSourceArn()).contains(":table/" + TABLE + "/stream/");
    assertThat(mappings.get(0).startingPositionAsString()).isEqualTo("LATEST");
  }

  // ---------------------------------------------------------------- helpers

  static software.amazon.awssdk.services.lambda.model.GetEventSourceMappingResponse mapping() {
    return lambda.getEventSourceMapping(r -> r.uuid(MAPPING));
  }

  static void put(String pk, String tenant, String text) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", s(pk));
    item.put("text", s(text));
    if (tenant != null) {
      item.put("tenant", s(tenant));
    }
    dynamo.putItem(r -> r.tableName(TABLE).item(item));
  }

  static AttributeValue s(String value) {
    return AttributeValue.builder().s(value).build();
  }

  static String event(String op, String id) {
    return "{\"index\":\"records\",\"id\":\""
        + id
        + "\",\"op\":\""
        + op
        + "\",\"routing\":\""
        + id.substring(0, id.indexOf(':'))
        + "\"}";
  }

  static String group(Message message) {
    return message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID);
  }

  /** Receives and deletes messages until at least {@code count} have arrived. */
  static List<Message> receive(int count) {
    List<Message> received = new ArrayList<>();
    await(
        () -> {
          received.addAll(receiveOnce());
          return received.size() >= count;
        });
    return received;
  }

  static List<Message> receiveUntil(String body) {
    List<Message> received = new ArrayList<>();
    await(
        () -> {
          received.addAll(receiveOnce());
          return received.stream().anyMatch(m -> m.body().equals(body));
        });
    return received;
  }

  static List<Message> receiveOnce() {
    List<Message> messages =
        sqs.receiveMessage(
                r ->
                    r.queueUrl(queue)
                        .maxNumberOfMessages(10)
                        .waitTimeSeconds(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID))
            .messages();
    messages.forEach(
        m -> sqs.deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle())));
    return messages;
  }

  /** Lines of the adapter's logs (all its execution environments) containing {@code text}. */
  static long logLines(String text) {
    try (Stream<Path> logs = Files.list(workDir.resolve(FUNCTION))) {
      long count = 0;
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
        count += Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
      }
      return count;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + AWAIT);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
