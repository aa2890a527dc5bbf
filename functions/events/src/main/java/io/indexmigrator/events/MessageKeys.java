package io.indexmigrator.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The FIFO message group and deduplication ids of an event. Both are limited by SQS to 128
 * characters of printable ASCII except space ({@code [!-~]}).
 *
 * <p>Group id: {@code doc-<n>}, where {@code n} is the first four bytes of the SHA-256 of the UTF-8
 * bytes of {@code index + "\u0000" + id}, read as an unsigned big-endian integer, modulo {@link
 * #GROUPS}. The consumer's correctness needs only that all events of one document share a group
 * (SQS then never hands out two of them at once, and keeps them in order); many documents may share
 * one. A fixed, small number of groups keeps receives cheap: the local twin's SQS (ElasticMQ) pays
 * per message for every group it holds, which with one group per document capped the consumer near
 * 110 events/s. 256 is still far above any useful consumer concurrency (Lambda scales a FIFO
 * mapping by active groups, and the template bounds it much lower), and a group held back by an
 * event waiting for a copy or a retry stalls only 1/256 of the documents.
 *
 * <p>Deduplication id: when the event has {@code seqNo} and {@code primaryTerm}, the hex SHA-256 of
 * {@code index, id, op, seqNo, primaryTerm} joined by {@code "\u0000"}, so that sending the same
 * write twice within SQS's five-minute window enqueues it once. Without them, a random UUID: two
 * real updates of one document must both be delivered, which content-based deduplication would not
 * do.
 */
public final class MessageKeys {
  /** How many message groups the documents are spread over; part of the wire rule. */
  public static final int GROUPS = 256;

  private MessageKeys() {}

  /** The message group id for the event's document. */
  public static String groupId(String index, String id) {
    byte[] hash = sha256(index + "\u0000" + id);
    long first4 =
        ((hash[0] & 0xffL) << 24)
            | ((hash[1] & 0xffL) << 16)
            | ((hash[2] & 0xffL) << 8)
            | (hash[3] & 0xffL);
    return "doc-" + (first4 % GROUPS);
  }

  /** The deduplication id for the event, random when the event has no sequence number. */
  public static String deduplicationId(ChangeEvent event) {
    if (event.seqNo() == null || event.primaryTerm() == null) {
      return UUID.randomUUID().toString();
    }
    String key =
        String.join(
            "\u0000",
            event.index(),
            event.id(),
            event.op().wireName(),
            Long.toString(event.seqNo()),
            Long.toString(event.primaryTerm()));
    // The same write position on another cluster is another write; the default cluster keeps the
    // id it always had, so a publisher upgraded mid-migration still deduplicates its resends.
    return sha256Hex(event.cluster() == null ? key : key + "\u0000" + event.cluster());
  }

  private static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
