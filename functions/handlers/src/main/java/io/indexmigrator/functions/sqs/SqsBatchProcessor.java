package io.indexmigrator.functions.sqs;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse.BatchItemFailure;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a handler over each message of an SQS batch and reports the ones that failed, so only those
 * are redelivered (and, after the queue's maxReceiveCount, moved to its DLQ). The event source must
 * have {@code ReportBatchItemFailures} enabled.
 *
 * <p>On a FIFO queue the first failure also fails every later message of the batch: they may belong
 * to the same message group and must not be applied ahead of the one that failed.
 */
public final class SqsBatchProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(SqsBatchProcessor.class);

  private SqsBatchProcessor() {}

  public static SQSBatchResponse process(SQSEvent event, Consumer<SQSMessage> handler) {
    List<BatchItemFailure> failures = new ArrayList<>();
    List<SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
    boolean failRest = false;
    for (SQSMessage message : records) {
      if (failRest) {
        failures.add(new BatchItemFailure(message.getMessageId()));
        continue;
      }
      try {
        handler.accept(message);
      } catch (RuntimeException e) {
        LOG.warn("message {} failed: {}", message.getMessageId(), e.toString());
        failures.add(new BatchItemFailure(message.getMessageId()));
        failRest = SqsMessages.fromFifoQueue(message);
      }
    }
    return new SQSBatchResponse(failures);
  }
}
