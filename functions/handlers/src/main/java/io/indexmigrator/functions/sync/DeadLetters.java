package io.indexmigrator.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Sends an event that can never be applied to the dead-letter queue, with the reason as a message
 * attribute, so an operator sees why (the queue's own redrive carries no reason).
 */
final class DeadLetters {
  static final String REASON = "reason";

  private final SqsClient sqs;
  private final String queueUrl;

  DeadLetters(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
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
      String group =
          message.getAttributes() == null ? null : message.getAttributes().get("MessageGroupId");
      request.messageGroupId(group != null ? group : "dead-letters");
      request.messageDeduplicationId(message.getMessageId());
    }
    sqs.sendMessage(request.build());
  }

  private static MessageAttributeValue text(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
