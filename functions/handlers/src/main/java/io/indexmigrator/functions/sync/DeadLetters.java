package io.indexmigrator.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.indexmigrator.functions.sqs.SqsMessages;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Sends an event that can never be applied to the dead-letter queue, with the reason as a message
 * attribute, so an operator sees why (the queue's own redrive carries no reason).
 */
final class DeadLetters {
  static final String REASON = "reason";

  private static final int RETRY_SECONDS = 3;
  private static final int MAX_RETRY_SECONDS = 900;

  /** What an SQS batch entry id may not contain; compiled once, not per deferred message. */
  private static final Pattern NOT_AN_ENTRY_ID_CHAR = Pattern.compile("[^A-Za-z0-9_-]");

  private final SqsClient sqs;
  private final String queueUrl;
  private final String sourceQueueUrl;

  /**
   * @param queueUrl the dead-letter queue
   * @param sourceQueueUrl the queue the consumer reads (for deferrals), or null
   */
  DeadLetters(SqsClient sqs, String queueUrl, String sourceQueueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.sourceQueueUrl = sourceQueueUrl;
  }

  void send(SQSMessage message, String reason) {
    SendMessageRequest.Builder request =
        SendMessageRequest.builder()
            .queueUrl(queueUrl)
            .messageBody(
                message.getBody() == null || message.getBody().isEmpty()
                    ? "(empty)"
                    : message.getBody())
            .messageAttributes(
                Map.of(
                    REASON,
                    text(truncate(reason, 1000)),
                    "sourceMessageId",
                    text(message.getMessageId()),
                    "failedAt",
                    text(Instant.now().toString())));
    if (queueUrl.endsWith(".fifo")) {
      String group = SqsMessages.attribute(message, "MessageGroupId");
      request.messageGroupId(group != null ? group : "dead-letters");
      request.messageDeduplicationId(message.getMessageId());
    }
    sqs.sendMessage(request.build());
  }

  /**
   * Offers deferred messages again soon instead of after the queue's visibility timeout: they wait
   * for a copy that may end any moment. The pause doubles with every receive (3 s, 6 s, ... up to
   * 15 min), so a long wait spends few of the queue's receives before its redrive would move the
   * message to the dead-letter queue without a reason.
   */
  void retrySoon(List<SQSMessage> messages) {
    if (messages.isEmpty() || sourceQueueUrl == null) {
      return;
    }
    for (int from = 0; from < messages.size(); from += 10) {
      var entries =
          messages.subList(from, Math.min(messages.size(), from + 10)).stream()
              .map(
                  m ->
                      ChangeMessageVisibilityBatchRequestEntry.builder()
                          .id(NOT_AN_ENTRY_ID_CHAR.matcher(m.getMessageId()).replaceAll("_"))
                          .receiptHandle(m.getReceiptHandle())
                          .visibilityTimeout(pause(m))
                          .build())
              .toList();
      sqs.changeMessageVisibilityBatch(r -> r.queueUrl(sourceQueueUrl).entries(entries));
    }
  }

  private static int pause(SQSMessage message) {
    String received = SqsMessages.attribute(message, "ApproximateReceiveCount");
    int receives = received == null ? 1 : Math.max(1, Integer.parseInt(received));
    return (int) Math.min(MAX_RETRY_SECONDS, RETRY_SECONDS * (1L << Math.min(receives - 1, 20)));
  }

  private static MessageAttributeValue text(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
