package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

class SqsEventSourcePollerTest {

  static final List<Message> BATCH =
      List.of(message("m-1", "ok"), message("m-2", "fail"), message("m-3", "ok"));

  @Test
  void reportedFailuresAreTheOnlyOnesKept() {
    assertThat(failed("{\"batchItemFailures\":[{\"itemIdentifier\":\"m-2\"}]}"))
        .containsExactly("m-2");
  }

  @Test
  void emptyOrNullResponsesMeanTheWholeBatchSucceeded() {
    assertThat(failed("")).isEmpty();
    assertThat(failed("null")).isEmpty();
    assertThat(failed("{}")).isEmpty();
    assertThat(failed("{\"batchItemFailures\":null}")).isEmpty();
    assertThat(failed("{\"batchItemFailures\":[]}")).isEmpty();
  }

  @Test
  void responsesLambdaCannotInterpretFailTheWholeBatch() {
    List<String> all = List.of("m-1", "m-2", "m-3");
    assertThat(failed("{\"batchItemFailures\":[{\"itemIdentifier\":\"m-9\"}]}"))
        .containsExactlyInAnyOrderElementsOf(all);
    assertThat(failed("{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}"))
        .containsExactlyInAnyOrderElementsOf(all);
    assertThat(failed("{\"batchItemFailures\":[{\"id\":\"m-2\"}]}"))
        .containsExactlyInAnyOrderElementsOf(all);
    assertThat(failed("{\"batchItemFailures\":\"m-2\"}")).containsExactlyInAnyOrderElementsOf(all);
    assertThat(failed("not json")).containsExactlyInAnyOrderElementsOf(all);
    assertThat(failed("\"a string\"")).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void pollersAreBoundedByTheMappingsMaximumConcurrency() {
    SqsEventSource source =
        new SqsEventSource(
            "esm-1",
            "worker",
            "http://127.0.0.1:9324/000000000000/q",
            "arn:aws:sqs:eu-west-1:000000000000:q",
            10,
            Duration.ZERO,
            true,
            true);

    assertThat(SqsEventSourcePoller.pollers(source, 4)).isEqualTo(4);
    assertThat(SqsEventSourcePoller.pollers(source.withMaximumConcurrency(2), 4)).isEqualTo(2);
    assertThat(SqsEventSourcePoller.pollers(source.withMaximumConcurrency(10), 4)).isEqualTo(4);
    assertThatThrownBy(() -> source.withMaximumConcurrency(1))
        .hasMessageContaining("maximum concurrency must be 2..1000, was 1");
  }

  @Test
  void eventHasLambdaSqsRecordShape() throws Exception {
    SqsEventSource source =
        new SqsEventSource(
            "esm-1",
            "worker",
            "http://127.0.0.1:9324/000000000000/q",
            "arn:aws:sqs:eu-west-1:000000000000:q",
            10,
            Duration.ZERO,
            true,
            true);
    Message withAttributes =
        message("m-4", "{\"doc\":1}").toBuilder()
            .messageAttributes(
                Map.of(
                    "index",
                    MessageAttributeValue.builder()
                        .dataType("String")
                        .stringValue("products")
                        .build(),
                    "checksum",
                    MessageAttributeValue.builder()
                        .dataType("Binary")
                        .binaryValue(SdkBytes.fromUtf8String("abc"))
                        .build()))
            .md5OfMessageAttributes("attr-md5")
            .build();

    JsonNode event =
        JsonText.MAPPER.readTree(SqsEventSourcePoller.eventJson(source, List.of(withAttributes)));

    JsonNode record = event.get("Records").get(0);
    assertThat(record.get("messageId").asText()).isEqualTo("m-4");
    assertThat(record.get("receiptHandle").asText()).isEqualTo("rh-m-4");
    assertThat(record.get("body").asText()).isEqualTo("{\"doc\":1}");
    assertThat(record.at("/attributes/ApproximateReceiveCount").asText()).isEqualTo("1");
    assertThat(record.at("/attributes/SentTimestamp").asText()).isEqualTo("1700000000000");
    assertThat(record.at("/messageAttributes/index/stringValue").asText()).isEqualTo("products");
    assertThat(record.at("/messageAttributes/index/dataType").asText()).isEqualTo("String");
    assertThat(record.at("/messageAttributes/checksum/binaryValue").asText()).isEqualTo("YWJj");
    assertThat(record.at("/messageAttributes/index/stringListValues").isArray()).isTrue();
    assertThat(record.get("md5OfMessageAttributes").asText()).isEqualTo("attr-md5");
    assertThat(record.get("md5OfBody").asText()).isEqualTo("md5-m-4");
    assertThat(record.get("eventSource").asText()).isEqualTo("aws:sqs");
    assertThat(record.get("eventSourceARN").asText()).isEqualTo(source.queueArn());
    assertThat(record.get("awsRegion").asText()).isEqualTo("eu-west-1");
  }

  private static List<String> failed(String response) {
    InvocationResult result =
        InvocationResult.success("req", response.getBytes(StandardCharsets.UTF_8));
    return List.copyOf(SqsEventSourcePoller.failedIds(result, BATCH));
  }

  private static Message message(String id, String body) {
    return Message.builder()
        .messageId(id)
        .receiptHandle("rh-" + id)
        .body(body)
        .md5OfBody("md5-" + id)
        .attributes(
            Map.of(
                MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1",
                MessageSystemAttributeName.SENT_TIMESTAMP, "1700000000000"))
        .build();
  }
}
