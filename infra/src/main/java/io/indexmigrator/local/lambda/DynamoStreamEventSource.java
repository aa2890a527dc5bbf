package io.indexmigrator.local.lambda;

import java.util.Objects;

/**
 * A DynamoDB stream event-source mapping: the equivalent of a function's {@code Events: Type:
 * DynamoDB} in the template.
 *
 * @param uuid the mapping's id, used by the event-source-mapping API
 * @param functionName the function the batches are sent to
 * @param streamArn the stream as the template names it; put into every record as {@code
 *     eventSourceARN} unless {@code tableName} finds the table's current stream, and its region
 *     becomes {@code awsRegion}
 * @param tableName the table whose latest stream is read, or null to read {@code streamArn} itself
 *     (DynamoDB Local gives streams ARNs the template cannot know in advance)
 * @param batchSize the most records in one event (1 to 10000)
 * @param startingPosition where a mapping starts reading the shards it finds at start
 * @param reportBatchItemFailures whether the function reports partial failures ({@code
 *     FunctionResponseTypes: [ReportBatchItemFailures]})
 * @param enabled whether the mapping polls at start
 */
public record DynamoStreamEventSource(
    String uuid,
    String functionName,
    String streamArn,
    String tableName,
    int batchSize,
    StartingPosition startingPosition,
    boolean reportBatchItemFailures,
    boolean enabled) {

  /** Lambda's starting positions for stream sources ({@code AT_TIMESTAMP} is not supported). */
  public enum StartingPosition {
    TRIM_HORIZON,
    LATEST
  }

  public DynamoStreamEventSource {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(functionName, "functionName");
    Objects.requireNonNull(startingPosition, "startingPosition");
    if ((streamArn == null || streamArn.isBlank()) && (tableName == null || tableName.isBlank())) {
      throw new IllegalArgumentException("Mapping " + uuid + " names neither a stream nor a table");
    }
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException(
          "Mapping " + uuid + " batch size must be 1..10000, was " + batchSize);
    }
  }

  /** The stream's region from its ARN, or the host's region when it has none. */
  public String region() {
    String[] parts = streamArn == null ? new String[0] : streamArn.split(":");
    return parts.length >= 6 && parts[0].equals("arn") ? parts[3] : LocalLambdaHost.REGION;
  }

  DynamoStreamEventSource withSettings(boolean enabled, int batchSize) {
    return new DynamoStreamEventSource(
        uuid,
        functionName,
        streamArn,
        tableName,
        batchSize,
        startingPosition,
        reportBatchItemFailures,
        enabled);
  }
}
