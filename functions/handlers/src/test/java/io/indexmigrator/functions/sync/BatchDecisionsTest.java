package io.indexmigrator.functions.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.sync.SyncOutcome;
import io.indexmigrator.core.sync.SyncOutcome.Kind;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.MessageKeys;
import io.indexmigrator.functions.sync.BatchDecisions.Action;
import io.indexmigrator.functions.sync.BatchDecisions.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchDecisionsTest {
  static final String FIFO = "arn:aws:sqs:us-east-1:000000000000:sync.fifo";
  static final String STANDARD = "arn:aws:sqs:us-east-1:000000000000:sync";
  static final RecipeRef RECIPE = new RecipeRef("r", 1);
  static final long NOW = 1_000_000_000L;

  final List<SQSMessage> messages = new ArrayList<>();
  final List<SyncOutcome> outcomes = new ArrayList<>();

  private void event(String queueArn, String id, Kind kind, int receives) {
    ChangeEvent event = ChangeEvent.indexed("orders", id);
    SQSMessage message = new SQSMessage();
    message.setMessageId("m" + messages.size());
    message.setEventSourceArn(queueArn);
    message.setAttributes(
        Map.of(
            "ApproximateReceiveCount", Integer.toString(receives),
            "SentTimestamp", Long.toString(NOW - 1000),
            "MessageGroupId", MessageKeys.groupId("orders", id)));
    messages.add(message);
    outcomes.add(new SyncOutcome(event, kind, kind + " because of " + id, RECIPE));
  }

  private List<Action> actions() {
    return BatchDecisions.decide(messages, outcomes, NOW, 60_000).stream()
        .map(Decision::action)
        .toList();
  }

  @Test
  void aFailingDocumentIsRetried_andDeadLetteredWithItsReasonAfterBoundedReceives() {
    event(FIFO, "a", Kind.APPLIED, 1);
    event(FIFO, "poison", Kind.FAILED, 1);
    event(FIFO, "b", Kind.APPLIED, 1);
    event(FIFO, "poison-again", Kind.FAILED, BatchDecisions.MAX_RECEIVES);

    List<Decision> decisions = BatchDecisions.decide(messages, outcomes, NOW, 60_000);

    assertThat(decisions.stream().map(Decision::action))
        .containsExactly(Action.DONE, Action.RETRY, Action.DONE, Action.DEAD_LETTER);
    assertThat(decisions.get(3).reason())
        .contains("failed on " + BatchDecisions.MAX_RECEIVES + " receives")
        .contains("FAILED because of poison-again");
  }

  @Test
  void onAFifoQueue_aRetriedEventHoldsBackTheLaterEventsOfItsDocumentOnly() {
    event(FIFO, "a", Kind.APPLIED, 1);
    event(FIFO, "copying", Kind.DEFERRED, 1);
    event(FIFO, "b", Kind.APPLIED, 1);
    // The same document again, judged applicable (say, read through an alias): it must still wait
    // behind its earlier event, or the two would be applied out of order.
    event(FIFO, "copying", Kind.APPLIED, 1);
    event(FIFO, "copying", Kind.REJECTED, 1);
    event(FIFO, "c", Kind.REJECTED, 1);

    assertThat(actions())
        .containsExactly(
            Action.DONE, Action.RETRY, Action.DONE, Action.RETRY, Action.RETRY, Action.DEAD_LETTER);
  }

  @Test
  void onAFifoQueue_documentsSharingAGroupWithAHeldDocumentGoOn() {
    String held = "held";
    String sameGroup = null;
    for (int i = 0; sameGroup == null; i++) {
      String candidate = "other-" + i;
      if (MessageKeys.groupId("orders", candidate).equals(MessageKeys.groupId("orders", held))) {
        sameGroup = candidate;
      }
    }
    event(FIFO, held, Kind.FAILED, 1);
    event(FIFO, sameGroup, Kind.APPLIED, 1);

    assertThat(actions()).containsExactly(Action.RETRY, Action.DONE);
  }

  @Test
  void onAStandardQueue_nothingIsHeldBack() {
    event(STANDARD, "a", Kind.DEFERRED, 1);
    event(STANDARD, "a", Kind.APPLIED, 1);

    assertThat(actions()).containsExactly(Action.RETRY, Action.DONE);
  }

  @Test
  void anUnroutedEventWaitsForItsGracePeriod_thenIsDeadLettered() {
    event(FIFO, "young", Kind.UNROUTED, 1);

    assertThat(BatchDecisions.decide(messages, outcomes, NOW, 60_000).get(0).action())
        .isEqualTo(Action.RETRY);
    assertThat(BatchDecisions.decide(messages, outcomes, NOW + 60_000, 60_000).get(0).action())
        .isEqualTo(Action.DEAD_LETTER);
  }
}
