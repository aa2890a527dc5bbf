package io.indexmigrator.functions.sqs;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;

/** Reads the system attributes Lambda hands over with an SQS message. */
public final class SqsMessages {
  private SqsMessages() {}

  /**
   * A system attribute of the message ({@code SentTimestamp}, {@code ApproximateReceiveCount},
   * {@code MessageGroupId}, ...), or null when it is absent.
   */
  public static String attribute(SQSMessage message, String name) {
    return message.getAttributes() == null ? null : message.getAttributes().get(name);
  }

  /** Whether the message comes from a FIFO queue, whose ARN ends in {@code .fifo}. */
  public static boolean fromFifoQueue(SQSMessage message) {
    String arn = message.getEventSourceArn();
    return arn != null && arn.endsWith(".fifo");
  }
}
