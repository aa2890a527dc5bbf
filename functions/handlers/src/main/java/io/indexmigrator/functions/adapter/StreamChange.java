package io.indexmigrator.functions.adapter;

import java.util.Map;
import java.util.Objects;

/**
 * One DynamoDB stream record, reduced to what the adapter needs and free of Lambda types.
 *
 * @param eventName {@code INSERT}, {@code MODIFY} or {@code REMOVE}
 * @param sequenceNumber the record's position in its shard; it names the record in failures
 * @param tableName the table the record comes from (taken from the event source ARN), or null
 * @param keys the item's key attributes
 * @param image the item after the write ({@code NewImage}), or before a removal ({@code OldImage});
 *     empty when the stream view type does not carry it
 */
public record StreamChange(
    String eventName,
    String sequenceNumber,
    String tableName,
    Map<String, Scalar> keys,
    Map<String, Scalar> image) {

  public StreamChange {
    Objects.requireNonNull(sequenceNumber, "sequenceNumber");
    keys = Map.copyOf(keys == null ? Map.of() : keys);
    image = Map.copyOf(image == null ? Map.of() : image);
  }

  /**
   * An attribute value as far as ids, index names and routing can use it: strings and numbers keep
   * their text (a DynamoDB number is already in its canonical decimal form), everything else is
   * only known by its type.
   *
   * @param type the DynamoDB type descriptor: {@code S}, {@code N}, {@code B}, {@code BOOL}, {@code
   *     NULL}, {@code M}, {@code L}, {@code SS}, {@code NS} or {@code BS}
   * @param text the value for {@code S} and {@code N}, else null
   */
  public record Scalar(String type, String text) {
    public Scalar {
      Objects.requireNonNull(type, "type");
    }

    public static Scalar string(String value) {
      return new Scalar("S", value);
    }

    public static Scalar number(String value) {
      return new Scalar("N", value);
    }

    /** Whether the value can become part of an id: a string or a number. */
    public boolean usable() {
      return text != null && (type.equals("S") || type.equals("N"));
    }
  }
}
