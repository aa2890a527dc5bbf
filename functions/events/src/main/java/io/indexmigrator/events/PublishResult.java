package io.indexmigrator.events;

/**
 * What one publish call did.
 *
 * @param eventsPublished events SQS accepted
 * @param batchesSent {@code SendMessageBatch} calls made, retries included
 * @param retries entries sent again after a retryable failure (one entry retried twice counts 2)
 */
public record PublishResult(int eventsPublished, int batchesSent, int retries) {
  static final PublishResult NOTHING = new PublishResult(0, 0, 0);
}
