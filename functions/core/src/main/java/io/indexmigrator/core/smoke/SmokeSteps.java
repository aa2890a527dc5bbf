package io.indexmigrator.core.smoke;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The steps of the deployment smoke test (statemachine/smoke.asl.json). Each touches a real
 * dependency: the cluster, the state table, the smoke queue. Message bodies steer failures so that
 * the state machine's Retry and Catch paths are exercised on the real deployment.
 */
public final class SmokeSteps {
  public static final String FLAKY = "flaky:";
  public static final String FAIL = "fail:";
  public static final String POISON = "poison:";
  private static final long RECORD_TTL_SECONDS = 24 * 3600;

  private final DynamoDbClient dynamo;
  private final SqsClient sqs;
  private final String table;
  private final String queueUrl;
  private final Supplier<Map<String, Object>> clusterInfo;

  public SmokeSteps(
      DynamoDbClient dynamo,
      SqsClient sqs,
      String table,
      String queueUrl,
      Supplier<Map<String, Object>> clusterInfo) {
    this.dynamo = dynamo;
    this.sqs = sqs;
    this.table = table;
    this.queueUrl = queueUrl;
    this.clusterInfo = clusterInfo;
  }

  public Map<String, Object> probeCluster() {
    return clusterInfo.get();
  }

  /**
   * Sends {@code body} to the smoke queue. A body {@code flaky:N} fails its first N attempts with a
   * retryable error (attempts are counted in the state table, so they survive the Lambda); a body
   * {@code fail:why} fails for good.
   */
  public Map<String, Object> sendMessage(String runId, String body) {
    if (body.startsWith(FAIL)) {
      throw new MigrationFailedException(
          "smoke step asked to fail: " + body.substring(FAIL.length()));
    }
    if (body.startsWith(FLAKY)) {
      int failures = parseCount(body);
      long attempt = countAttempt(runId, body);
      if (attempt <= failures) {
        throw new RetryableMigrationException(
            "smoke step '"
                + body
                + "' fails attempt "
                + attempt
                + " of "
                + failures
                + " on purpose");
      }
    }
    String messageId =
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(runId + "\n" + body)).messageId();
    return Map.of("body", body, "messageId", messageId);
  }

  /** Records a message the queue consumer accepted; a {@code poison:} body is refused. */
  public void acceptMessage(String rawMessage) {
    int newline = rawMessage.indexOf('\n');
    if (newline < 1) {
      throw new MigrationFailedException("smoke message is not '<runId>\\n<body>': " + rawMessage);
    }
    String runId = rawMessage.substring(0, newline);
    String body = rawMessage.substring(newline + 1);
    if (body.startsWith(POISON)) {
      throw new MigrationFailedException("poison message refused: " + body);
    }
    dynamo.putItem(
        r ->
            r.tableName(table)
                .item(
                    Map.of(
                        "pk", AttributeValue.fromS(partition(runId)),
                        "sk", AttributeValue.fromS("delivered#" + body),
                        "expiresAt", AttributeValue.fromN(expiry()))));
  }

  /** How many of the messages that should reach the consumer have reached it. */
  public Map<String, Object> countDeliveries(String runId, List<String> messages, int polls) {
    long expected =
        messages.stream().filter(m -> !m.startsWith(POISON) && !m.startsWith(FAIL)).count();
    int delivered =
        dynamo
            .query(
                r ->
                    r.tableName(table)
                        .consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :delivered)")
                        .expressionAttributeValues(
                            Map.of(
                                ":pk", AttributeValue.fromS(partition(runId)),
                                ":delivered", AttributeValue.fromS("delivered#"))))
            .count();
    return Map.of(
        "delivered",
        delivered,
        "expected",
        expected,
        "complete",
        delivered >= expected,
        "polls",
        polls + 1);
  }

  private long countAttempt(String runId, String body) {
    var updated =
        dynamo.updateItem(
            r ->
                r.tableName(table)
                    .key(
                        Map.of(
                            "pk", AttributeValue.fromS(partition(runId)),
                            "sk", AttributeValue.fromS("attempts#" + body)))
                    .updateExpression("ADD attempts :one SET expiresAt = :expiry")
                    .expressionAttributeValues(
                        Map.of(
                            ":one", AttributeValue.fromN("1"),
                            ":expiry", AttributeValue.fromN(expiry())))
                    .returnValues(ReturnValue.UPDATED_NEW));
    return Long.parseLong(updated.attributes().get("attempts").n());
  }

  private static int parseCount(String body) {
    try {
      return Integer.parseInt(body.substring(FLAKY.length()).trim());
    } catch (NumberFormatException e) {
      throw new MigrationFailedException("flaky smoke body needs a count, e.g. flaky:2: " + body);
    }
  }

  private static String partition(String runId) {
    return "smoke#" + runId;
  }

  private static String expiry() {
    return String.valueOf(System.currentTimeMillis() / 1000 + RECORD_TTL_SECONDS);
  }
}
