package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

class DynamoStreamPollerTest {
  static final String ARN =
      "arn:aws:dynamodb:eu-west-1:000000000000:table/Records/stream/2026-11-25T00:00:00.000";
  static final DynamoStreamEventSource SOURCE =
      new DynamoStreamEventSource(
          "m", "fn", ARN, null, 10, DynamoStreamEventSource.StartingPosition.LATEST, true, true);

  static Record record(String sequence, OperationType op, Map<String, AttributeValue> image) {
    return Record.builder()
        .eventID("id-" + sequence)
        .eventName(op)
        .eventVersion("1.1")
        .eventSource("aws:dynamodb")
        .dynamodb(
            StreamRecord.builder()
                .approximateCreationDateTime(Instant.ofEpochSecond(1_764_028_800L))
                .keys(Map.of("pk", AttributeValue.fromS("a1"), "n", AttributeValue.fromN("7")))
                .newImage(image)
                .sequenceNumber(sequence)
                .sizeBytes(42L)
                .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                .build())
        .build();
  }

  @Test
  void theEventIsWhatTheJavaRuntimeReadsAsADynamodbEvent() {
    Map<String, AttributeValue> image =
        Map.of(
            "pk", AttributeValue.fromS("a1"),
            "nested", AttributeValue.fromM(Map.of("on", AttributeValue.fromBool(true))),
            "tags", AttributeValue.fromSs(List.of("x", "y")),
            "list", AttributeValue.fromL(List.of(AttributeValue.fromN("1"))),
            "blob", AttributeValue.fromB(SdkBytes.fromUtf8String("hi")),
            "none", AttributeValue.fromNul(true));
    Record ttlDelete =
        record("200", OperationType.REMOVE, Map.of()).toBuilder()
            .userIdentity(
                Identity.builder().type("Service").principalId("dynamodb.amazonaws.com").build())
            .build();
    byte[] json =
        DynamoStreamPoller.eventJson(
            SOURCE, ARN, List.of(record("100", OperationType.INSERT, image), ttlDelete));

    DynamodbEvent event =
        LambdaEventSerializers.serializerFor(DynamodbEvent.class, getClass().getClassLoader())
            .fromJson(new ByteArrayInputStream(json));

    assertThat(event.getRecords()).hasSize(2);
    var insert = event.getRecords().get(0);
    assertThat(insert.getEventName()).isEqualTo("INSERT");
    assertThat(insert.getEventSource()).isEqualTo("aws:dynamodb");
    assertThat(insert.getEventSourceARN()).isEqualTo(ARN);
    assertThat(insert.getAwsRegion()).isEqualTo("eu-west-1");
    assertThat(insert.getEventID()).isEqualTo("id-100");
    var change = insert.getDynamodb();
    assertThat(change.getSequenceNumber()).isEqualTo("100");
    assertThat(change.getSizeBytes()).isEqualTo(42L);
    assertThat(change.getStreamViewType()).isEqualTo("NEW_AND_OLD_IMAGES");
    assertThat(change.getApproximateCreationDateTime().toInstant())
        .isEqualTo(Instant.ofEpochSecond(1_764_028_800L));
    assertThat(change.getKeys().get("pk").getS()).isEqualTo("a1");
    assertThat(change.getKeys().get("n").getN()).isEqualTo("7");
    var newImage = change.getNewImage();
    assertThat(newImage.get("nested").getM().get("on").getBOOL()).isTrue();
    assertThat(newImage.get("tags").getSS()).containsExactly("x", "y");
    assertThat(newImage.get("list").getL().get(0).getN()).isEqualTo("1");
    assertThat(StandardCharsets.UTF_8.decode(newImage.get("blob").getB()).toString())
        .isEqualTo("hi");
    assertThat(newImage.get("none").isNULL()).isTrue();
    assertThat(event.getRecords().get(1).getEventName()).isEqualTo("REMOVE");
    assertThat(new String(json, StandardCharsets.UTF_8))
        .contains(
            "\"userIdentity\":{\"type\":\"Service\",\"principalId\":\"dynamodb.amazonaws.com\"}");
  }

  @Test
  void partialResponsesRetryFromTheEarliestNamedRecord() {
    List<Record> batch =
        List.of(
            record("100", OperationType.INSERT, Map.of()),
            record("200", OperationType.MODIFY, Map.of()),
            record("300", OperationType.REMOVE, Map.of()));

    assertThat(firstFailed("", batch)).isEmpty();
    assertThat(firstFailed("null", batch)).isEmpty();
    assertThat(firstFailed("{\"batchItemFailures\":[]}", batch)).isEmpty();
    assertThat(
            firstFailed(
                "{\"batchItemFailures\":[{\"itemIdentifier\":\"300\"},{\"itemIdentifier\":\"200\"}]}",
                batch))
        .contains("200");
    // What Lambda cannot use fails the whole batch.
    assertThat(firstFailed("{\"batchItemFailures\":[{\"itemIdentifier\":\"999\"}]}", batch))
        .contains("100");
    assertThat(firstFailed("{\"batchItemFailures\":[{}]}", batch)).contains("100");
    assertThat(firstFailed("not json", batch)).contains("100");
  }

  private static Optional<String> firstFailed(String response, List<Record> batch) {
    return DynamoStreamPoller.firstFailed(
        InvocationResult.success("r", response.getBytes(StandardCharsets.UTF_8)), batch);
  }
}
