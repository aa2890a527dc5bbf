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
 * <p>Group id: {@code <index>/<id>} when that is at most 128 characters and every character is
 * allowed; otherwise the lowercase hex SHA-256 of {@code index + "\u0000" + id} (64 characters).
 * Index names cannot contain {@code /}, so the plain form never collides between documents, and a
 * hash has no {@code /}, so it never collides with a plain form.
 *
 * <p>Deduplication id: when the event has {@code seqNo} and {@code primaryTerm}, the hex SHA-256 of
 * {@code index, id, op, seqNo, primaryTerm} joined by {@code "\u0000"}, so that sending the same
 * write twice within SQS's five-minute window enqueues it once. Without them, a random UUID: two
 * real updates of one document must both be delivered, which content-based deduplication would not
 * do.
 */
public final class MessageKeys {
  static final int MAX_GROUP_ID_LENGTH = 128;

  private MessageKeys() {}

  /** The message group id for the event's document. */
  public static String groupId(String index, String id) {
    String plain = index + "/" + id;
    if (plain.length() <= MAX_GROUP_ID_LENGTH && allowed(plain)) {
      return plain;
    }
    return sha256Hex(index + "\u0000" + id);
  }

  /** The deduplication id for the event, random when the event has no sequence number. */
  public static String deduplicationId(ChangeEvent event) {
    if (event.seqNo() == null || event.primaryTerm() == null) {
      return UUID.randomUUID().toString();
    }
    return sha256Hex(
        String.join(
            "\u0000",
            event.index(),
            event.id(),
            event.op().wireName(),
            Long.toString(event.seqNo()),
            Long.toString(event.primaryTerm())));
  }

  private static boolean allowed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '!' || c > '~') {
        return false;
      }
    }
    return true;
  }

  private static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
