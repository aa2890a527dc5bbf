package io.indexmigrator.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.indexmigrator.core.sync.SyncOutcome;
import io.indexmigrator.functions.sqs.SqsMessages;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the consumer does with each message of a batch once the applier has judged its events: done
 * (deleted from the queue), dead-lettered with a reason, or retried (reported failed, so SQS offers
 * it again).
 *
 * <p>On a FIFO queue an event that is retried holds back every later event of the same document in
 * the batch, so that document's events are still applied in order. Other documents go on, also
 * those sharing its message group: groups are shared ({@code MessageKeys}), and a failure of one
 * document is no reason to delay another. SQS keeps a retried message ahead of the rest of its
 * group, so the document's later events still in the queue wait for it.
 */
final class BatchDecisions {
  /**
   * Receives after which an event whose document keeps failing goes to the dead-letter queue with
   * the reason. Far below the queue's {@code maxReceiveCount}, whose redrive carries no reason;
   * with {@link DeadLetters#retrySoon}'s doubling pause (3, 6, 12, 24 s) that is about 45 s, during
   * which only this document (and, on a FIFO queue, the later messages of its group) waits.
   */
  static final int MAX_RECEIVES = 5;

  enum Action {
    DONE,
    DEAD_LETTER,
    RETRY
  }

  record Decision(SQSMessage message, SyncOutcome outcome, Action action, String reason) {}

  private BatchDecisions() {}

  /**
   * One decision per message, in order.
   *
   * @param outcomes one per message, as {@code SyncApplier.apply} returns them
   * @param nowMillis the current time, to judge an unrouted event's grace period
   * @param unroutedGraceMillis how long an event of an index no migration covers is kept
   */
  static List<Decision> decide(
      List<SQSMessage> messages,
      List<SyncOutcome> outcomes,
      long nowMillis,
      long unroutedGraceMillis) {
    if (messages.size() != outcomes.size()) {
      throw new IllegalArgumentException(
          messages.size() + " messages but " + outcomes.size() + " outcomes");
    }
    List<Decision> decisions = new ArrayList<>(messages.size());
    Set<List<String>> heldDocuments = new HashSet<>();
    for (int i = 0; i < messages.size(); i++) {
      SQSMessage message = messages.get(i);
      SyncOutcome outcome = outcomes.get(i);
      List<String> document = List.of(outcome.event().index(), outcome.event().id());
      Decision decision = decide(message, outcome, nowMillis, unroutedGraceMillis);
      if (decision.action() != Action.RETRY && heldDocuments.contains(document)) {
        decision =
            new Decision(
                message, outcome, Action.RETRY, "an earlier event of its document is retried");
      }
      if (decision.action() == Action.RETRY && SqsMessages.fromFifoQueue(message)) {
        heldDocuments.add(document);
      }
      decisions.add(decision);
    }
    return decisions;
  }

  private static Decision decide(
      SQSMessage message, SyncOutcome outcome, long nowMillis, long unroutedGraceMillis) {
    return switch (outcome.kind()) {
      case APPLIED, IGNORED -> new Decision(message, outcome, Action.DONE, outcome.reason());
      case DEFERRED -> new Decision(message, outcome, Action.RETRY, outcome.reason());
      case REJECTED -> new Decision(message, outcome, Action.DEAD_LETTER, outcome.reason());
      case UNROUTED ->
          age(message, nowMillis) < unroutedGraceMillis
              ? new Decision(message, outcome, Action.RETRY, outcome.reason())
              : new Decision(message, outcome, Action.DEAD_LETTER, outcome.reason());
      case FAILED -> {
        int receives = receives(message);
        yield receives >= MAX_RECEIVES
            ? new Decision(
                message,
                outcome,
                Action.DEAD_LETTER,
                "failed on " + receives + " receives, the last time: " + outcome.reason())
            : new Decision(message, outcome, Action.RETRY, outcome.reason());
      }
    };
  }

  /** How long ago the message was first sent to the queue. */
  private static long age(SQSMessage message, long nowMillis) {
    String sent = SqsMessages.attribute(message, "SentTimestamp");
    return sent == null ? Long.MAX_VALUE : nowMillis - Long.parseLong(sent);
  }

  private static int receives(SQSMessage message) {
    String received = SqsMessages.attribute(message, "ApproximateReceiveCount");
    return received == null ? 1 : Math.max(1, Integer.parseInt(received));
  }
}
