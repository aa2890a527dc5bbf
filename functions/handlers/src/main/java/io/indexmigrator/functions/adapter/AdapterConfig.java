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
 * @param cluster the cluster the application writes the items to ({@code ADAPTER_CLUSTER}), as the
 *     functions name it; null for the default one. A migration from another cluster needs it: the
 *     sync looks an event's index up among the recipes reading from the cluster it names.
 */
public record AdapterConfig(
    String queueUrl,
    String index,
    IdTemplate idTemplate,
    String indexAttribute,
    String routingAttribute,
    String cluster) {

  static final List<String> VARIABLES =
      List.of(
          "SYNC_QUEUE_URL",
          "ADAPTER_INDEX",
          "ADAPTER_ID_TEMPLATE",
          "ADAPTER_INDEX_ATTRIBUTE",
          "ADAPTER_ROUTING_ATTRIBUTE",
          "ADAPTER_CLUSTER");
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
    if (cluster != null) {
      try {
        new ChangeEventCodec().validate(ChangeEvent.indexed(index, "probe").onCluster(cluster));
      } catch (InvalidChangeEventException e) {
        throw new ConfigurationException(
            "ADAPTER_CLUSTER '" + cluster + "' is not a valid cluster name: " + e.reason());
      }
    }
  }

  static AdapterConfig from(EnvironmentReader env) {
    return new AdapterConfig(
        env.require("SYNC_QUEUE_URL"),
        env.require("ADAPTER_INDEX"),
        env.optional("ADAPTER_ID_TEMPLATE").map(IdTemplate::parse).orElse(null),
        env.optional("ADAPTER_INDEX_ATTRIBUTE").orElse(null),
        env.optional("ADAPTER_ROUTING_ATTRIBUTE").orElse(null),
        env.optional("ADAPTER_CLUSTER").orElse(null));
  }
}
