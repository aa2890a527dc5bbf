package org.elasticmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.elasticmq.actor.queue.InternalMessage;
import org.elasticmq.util.NowProvider;
import org.junit.jupiter.api.Test;
import scala.Option;

class FifoDeduplicationIdsHistoryTest {
  private static final OffsetDateTime T0 =
      OffsetDateTime.of(2026, 12, 3, 12, 0, 0, 0, ZoneOffset.UTC);

  @Test
  void theCompanionObjectBuildsThisClass() throws ReflectiveOperationException {
    FifoDeduplicationIdsHistory history = FifoDeduplicationIdsHistory$.MODULE$.newHistory();
    assertEquals("index-migrator twin", history.getClass().getField("REPLACED_BY").get(null));
  }

  @Test
  void anIdIsRegisteredOnceAndFoundAgain() {
    InternalMessage first = message("m1", "a", T0);
    FifoDeduplicationIdsHistory history =
        FifoDeduplicationIdsHistory.newHistory().addNew(first).addNew(message("m2", "b", T0));
    assertSame(history, history.addNew(message("m3", "a", T0.plusSeconds(1))));
    assertSame(first, history.wasRegistered(id("a")).get());
    assertTrue(history.wasRegistered(id("c")).isEmpty());
    assertTrue(history.wasRegistered(Option.empty()).isEmpty());
    assertSame(history, history.addNew(message("m4", null, T0)));
  }

  @Test
  void idsOlderThanFiveMinutesAreForgottenOldestFirst() {
    FifoDeduplicationIdsHistory history = FifoDeduplicationIdsHistory.newHistory();
    for (int i = 0; i < 10_000; i++) {
      history = history.addNew(message("m" + i, "id-" + i, T0.plusSeconds(i / 100)));
    }
    // At T0 + 5 min + 50.5 s, the ids created up to second 50 are more than five minutes old.
    history = history.cleanOutdatedMessages(at(T0.plusMinutes(5).plusSeconds(50).plusNanos(500)));
    assertTrue(history.wasRegistered(id("id-5099")).isEmpty());
    assertTrue(history.wasRegistered(id("id-5100")).isDefined());
    assertEquals(4_900, history.messagesByDeduplicationId().size());
    assertEquals(4_900, history.deduplicationIdsByCreationDate().size());
    assertEquals(
        "id-5100",
        ((DeduplicationIdWithCreationDate) history.deduplicationIdsByCreationDate().head()).id());
    // Forgotten ids may be used again, and the order of what is left holds.
    history = history.addNew(message("again", "id-0", T0.plusMinutes(6)));
    history = history.cleanOutdatedMessages(at(T0.plusMinutes(11)));
    assertEquals(1, history.messagesByDeduplicationId().size());
    assertTrue(history.wasRegistered(id("id-0")).isDefined());
    history = history.cleanOutdatedMessages(at(T0.plusMinutes(12)));
    assertEquals(0, history.messagesByDeduplicationId().size());
  }

  @Test
  void anOldHistoryIsNotChangedByTheNewOnes() {
    FifoDeduplicationIdsHistory before =
        FifoDeduplicationIdsHistory.newHistory().addNew(message("m1", "a", T0));
    FifoDeduplicationIdsHistory after = before.addNew(message("m2", "b", T0.plusMinutes(1)));
    after.cleanOutdatedMessages(at(T0.plusMinutes(10)));
    assertEquals(1, before.deduplicationIdsByCreationDate().size());
    assertTrue(before.wasRegistered(id("b")).isEmpty());
    assertEquals(2, after.deduplicationIdsByCreationDate().size());
  }

  private static Option<DeduplicationId> id(String id) {
    return Option.apply(new DeduplicationId(id));
  }

  private static NowProvider at(OffsetDateTime now) {
    return new NowProvider() {
      @Override
      public OffsetDateTime now() {
        return now;
      }
    };
  }

  private static InternalMessage message(
      String id, String deduplicationId, OffsetDateTime created) {
    return TestMessages.fifo(id, "group", deduplicationId, created, 0);
  }
}
