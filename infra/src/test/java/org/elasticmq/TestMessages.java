package org.elasticmq;

import java.time.OffsetDateTime;
import org.elasticmq.actor.queue.InternalMessage;
import scala.Option;
import scala.collection.mutable.ArrayBuffer;

/** FIFO messages as ElasticMQ's send builds them, deliverable from their creation. */
public final class TestMessages {
  public static InternalMessage fifo(
      String id, String group, String deduplicationId, OffsetDateTime created, int orderIndex) {
    return new InternalMessage(
        id,
        new ArrayBuffer<>(),
        created.toInstant().toEpochMilli(),
        new MessageContent("{}"),
        scala.collection.immutable.Map$.MODULE$.empty(),
        created,
        orderIndex,
        NeverReceived$.MODULE$,
        0,
        true,
        Option.apply(group),
        deduplicationId == null
            ? Option.empty()
            : Option.apply(new DeduplicationId(deduplicationId)),
        Option.empty(),
        Option.empty(),
        Option.empty());
  }

  private TestMessages() {}
}
