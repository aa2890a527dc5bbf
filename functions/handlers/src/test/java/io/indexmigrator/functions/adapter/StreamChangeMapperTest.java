package io.indexmigrator.functions.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.config.ConfigurationException;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.functions.adapter.StreamChange.Scalar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamChangeMapperTest {
  static final String QUEUE = "http://127.0.0.1:1/000000000000/sync.fifo";

  final List<String> describedTables = new ArrayList<>();

  StreamChangeMapper mapper(String template, String indexAttribute, String routingAttribute) {
    return mapper(template, indexAttribute, routingAttribute, null);
  }

  StreamChangeMapper mapper(
      String template, String indexAttribute, String routingAttribute, String cluster) {
    AdapterConfig config =
        new AdapterConfig(
            QUEUE,
            "records",
            template == null ? null : IdTemplate.parse(template),
            indexAttribute,
            routingAttribute,
            cluster);
    return new StreamChangeMapper(
        config,
        table -> {
          describedTables.add(table);
          return List.of("tenant", "recordId");
        });
  }

  static StreamChange change(
      String eventName, Map<String, Scalar> keys, Map<String, Scalar> image) {
    return new StreamChange(eventName, "100", "Records", keys, image);
  }

  @Test
  void insertAndModifyIndexRemoveDeletes() {
    StreamChangeMapper mapper = mapper("{pk}", null, null);
    Map<String, Scalar> keys = Map.of("pk", Scalar.string("a1"));
    assertThat(mapper.map(change("INSERT", keys, Map.of())))
        .isEqualTo(new ChangeEvent("records", "a1", ChangeEvent.Op.INDEX, null, null, null));
    assertThat(mapper.map(change("MODIFY", keys, Map.of())).op()).isEqualTo(ChangeEvent.Op.INDEX);
    assertThat(mapper.map(change("REMOVE", keys, Map.of())))
        .isEqualTo(new ChangeEvent("records", "a1", ChangeEvent.Op.DELETE, null, null, null));
  }

  @Test
  void aConfiguredCluster_isNamedByEveryEvent_andABadOneFailsTheColdStart() {
    Map<String, Scalar> keys = Map.of("pk", Scalar.string("a1"));
    assertThat(mapper("{pk}", null, null, "source").map(change("INSERT", keys, Map.of())))
        .isEqualTo(
            new ChangeEvent("records", "a1", ChangeEvent.Op.INDEX, null, null, null)
                .onCluster("source"));
    assertThat(mapper("{pk}", null, null).map(change("REMOVE", keys, Map.of())).clusterName())
        .isEqualTo(ChangeEvent.DEFAULT_CLUSTER);
    assertThatThrownBy(() -> new AdapterConfig(QUEUE, "records", null, null, null, "Bad Name!"))
        .isInstanceOf(io.indexmigrator.core.config.ConfigurationException.class)
        .hasMessageContaining("ADAPTER_CLUSTER 'Bad Name!'");
  }

  @Test
  void unknownEventNameIsUnmappable() {
    assertThatThrownBy(
            () ->
                mapper("{pk}", null, null)
                    .map(change("TRUNCATE", Map.of("pk", Scalar.string("a")), Map.of())))
        .isInstanceOf(UnmappableRecordException.class)
        .hasMessageContaining("TRUNCATE");
  }

  @Test
  void templateJoinsStringAndNumberAttributesWithLiterals() {
    ChangeEvent event =
        mapper("{tenant}:{recordId}-v", null, null)
            .map(
                change(
                    "INSERT",
                    Map.of("tenant", Scalar.string("acme"), "recordId", Scalar.number("42")),
                    Map.of()));
    assertThat(event.id()).isEqualTo("acme:42-v");
  }

  @Test
  void templateFallsBackToTheImageForNonKeyAttributes() {
    ChangeEvent event =
        mapper("{tenant}/{pk}", null, null)
            .map(
                change(
                    "REMOVE",
                    Map.of("pk", Scalar.string("p")),
                    Map.of("tenant", Scalar.string("t"), "pk", Scalar.string("ignored"))));
    assertThat(event.id()).isEqualTo("t/p");
  }

  @Test
  void bracesAreEscapedByDoubling() {
    ChangeEvent event =
        mapper("{{{pk}}}", null, null)
            .map(change("INSERT", Map.of("pk", Scalar.string("x")), Map.of()));
    assertThat(event.id()).isEqualTo("{x}");
  }

  @Test
  void missingAttributeNamesItself() {
    assertThatThrownBy(
            () ->
                mapper("{tenant}:{pk}", null, null)
                    .map(change("INSERT", Map.of("pk", Scalar.string("p")), Map.of())))
        .isInstanceOf(UnmappableRecordException.class)
        .hasMessage("id template {tenant}:{pk}: attribute 'tenant' is missing");
  }

  @Test
  void binaryKeyCannotFormAnId() {
    assertThatThrownBy(
            () ->
                mapper("{pk}", null, null)
                    .map(change("INSERT", Map.of("pk", new Scalar("B", null)), Map.of())))
        .isInstanceOf(UnmappableRecordException.class)
        .hasMessageContaining("type B");
  }

  @Test
  void defaultIdIsPartitionThenSortKeyFromTheKeySchema() {
    StreamChangeMapper mapper = mapper(null, null, null);
    // Keys arrive in no particular order; the key schema decides.
    Map<String, Scalar> keys = Map.of("recordId", Scalar.number("7"), "tenant", Scalar.string("t"));
    assertThat(mapper.map(change("INSERT", keys, Map.of())).id()).isEqualTo("t:7");
    assertThat(mapper.map(change("MODIFY", keys, Map.of())).id()).isEqualTo("t:7");
    assertThat(describedTables).containsExactly("Records");
  }

  @Test
  void defaultIdOfAPartitionKeyOnlyTableNeedsNoKeySchema() {
    ChangeEvent event =
        mapper(null, null, null).map(change("INSERT", Map.of("id", Scalar.string("z")), Map.of()));
    assertThat(event.id()).isEqualTo("z");
    assertThat(describedTables).isEmpty();
  }

  @Test
  void indexAttributeChoosesTheIndexAndFallsBackToTheConfiguredOne() {
    StreamChangeMapper mapper = mapper("{pk}", "kind", null);
    Map<String, Scalar> keys = Map.of("pk", Scalar.string("1"));
    assertThat(mapper.map(change("INSERT", keys, Map.of("kind", Scalar.string("orders")))).index())
        .isEqualTo("orders");
    assertThat(mapper.map(change("INSERT", keys, Map.of())).index()).isEqualTo("records");
  }

  @Test
  void invalidIndexNameFromAnItemFailsThatRecordOnly() {
    assertThatThrownBy(
            () ->
                mapper("{pk}", "kind", null)
                    .map(
                        change(
                            "INSERT",
                            Map.of("pk", Scalar.string("1")),
                            Map.of("kind", Scalar.string("Orders")))))
        .isInstanceOf(UnmappableRecordException.class)
        .hasMessageContaining("invalid");
  }

  @Test
  void routingAttributeIsCarriedWhenPresent() {
    StreamChangeMapper mapper = mapper("{pk}", null, "region");
    Map<String, Scalar> keys = Map.of("pk", Scalar.string("1"));
    assertThat(mapper.map(change("MODIFY", keys, Map.of("region", Scalar.string("eu")))).routing())
        .isEqualTo("eu");
    assertThat(mapper.map(change("MODIFY", keys, Map.of())).routing()).isNull();
    assertThatThrownBy(
            () -> mapper.map(change("MODIFY", keys, Map.of("region", new Scalar("M", null)))))
        .isInstanceOf(UnmappableRecordException.class)
        .hasMessageContaining("routing attribute 'region' is of type M");
  }

  @Test
  void badTemplatesAreRejectedAtInit() {
    assertThatThrownBy(() -> IdTemplate.parse("{pk")).isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> IdTemplate.parse("pk}")).isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> IdTemplate.parse("{}")).isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> IdTemplate.parse("constant"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("placeholder");
    assertThat(IdTemplate.parse("{a}:{b}").attributes()).containsExactly("a", "b");
  }

  @Test
  void configRejectsAnInvalidIndex() {
    assertThatThrownBy(() -> new AdapterConfig(QUEUE, "Records", null, null, null, null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("ADAPTER_INDEX 'Records'");
  }

  @Test
  void configReadsTheEnvironment() {
    var env =
        io.indexmigrator.core.config.EnvironmentReader.of(
            Map.of(
                "SYNC_QUEUE_URL", QUEUE,
                "ADAPTER_INDEX", "records",
                "ADAPTER_ID_TEMPLATE", "{tenant}:{recordId}",
                "ADAPTER_ROUTING_ATTRIBUTE", "tenant"),
            DynamoStreamAdapter.ENVIRONMENT);
    AdapterConfig config = AdapterConfig.from(env);
    assertThat(config.idTemplate().attributes()).containsExactly("tenant", "recordId");
    assertThat(config.routingAttribute()).isEqualTo("tenant");
    assertThat(config.indexAttribute()).isNull();
    assertThatThrownBy(
            () ->
                AdapterConfig.from(
                    io.indexmigrator.core.config.EnvironmentReader.of(
                        Map.of("SYNC_QUEUE_URL", QUEUE), DynamoStreamAdapter.ENVIRONMENT)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("ADAPTER_INDEX");
  }

  @Test
  void tableNameComesFromTheStreamArn() {
    assertThat(
            DynamoStreamAdapter.tableOf(
                "arn:aws:dynamodb:eu-west-1:123456789012:table/Records/stream/2026-01-01T00:00:00.000"))
        .isEqualTo("Records");
    assertThat(DynamoStreamAdapter.tableOf("arn:aws:sqs:eu-west-1:1:q")).isNull();
  }
}
