package io.indexmigrator.functions.adapter;

import io.indexmigrator.core.config.ConfigurationException;
import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangeEventCodec;
import io.indexmigrator.events.InvalidChangeEventException;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of the DynamoDB stream adapter, read and checked once per execution environment.
 *
 * @param queueUrl the sync queue ({@code SYNC_QUEUE_URL})
 * @param index the index or alias the documents are written to ({@code ADAPTER_INDEX}); also the
 *     fallback when {@code indexAttribute} is set but an item lacks it
 * @param idTemplate how the {@code _id} is built ({@code ADAPTER_ID_TEMPLATE}), or null for the
 *     table's partition key and sort key joined with {@code :}
 * @param indexAttribute the item attribute naming the index ({@code ADAPTER_INDEX_ATTRIBUTE}), or
 *     null
 * @param routingAttribute the item attribute holding the custom routing ({@code
 *     ADAPTER_ROUTING_ATTRIBUTE}), or null
 */
public record AdapterConfig(
    String queueUrl,
    String index,
    IdTemplate idTemplate,
    String indexAttribute,
    String routingAttribute) {

  static final List<String> VARIABLES =
      List.of(
          "SYNC_QUEUE_URL",
          "ADAPTER_INDEX",
          "ADAPTER_ID_TEMPLATE",
          "ADAPTER_INDEX_ATTRIBUTE",
          "ADAPTER_ROUTING_ATTRIBUTE");
  static final List<String> REQUIRED = List.of("SYNC_QUEUE_URL", "ADAPTER_INDEX");

  public AdapterConfig {
    Objects.requireNonNull(queueUrl, "queueUrl");
    Objects.requireNonNull(index, "index");
    try {
      new ChangeEventCodec().validate(ChangeEvent.indexed(index, "probe"));
    } catch (InvalidChangeEventException e) {
      throw new ConfigurationException(
          "ADAPTER_INDEX '" + index + "' is not a valid index name: " + e.reason());
    }
  }

  static AdapterConfig from(EnvironmentReader env) {
    return new AdapterConfig(
        env.require("SYNC_QUEUE_URL"),
        env.require("ADAPTER_INDEX"),
        env.optional("ADAPTER_ID_TEMPLATE").map(IdTemplate::parse).orElse(null),
        env.optional("ADAPTER_INDEX_ATTRIBUTE").orElse(null),
        env.optional("ADAPTER_ROUTING_ATTRIBUTE").orElse(null));
  }
}
