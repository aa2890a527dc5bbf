package org.elasticmq.actor.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.elasticmq.TestMessages;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

class FifoMessageQueueTest {
  private static final OffsetDateTime T0 =
      OffsetDateTime.of(2026, 12, 3, 12, 0, 0, 0, ZoneOffset.UTC);
  private static final long NOW = T0.toInstant().toEpochMilli() + 60_000;
  private static final long VISIBILITY = 30_000;

  private int sequence;

  @Test
  void theFactoryBuildsThisClass() throws ReflectiveOperationException {
    MessageQueue queue = MessageQueue$.MODULE$.apply(true);
    assertEquals("index-migrator twin", queue.getClass().getField("REPLACED_BY").get(null));
  }

  @Test
  void everyGroupIsServedBeforeAnyIsServedTwice() {
    MessageQueue queue = MessageQueue$.MODULE$.apply(true);
    for (int i = 0; i < 600; i++) {
      queue.$plus$eq(message("g" + (i % 20)));
    }
    Set<String> served = new LinkedHashSet<>();
    for (int receive = 0; receive < 20; receive++) {
      List<InternalMessage> batch = receive(queue, NOW);
      assertEquals(10, batch.size());
      String group = batch.get(0).messageGroupId().get();
      assertTrue(batch.stream().allMatch(m -> m.messageGroupId().get().equals(group)));
      assertTrue(served.add(group), group + " served twice in the first 20 receives");
      batch.forEach(m -> queue.remove(m.id()));
    }
    assertEquals(20, served.size());
    // Writing on to the first groups does not keep the others waiting.
    for (int i = 0; i < 40; i++) {
      queue.$plus$eq(message("g0"));
    }
    Set<String> next = new LinkedHashSet<>();
    for (int receive = 0; receive < 20; receive++) {
      List<InternalMessage> batch = receive(queue, NOW);
      next.add(batch.get(0).messageGroupId().get());
      batch.forEach(m -> queue.remove(m.id()));
    }
    assertEquals(20, next.size());
  }

  @Test
  void aGroupWithAMessageInFlightIsNotDeliveredUntilItIsDeletedOrVisibleAgain() {
    MessageQueue queue = MessageQueue$.MODULE$.apply(true);
    List<InternalMessage> a = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      a.add(message("a"));
      queue.$plus$eq(a.get(i));
    }
    queue.$plus$eq(message("b"));
    List<InternalMessage> first = receive(queue, NOW);
    assertEquals(a.subList(0, 10), first);
    List<InternalMessage> second = receive(queue, NOW);
    assertEquals(List.of("b"), second.stream().map(m -> m.messageGroupId().get()).toList());
    queue.remove(second.get(0).id());
    assertTrue(receive(queue, NOW).isEmpty(), "group a has ten messages in flight");
    // Not deleted: after the visibility timeout the same ten come back first, in order.
    List<InternalMessage> again = receive(queue, NOW + VISIBILITY);
    assertEquals(a.subList(0, 10), again);
    again.forEach(m -> queue.remove(m.id()));
    assertEquals(a.subList(10, 15), receive(queue, NOW + VISIBILITY));
  }

  @Test
  void removedAndFilteredMessagesAreNeverDelivered() {
    MessageQueue queue = MessageQueue$.MODULE$.apply(true);
    List<InternalMessage> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add(message("g" + (i % 2)));
      queue.$plus$eq(all.get(i));
    }
    queue.remove(all.get(0).id());
    MessageQueue filtered = queue.filterNot(m -> m.id().equals(all.get(1).id()));
    List<String> delivered = new ArrayList<>();
    for (int receive = 0; receive < 4; receive++) {
      CollectionConverters.asJava(filtered.dequeue(10, NOW)).forEach(m -> delivered.add(m.id()));
    }
    assertEquals(4, delivered.size());
    assertTrue(!delivered.contains(all.get(0).id()) && !delivered.contains(all.get(1).id()));
    assertEquals(4, filtered.all().size());
    assertEquals(5, queue.all().size());
  }

  /** As ElasticMQ's receive does: dequeue, then put each back with its next delivery time. */
  private static List<InternalMessage> receive(MessageQueue queue, long now) {
    List<InternalMessage> batch =
        new ArrayList<>(CollectionConverters.asJava(queue.dequeue(10, now)));
    for (InternalMessage message : batch) {
      message.nextDelivery_$eq(now + VISIBILITY);
      queue.$plus$eq(message);
    }
    return batch;
  }

  private InternalMessage message(String group) {
    int n = sequence++;
    return TestMessages.fifo("m" + n, group, "d" + n, T0.plusNanos(n * 1000L), n);
  }
}
