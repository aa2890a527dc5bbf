package org.elasticmq.actor.queue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import scala.Function1;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The twin's replacement for ElasticMQ's FIFO queue store, with the same behaviour except which
 * message group a receive starts from.
 *
 * <p>Why: ElasticMQ 1.6.16 (and its master of 2026-07) starts every receive at the first group in
 * its hash map's order that has a deliverable message, building the set of all groups to find it.
 * Under a steady inflow the groups early in that order are always served first and the others wait
 * until the inflow stops: in the sync benchmark at 500 writes/s the events of the last groups
 * waited 30 s while the median waited 280 ms. Amazon SQS does not starve groups this way. Here the
 * groups are served in turn: a group a receive took messages from, or found nothing deliverable in
 * (in flight, delayed), goes to the back, so each group with deliverable messages is reached within
 * one round of the others and finding it costs no walk over all groups.
 *
 * <p>Unchanged from ElasticMQ: within a group the oldest message first, a group is not delivered
 * while one of its messages is in flight (the receive puts a delivered message back with its next
 * delivery time, and it stays at the head of its group), a batch is filled from the group of its
 * last message first, deleted messages are dropped lazily, and {@code size} and {@code pop} keep
 * the simple queue's (unused for FIFO) behaviour. It replaces the jar's class only because it comes
 * first on the class path; see {@link org.elasticmq.FifoDeduplicationIdsHistory}.
 */
public class MessageQueue$FifoMessageQueue extends MessageQueue$SimpleMessageQueue {
  /** Marks this class as the twin's, for {@code LocalSqs}'s check. */
  public static final String REPLACED_BY = "index-migrator twin";

  /**
   * ElasticMQ's messages order themselves for its max-heap: the oldest compares greatest. A Java
   * priority queue polls the least, so the order is reversed.
   */
  private static final Comparator<InternalMessage> OLDEST_FIRST = (a, b) -> b.compareTo(a);

  /** The groups with messages, least recently served first. */
  private final LinkedHashMap<String, PriorityQueue<InternalMessage>> groups =
      new LinkedHashMap<>();

  public MessageQueue$FifoMessageQueue() {}

  @Override
  public void $plus$eq(InternalMessage message) {
    messagesById().put(message.id(), message);
    groups.computeIfAbsent(groupOf(message), g -> new PriorityQueue<>(OLDEST_FIRST)).add(message);
  }

  @Override
  public void clear() {
    super.clear();
    groups.clear();
  }

  @Override
  public void remove(String messageId) {
    Option<InternalMessage> removed = messagesById().remove(messageId);
    if (removed.isEmpty()) {
      return;
    }
    String group = groupOf(removed.get());
    PriorityQueue<InternalMessage> messages = groups.get(group);
    if (messages != null) {
      messages.removeIf(m -> m.id().equals(messageId));
      if (messages.isEmpty()) {
        groups.remove(group);
      }
    }
  }

  @Override
  public MessageQueue filterNot(Function1<InternalMessage, Object> predicate) {
    MessageQueue$FifoMessageQueue kept = new MessageQueue$FifoMessageQueue();
    scala.collection.Iterator<InternalMessage> all = messagesById().valuesIterator();
    while (all.hasNext()) {
      InternalMessage message = all.next();
      if (!Boolean.TRUE.equals(predicate.apply(message))) {
        kept.$plus$eq(message);
      }
    }
    return kept;
  }

  @Override
  public scala.collection.immutable.List<InternalMessage> dequeue(int count, long deliveryTime) {
    List<InternalMessage> batch = new ArrayList<>();
    Set<String> batchIds = new HashSet<>();
    // Every group looked at, in order: served or found blocked, each goes behind the others.
    Set<String> toBack = new LinkedHashSet<>();
    String group = null;
    while (batch.size() < count) {
      InternalMessage next = group == null ? null : nextVisible(group, deliveryTime, batchIds);
      if (next == null) {
        group = null;
        for (String candidate : groups.keySet()) {
          if (!toBack.add(candidate)) {
            continue;
          }
          next = nextVisible(candidate, deliveryTime, batchIds);
          if (next != null) {
            group = candidate;
            break;
          }
        }
        if (next == null) {
          break;
        }
      }
      batch.add(next);
      batchIds.add(next.id());
    }
    for (String back : toBack) {
      PriorityQueue<InternalMessage> messages = groups.remove(back);
      if (messages != null && !messages.isEmpty()) {
        groups.put(back, messages);
      }
    }
    return CollectionConverters.asScala(batch).toList();
  }

  /**
   * The group's oldest message if it can be delivered now; null if the group is empty, its oldest
   * is in flight or delayed, or already in this batch. As ElasticMQ's {@code nextVisibleMessage}: a
   * returned message leaves the group until the receive puts it back with its new delivery time. It
   * never removes the group from the map, so that dequeue may walk the map meanwhile.
   */
  private InternalMessage nextVisible(String group, long deliveryTime, Set<String> batchIds) {
    PriorityQueue<InternalMessage> messages = groups.get(group);
    while (messages != null && !messages.isEmpty()) {
      InternalMessage oldest = messages.poll();
      if (messagesById().get(oldest.id()).isEmpty()) {
        continue; // deleted since it was queued
      }
      if (oldest.deliverable(deliveryTime) && !batchIds.contains(oldest.id())) {
        return oldest;
      }
      messages.add(oldest);
      return null;
    }
    // An emptied group is dropped by dequeue once it stops walking the groups.
    return null;
  }

  private static String groupOf(InternalMessage message) {
    Option<String> group = message.messageGroupId();
    if (group.isEmpty()) {
      throw new IllegalStateException(
          "Messages on a FIFO queue are required to have a message group id");
    }
    return group.get();
  }
}
