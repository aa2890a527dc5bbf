package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import io.indexmigrator.events.ChangePublisher;
import io.indexmigrator.functions.adapter.AdapterConfig;
import io.indexmigrator.functions.adapter.DynamoStreamAdapter;
import io.indexmigrator.functions.adapter.IdTemplate;
import io.indexmigrator.local.aws.AwsClients;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The adapter handler in-process against ElasticMQ: what it publishes, and which records it reports
 * failed when the queue refuses the events.
 */
class DynamoStreamAdapterPublishTest {
  static final String ARN =
      "arn:aws:dynamodb:us-east-1:000000000000:table/Records/stream/2026-11-25T00:00:00.000";

  static SQSRestServer elasticMq;
  static SqsClient sqs;
  static String queue;

  @BeforeAll
  static void start() {
    elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    URI endpoint =
        URI.create("http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort());
    sqs = AwsClients.sqs(endpoint, "us-east-1");
    queue =
        sqs.createQueue(
                r ->
                    r.queueName("adapter-test.fifo")
                        .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true")))
            .queueUrl();
  }

  @AfterAll
  static void stop() {
    sqs.close();
    elasticMq.stopAndWait();
  }

  static DynamoStreamAdapter adapter(String queueUrl) {
    return new DynamoStreamAdapter(
        new AdapterConfig(queueUrl, "records", IdTemplate.parse("{pk}"), null, null, null),
        ChangePublisher.builder(sqs, queueUrl).maxAttempts(2).backoffBase(Duration.ZERO).build(),
        table -> {
          throw new AssertionError("the id template is configured; no key schema is needed");
        });
  }

  static DynamodbStreamRecord record(String sequence, String eventName, AttributeValue pk) {
    DynamodbStreamRecord record = new DynamodbStreamRecord();
    record.setEventName(eventName);
    record.setEventSourceARN(ARN);
    StreamRecord change = new StreamRecord();
    change.setSequenceNumber(sequence);
    change.setKeys(Map.of("pk", pk));
    record.setDynamodb(change);
    return record;
  }

  static DynamodbEvent event(DynamodbStreamRecord... records) {
    DynamodbEvent event = new DynamodbEvent();
    event.setRecords(List.of(records));
    return event;
  }

  static List<String> failures(StreamsEventResponse response) {
    return response.getBatchItemFailures().stream()
        .map(StreamsEventResponse.BatchItemFailure::getItemIdentifier)
        .toList();
  }

  @Test
  void publishesOneEventPerRecordAndReportsOnlyTheUnmappable() {
    StreamsEventResponse response =
        adapter(queue)
            .handleRequest(
                event(
                    record("1", "INSERT", new AttributeValue().withS("a")),
                    record("2", "REMOVE", new AttributeValue().withN("12")),
                    record("3", "MODIFY", new AttributeValue().withBOOL(true))),
                null);

    assertThat(failures(response)).containsExactly("3");
    List<Message> messages =
        sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1))
            .messages();
    assertThat(messages)
        .extracting(Message::body)
        .containsExactlyInAnyOrder(
            "{\"index\":\"records\",\"id\":\"a\",\"op\":\"index\"}",
            "{\"index\":\"records\",\"id\":\"12\",\"op\":\"delete\"}");
  }

  @Test
  void eventsTheQueueRefusesAreReportedByTheirRecordsSequenceNumbers() {
    String missingQueue = queue.replace("adapter-test.fifo", "no-such-queue.fifo");

    StreamsEventResponse response =
        adapter(missingQueue)
            .handleRequest(
                event(
                    record("10", "INSERT", new AttributeValue().withS("a")),
                    record(
                        "11",
                        "MODIFY",
                        new AttributeValue().withB(java.nio.ByteBuffer.allocate(1))),
                    record("12", "INSERT", new AttributeValue().withS("b"))),
                null);

    assertThat(failures(response)).containsExactly("10", "11", "12");
  }
}
