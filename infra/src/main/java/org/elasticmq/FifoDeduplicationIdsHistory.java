package org.elasticmq;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.elasticmq.actor.queue.InternalMessage;
import org.elasticmq.util.NowProvider;
import scala.Option;
import scala.collection.immutable.Map;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The twin's replacement for ElasticMQ's record of the deduplication ids a FIFO queue saw in the
 * last five minutes, with the same behaviour and binary interface.
 *
 * <p>Why: ElasticMQ 1.6.16 (and its master of 2026-07) appends each new id to an immutable {@code
 * List}, which copies the whole list, inside the queue's single actor. A send then costs as many
 * steps as the queue received messages in the last five minutes: at 1,000 messages/s that is
 * 300,000 copies per send, and JFR samples of the sync benchmark put 28 % of the twin's CPU there,
 * serialising every receive and delete of the queue behind it. Amazon SQS has no such cost, so a
 * sync figure measured through it would measure ElasticMQ. Here the ids in order are a persistent
 * queue: adding and expiring are amortised constant time.
 *
 * <p>It replaces the jar's class only because it comes first on the class path: the twin's module
 * comes before its ElasticMQ dependency in Maven's order, and {@code bin/migrator} puts the twin's
 * jar before the others. {@link io.indexmigrator.local.aws.LocalSqs} checks which class was loaded
 * and says so if it is ElasticMQ's. Only the members ElasticMQ's own classes call (the constructor
 * its companion object uses, {@code addNew}, {@code wasRegistered}, {@code cleanOutdatedMessages},
 * and the two accessors its {@code unapply} reads) are provided.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
public class FifoDeduplicationIdsHistory {
  /** Marks this class as the twin's, for {@link io.indexmigrator.local.aws.LocalSqs}'s check. */
  public static final String REPLACED_BY = "index-migrator twin";

  private static final long INTERVAL_MINUTES = 5;

  /** A deduplication id (boxed, as ElasticMQ's map holds it) and when its message was created. */
  private record Seen(DeduplicationId id, OffsetDateTime created) {}

  /**
   * A cell of a persistent singly linked list (a class, not a record: a record's equals, hashCode
   * and toString would recurse down the whole list).
   */
  private static final class Cell {
    private final Seen seen;
    private final Cell next;

    Cell(Seen seen, Cell next) {
      this.seen = seen;
      this.next = next;
    }

    Seen seen() {
      return seen;
    }

    Cell next() {
      return next;
    }
  }

  /**
   * A persistent first-in-first-out queue of two lists (the oldest first in {@code out}, the newest
   * first in {@code in}); each id is moved from one to the other once, so every operation is
   * amortised constant time when, as in the queue actor, each history replaces the one before.
   */
  private record Ids(Cell out, Cell in) {
    static final Ids EMPTY = new Ids(null, null);

    Ids add(Seen seen) {
      return new Ids(out, new Cell(seen, in));
    }

    /** The same ids with the oldest at the front of {@code out}. */
    Ids normalized() {
      if (out != null || in == null) {
        return this;
      }
      Cell reversed = null;
      for (Cell c = in; c != null; c = c.next()) {
        reversed = new Cell(c.seen(), reversed);
      }
      return new Ids(reversed, null);
    }

    List<Seen> inOrder() {
      List<Seen> seen = new ArrayList<>();
      for (Cell c = out; c != null; c = c.next()) {
        seen.add(c.seen());
      }
      List<Seen> newer = new ArrayList<>();
      for (Cell c = in; c != null; c = c.next()) {
        newer.add(c.seen());
      }
      for (int i = newer.size() - 1; i >= 0; i--) {
        seen.add(newer.get(i));
      }
      return seen;
    }
  }

  private final Map messagesByDeduplicationId;
  private final Ids byCreation;

  /** ElasticMQ's companion object creates the empty history through this constructor. */
  public FifoDeduplicationIdsHistory(
      Map messagesByDeduplicationId,
      scala.collection.immutable.List deduplicationIdsByCreationDate) {
    this.messagesByDeduplicationId = messagesByDeduplicationId;
    Ids ids = Ids.EMPTY;
    scala.collection.Iterator entries = deduplicationIdsByCreationDate.iterator();
    while (entries.hasNext()) {
      DeduplicationIdWithCreationDate entry = (DeduplicationIdWithCreationDate) entries.next();
      ids = ids.add(new Seen(new DeduplicationId(entry.id()), entry.creationDate()));
    }
    this.byCreation = ids;
  }

  private FifoDeduplicationIdsHistory(Map messagesByDeduplicationId, Ids byCreation) {
    this.messagesByDeduplicationId = messagesByDeduplicationId;
    this.byCreation = byCreation;
  }

  public static FifoDeduplicationIdsHistory newHistory() {
    return FifoDeduplicationIdsHistory$.MODULE$.newHistory();
  }

  public static long DeduplicationIntervalMinutes() {
    return INTERVAL_MINUTES;
  }

  public Map messagesByDeduplicationId() {
    return messagesByDeduplicationId;
  }

  /** The ids from oldest to newest, as ElasticMQ's class holds them (built on demand). */
  public scala.collection.immutable.List deduplicationIdsByCreationDate() {
    List<DeduplicationIdWithCreationDate> entries = new ArrayList<>();
    for (Seen s : byCreation.inOrder()) {
      entries.add(new DeduplicationIdWithCreationDate(s.id().id(), s.created()));
    }
    return CollectionConverters.asScala(entries).toList();
  }

  /** Records the message's id unless it has none or was seen already (then this same history). */
  public FifoDeduplicationIdsHistory addNew(InternalMessage message) {
    Option id = message.messageDeduplicationId();
    if (id.isEmpty() || messagesByDeduplicationId.contains(id.get())) {
      return this;
    }
    DeduplicationId key = (DeduplicationId) id.get();
    return new FifoDeduplicationIdsHistory(
        (Map) messagesByDeduplicationId.updated(key, message),
        byCreation.add(new Seen(key, message.created())));
  }

  /** The message first sent with this id, if it is still remembered. */
  public Option wasRegistered(Option maybeDeduplicationId) {
    if (maybeDeduplicationId.isEmpty()) {
      return Option.empty();
    }
    return messagesByDeduplicationId.get(maybeDeduplicationId.get());
  }

  /** Forgets the ids whose messages were created more than the interval ago. */
  public FifoDeduplicationIdsHistory cleanOutdatedMessages(NowProvider nowProvider) {
    OffsetDateTime now = nowProvider.now();
    Map messages = messagesByDeduplicationId;
    Ids ids = byCreation.normalized();
    while (ids.out() != null) {
      Seen oldest = ids.out().seen();
      if (!oldest.created().plusMinutes(INTERVAL_MINUTES).isBefore(now)) {
        break;
      }
      messages = (Map) messages.removed(oldest.id());
      ids = new Ids(ids.out().next(), ids.in()).normalized();
    }
    return new FifoDeduplicationIdsHistory(messages, ids);
  }
}
