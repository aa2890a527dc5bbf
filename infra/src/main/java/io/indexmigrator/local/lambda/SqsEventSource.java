package io.indexmigrator.local.lambda;

import java.time.Duration;
import java.util.Objects;

/**
 * An SQS event-source mapping: the equivalent of a function's {@code Events: Type: SQS} in the
 * template.
 *
 * @param uuid the mapping's id, used by the event-source-mapping API
 * @param functionName the function the batches are sent to
 * @param queueUrl where the poller receives from
 * @param queueArn put into every record as {@code eventSourceARN}; its region becomes {@code
 *     awsRegion}
 * @param batchSize the most records in one event (1 to 10000)
 * @param maximumBatchingWindow how long to keep gathering records before invoking (0 to 300 s)
 * @param reportBatchItemFailures whether the function reports partial failures ({@code
 *     FunctionResponseTypes: [ReportBatchItemFailures]})
 * @param enabled whether the mapping polls at start
 * @param maximumConcurrency the most invocations the mapping runs at once ({@code ScalingConfig:
 *     MaximumConcurrency}, 2 to 1000), or null for no bound of its own
 */
public record SqsEventSource(
    String uuid,
    String functionName,
    String queueUrl,
    String queueArn,
    int batchSize,
    Duration maximumBatchingWindow,
    boolean reportBatchItemFailures,
    boolean enabled,
    Integer maximumConcurrency) {

  /** A mapping without {@code ScalingConfig}. */
  public SqsEventSource(
      String uuid,
      String functionName,
      String queueUrl,
      String queueArn,
      int batchSize,
      Duration maximumBatchingWindow,
      boolean reportBatchItemFailures,
      boolean enabled) {
    this(
        uuid,
        functionName,
        queueUrl,
        queueArn,
        batchSize,
        maximumBatchingWindow,
        reportBatchItemFailures,
        enabled,
        null);
  }

  public SqsEventSource {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(functionName, "functionName");
    Objects.requireNonNull(queueUrl, "queueUrl");
    Objects.requireNonNull(queueArn, "queueArn");
    if (!queueArn.startsWith("arn:") || queueArn.split(":").length != 6) {
      throw new IllegalArgumentException(
          "Mapping " + uuid + " has a malformed queue ARN: " + queueArn);
    }
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException(
          "Mapping " + uuid + " batch size must be 1..10000, was " + batchSize);
    }
    maximumBatchingWindow = maximumBatchingWindow == null ? Duration.ZERO : maximumBatchingWindow;
    if (maximumBatchingWindow.isNegative() || maximumBatchingWindow.getSeconds() > 300) {
      throw new IllegalArgumentException(
          "Mapping " + uuid + " batching window must be 0..300 s, was " + maximumBatchingWindow);
    }
    // Lambda's own bounds for an SQS mapping's ScalingConfig.
    if (maximumConcurrency != null && (maximumConcurrency < 2 || maximumConcurrency > 1000)) {
      throw new IllegalArgumentException(
          "Mapping " + uuid + " maximum concurrency must be 2..1000, was " + maximumConcurrency);
    }
  }

  /** The queue's region, taken from its ARN. */
  public String region() {
    return queueArn.split(":")[3];
  }

  /** Whether the queue is FIFO; its message groups must then never be processed in parallel. */
  public boolean fifo() {
    return queueArn.endsWith(".fifo");
  }

  /** The same mapping with {@code ScalingConfig: {MaximumConcurrency: maximum}}. */
  public SqsEventSource withMaximumConcurrency(int maximum) {
    return new SqsEventSource(
        uuid,
        functionName,
        queueUrl,
        queueArn,
        batchSize,
        maximumBatchingWindow,
        reportBatchItemFailures,
        enabled,
        maximum);
  }

  SqsEventSource withSettings(boolean enabled, int batchSize, Duration maximumBatchingWindow) {
    return new SqsEventSource(
        uuid,
        functionName,
        queueUrl,
        queueArn,
        batchSize,
        maximumBatchingWindow,
        reportBatchItemFailures,
        enabled,
        maximumConcurrency);
  }
}
