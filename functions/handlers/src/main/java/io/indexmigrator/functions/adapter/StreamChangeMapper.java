package io.indexmigrator.functions.adapter;

import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangeEventCodec;
import io.indexmigrator.events.InvalidChangeEventException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Turns DynamoDB stream records into change events: {@code INSERT} and {@code MODIFY} become {@code
 * op=index}, {@code REMOVE} becomes {@code op=delete}. The id comes from the configured template;
 * its placeholders are looked up in the record's key attributes first, then in its image (new image
 * for writes, old image for removals). Sequence numbers and primary terms of the search engine are
 * unknown here, so events carry none.
 */
public final class StreamChangeMapper {
  private final AdapterConfig config;
  private final Function<String, List<String>> keySchema;
  private final Map<String, IdTemplate> defaultTemplates = new ConcurrentHashMap<>();
  private final ChangeEventCodec codec = new ChangeEventCodec();

  /**
   * @param keySchema the key attribute names of a table, partition key first; asked only when no id
   *     template is configured and a record has more than one key attribute, once per table
   */
  public StreamChangeMapper(AdapterConfig config, Function<String, List<String>> keySchema) {
    this.config = Objects.requireNonNull(config, "config");
    this.keySchema = Objects.requireNonNull(keySchema, "keySchema");
  }

  /**
   * The change event for one record.
   *
   * @throws UnmappableRecordException when the record cannot name a valid event (unknown event
   *     name, an id attribute missing or not a string or number, an invalid index name, ...)
   */
  public ChangeEvent map(StreamChange change) {
    ChangeEvent.Op op =
        switch (String.valueOf(change.eventName())) {
          case "INSERT", "MODIFY" -> ChangeEvent.Op.INDEX;
          case "REMOVE" -> ChangeEvent.Op.DELETE;
          default ->
              throw new UnmappableRecordException(
                  "eventName '" + change.eventName() + "' is not INSERT, MODIFY or REMOVE");
        };
    Function<String, StreamChange.Scalar> lookup =
        name ->
            change.keys().containsKey(name) ? change.keys().get(name) : change.image().get(name);
    String id = template(change).apply(lookup);
    String index = config.index();
    if (config.indexAttribute() != null) {
      String fromItem = text(lookup, config.indexAttribute(), "index attribute");
      if (fromItem != null) {
        index = fromItem;
      }
    }
    String routing =
        config.routingAttribute() == null
            ? null
            : text(lookup, config.routingAttribute(), "routing attribute");
    ChangeEvent event = new ChangeEvent(index, id, op, null, null, routing);
    if (config.cluster() != null) {
      event = event.onCluster(config.cluster());
    }
    try {
      // Checked one by one, so one bad item fails alone instead of the whole publish call.
      codec.validate(event);
    } catch (InvalidChangeEventException e) {
      throw new UnmappableRecordException("the change event would be invalid: " + e.reason());
    }
    return event;
  }

  private IdTemplate template(StreamChange change) {
    if (config.idTemplate() != null) {
      return config.idTemplate();
    }
    if (change.keys().isEmpty()) {
      throw new UnmappableRecordException("the record has no Keys");
    }
    if (change.keys().size() == 1) {
      // A table with a partition key only: nothing to order.
      return IdTemplate.joining(List.copyOf(change.keys().keySet()));
    }
    if (change.tableName() == null) {
      throw new UnmappableRecordException(
          "the record has two key attributes and no table to read the key order from; set"
              + " ADAPTER_ID_TEMPLATE");
    }
    return defaultTemplates.computeIfAbsent(
        change.tableName(), table -> IdTemplate.joining(keySchema.apply(table)));
  }

  /** An optional string or number attribute; absent gives null, another type is an error. */
  private static String text(
      Function<String, StreamChange.Scalar> lookup, String attribute, String role) {
    StreamChange.Scalar value = lookup.apply(attribute);
    if (value == null || "NULL".equals(value.type())) {
      return null;
    }
    if (!value.usable()) {
      throw new UnmappableRecordException(
          role
              + " '"
              + attribute
              + "' is of type "
              + value.type()
              + "; expected a string (S) or number (N)");
    }
    return value.text();
  }
}
