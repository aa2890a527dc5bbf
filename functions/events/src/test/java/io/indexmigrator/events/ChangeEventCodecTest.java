package io.indexmigrator.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChangeEventCodecTest {
  private final ChangeEventCodec codec = new ChangeEventCodec();

  @Test
  void cluster_roundTrips_andDefaultIsOneSpelling() {
    ChangeEvent onSource = ChangeEvent.indexed("orders", "42").onCluster("old-es7");
    String json = codec.toJson(onSource);

    assertThat(json).contains("\"cluster\":\"old-es7\"");
    assertThat(codec.parse(json)).isEqualTo(onSource);
    assertThat(codec.parse(json).clusterName()).isEqualTo("old-es7");
    // "default", null and absent are the same event
    ChangeEvent plain = ChangeEvent.indexed("orders", "42");
    assertThat(
            codec.parse(
                "{\"index\":\"orders\",\"id\":\"42\",\"op\":\"index\",\"cluster\":\"default\"}"))
        .isEqualTo(plain);
    assertThat(codec.toJson(plain.onCluster("default"))).doesNotContain("cluster");
    assertThat(plain.clusterName()).isEqualTo("default");
  }

  @Test
  void writesLowercaseOpAndLeavesOutNulls() {
    assertThat(codec.toJson(ChangeEvent.deleted("orders", "42")))
        .isEqualTo("{\"index\":\"orders\",\"id\":\"42\",\"op\":\"delete\"}");
    assertThat(codec.toJson(new ChangeEvent("orders", "42", ChangeEvent.Op.INDEX, 7L, 2L, "eu")))
        .isEqualTo(
            "{\"index\":\"orders\",\"id\":\"42\",\"op\":\"index\",\"seqNo\":7,\"primaryTerm\":2,"
                + "\"routing\":\"eu\"}");
  }

  @Test
  void readsBackWhatItWrites() {
    ChangeEvent full = new ChangeEvent("logs-2024.01", "a/b é", ChangeEvent.Op.DELETE, 0L, 3L, "r");
    ChangeEvent bare = ChangeEvent.indexed("orders", "1");
    assertThat(codec.parse(codec.toJson(full))).isEqualTo(full);
    assertThat(codec.parse(codec.toJson(bare))).isEqualTo(bare);
  }

  @Test
  void validatesEventsBuiltInCodeByTheParseRules() {
    codec.validate(new ChangeEvent("orders", "42", ChangeEvent.Op.INDEX, 7L, 2L, "eu"));
    assertThatThrownBy(() -> codec.validate(ChangeEvent.indexed("Orders", "1")))
        .isInstanceOf(InvalidChangeEventException.class)
        .hasMessage("invalid index name \"Orders\": must be lowercase");
    assertThatThrownBy(
            () -> codec.validate(new ChangeEvent("a", "1", ChangeEvent.Op.INDEX, 3L, null, null)))
        .hasMessageStartingWith("\"seqNo\" without \"primaryTerm\"");
  }

  @Test
  void treatsExplicitNullsAsAbsent() {
    assertThat(
            codec.parse(
                "{\"index\":\"a\",\"id\":\"1\",\"op\":\"index\",\"seqNo\":null,"
                    + "\"primaryTerm\":null,\"routing\":null}"))
        .isEqualTo(ChangeEvent.indexed("a", "1"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "`{\"index\":\"a\"`|malformed JSON at line 1 column 13: Unexpected end-of-input",
        "`[1]`|event must be a JSON object, got array",
        "`  `|empty message body, expected a JSON object",
        "`{\"id\":\"1\",\"op\":\"index\"}`|missing field \"index\"",
        "`{\"index\":\" \",\"id\":\"1\",\"op\":\"index\"}`|\"index\" must not be blank",
        "`{\"index\":\"Orders\",\"id\":\"1\",\"op\":\"index\"}`|invalid index name \"Orders\": must be lowercase",
        "`{\"index\":\"_all\",\"id\":\"1\",\"op\":\"index\"}`|invalid index name \"_all\": must not start with '_'",
        "`{\"index\":\"a b\",\"id\":\"1\",\"op\":\"index\"}`|invalid index name \"a b\": must not contain a space",
        "`{\"index\":\"a#b\",\"id\":\"1\",\"op\":\"index\"}`|invalid index name \"a#b\": must not contain '#'",
        "`{\"index\":\"a\",\"op\":\"index\"}`|missing field \"id\"",
        "`{\"index\":\"a\",\"id\":7,\"op\":\"index\"}`|\"id\" must be a string, got number 7",
        "`{\"index\":\"a\",\"id\":\"1\",\"op\":\"upsert\"}`|unknown op \"upsert\" (allowed: index, delete)",
        "`{\"index\":\"a\",\"id\":\"1\"}`|missing field \"op\" (allowed: index, delete)",
        "`{\"index\":\"a\",\"id\":\"1\",\"op\":\"index\",\"seqNo\":1.5,\"primaryTerm\":1}`|\"seqNo\" must be an integer, got number 1.5",
        "`{\"index\":\"a\",\"id\":\"1\",\"op\":\"index\",\"seqNo\":\"3\",\"primaryTerm\":1}`|\"seqNo\" must be an integer, got string",
        "`{\"index\":\"a\",\"id\":\"1\",\"op\":\"index\",\"seqNo\":3,\"primaryTerm\":-2}`|\"primaryTerm\" must not be negative, got -2",
        "`{\"index\":\"a\",\"id\":\"1\",\"op\":\"index\",\"seqNo\":3}`|\"seqNo\" without \"primaryTerm\": give both or neither",
        "`{\"index\":\"a\",\"id\":\"1\",\"op\":\"index\",\"opp\":\"x\"}`|unknown field \"opp\" (allowed: index, id, op, seqNo, primaryTerm, routing, cluster)",
      })
  void namesTheProblem(String json, String reason) {
    assertThatThrownBy(() -> codec.parse(json))
        .isInstanceOf(InvalidChangeEventException.class)
        .hasMessageStartingWith(reason);
  }

  @Test
  void reportsOversizedIdInBytes() {
    String id = "€".repeat(200);
    assertThatThrownBy(
            () -> codec.parse("{\"index\":\"a\",\"id\":\"" + id + "\",\"op\":\"index\"}"))
        .hasMessage("\"id\" is 600 bytes, at most 512 allowed");
  }

  @Test
  void keepsReasonsShortForHugeValues() {
    String field = "f".repeat(10_000);
    assertThatThrownBy(
            () ->
                codec.parse("{\"index\":\"a\",\"id\":\"1\",\"op\":\"index\",\"" + field + "\":1}"))
        .hasMessageStartingWith("unknown field \"fff")
        .message()
        .hasSizeLessThan(200);
  }
}
