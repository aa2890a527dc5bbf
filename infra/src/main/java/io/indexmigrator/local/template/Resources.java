package io.indexmigrator.local.template;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The resolved resources of a template that the local twin provisions. */
public final class Resources {
  private Resources() {}

  public record KeyElement(String attributeName, String keyType) {}

  public record SecondaryIndex(
      String indexName, List<KeyElement> keySchema, String projectionType) {}

  public record Table(
      String logicalId,
      String tableName,
      Map<String, String> attributeTypes,
      List<KeyElement> keySchema,
      List<SecondaryIndex> globalSecondaryIndexes,
      Optional<String> ttlAttribute,
      Optional<String> streamViewType) {}

  public record RedrivePolicy(String deadLetterQueueLogicalId, int maxReceiveCount) {}

  public record Queue(
      String logicalId,
      String queueName,
      String url,
      String arn,
      boolean fifo,
      boolean contentBasedDeduplication,
      int visibilityTimeoutSeconds,
      int messageRetentionSeconds,
      int delaySeconds,
      Optional<RedrivePolicy> redrivePolicy) {}

  public record SqsEventSource(
      String name,
      String queueLogicalId,
      int batchSize,
      Duration maximumBatchingWindow,
      boolean reportBatchItemFailures,
      boolean enabled,
      Integer maximumConcurrency) {}

  /**
   * A function's {@code Events: Type: DynamoDB}: a DynamoDB stream event-source mapping.
   *
   * @param functionLogicalId the function it belongs to
   * @param name the event's key under {@code Events}
   * @param streamArn the resolved {@code Stream}
   * @param tableName the table named inside the stream ARN
   * @param startingPosition {@code TRIM_HORIZON} or {@code LATEST}
   */
  public record DynamoStreamEvent(
      String functionLogicalId,
      String name,
      String streamArn,
      String tableName,
      int batchSize,
      String startingPosition,
      boolean reportBatchItemFailures,
      boolean enabled) {}

  public record Function(
      String logicalId,
      String functionName,
      String arn,
      String handler,
      Path codeUri,
      String runtime,
      Duration timeout,
      int memoryMb,
      Map<String, String> environment,
      List<SqsEventSource> sqsEvents) {

    /** The class part of a {@code pkg.Class::method} handler string. */
    public String handlerClass() {
      int sep = handler.indexOf("::");
      return sep < 0 ? handler : handler.substring(0, sep);
    }
  }

  public record StateMachine(
      String logicalId,
      String name,
      String arn,
      Path definitionUri,
      Map<String, String> substitutions,
      String definition) {}
}
