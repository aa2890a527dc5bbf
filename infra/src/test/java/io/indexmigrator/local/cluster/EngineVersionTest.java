package io.indexmigrator.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EngineVersionTest {

  @ParameterizedTest
  @CsvSource({
    "opensearch:2.19.6, OPENSEARCH, 2.19.6",
    "opensearch, OPENSEARCH, 2.19.6",
    "opensearch:2, OPENSEARCH, 2.19.6",
    "opensearch:1, OPENSEARCH, 1.3.20",
    "opensearch:1.3.20, OPENSEARCH, 1.3.20",
    "opensearch:3, OPENSEARCH, 3.8.0",
    "opensearch:3.6.0, OPENSEARCH, 3.6.0",
    "opensearch:2.11.1, OPENSEARCH, 2.11.1",
    "elasticsearch:7.10.2, ELASTICSEARCH, 7.10.2",
    "elasticsearch, ELASTICSEARCH, 7.10.2",
    "' OpenSearch:2 ', OPENSEARCH, 2.19.6",
  })
  void parse_acceptsFullVersionsAndShorthands(
      String text, Distribution distribution, String version) {
    EngineVersion parsed = EngineVersion.parse(text);

    assertThat(parsed.distribution()).isEqualTo(distribution);
    assertThat(parsed.version()).isEqualTo(version);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "opensearch:9.1",
        "opensearch:1.3.19",
        "opensearch:4.0.0",
        "opensearch:2.19",
        "opensearch:latest",
        "elasticsearch:8.11.0",
        "elasticsearch:7.17.0",
        "solr:9.0.0",
        "",
      })
  void parse_rejectsUnsupportedValuesNamingThemAndTheSupportedOnes(String text) {
    assertThatThrownBy(() -> EngineVersion.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown engine version '" + text.trim() + "'")
        .hasMessageContaining("opensearch:1.3.20")
        .hasMessageContaining("elasticsearch:7.10.2");
  }

  @ParameterizedTest
  @CsvSource({
    "opensearch:1, 11, 21",
    "opensearch:2, 11, 21",
    "elasticsearch, 11, 21",
    "opensearch:3, 21, 2147483647",
  })
  void javaRange_followsTheSecurityManagerRemoval(String text, int min, int max) {
    EngineVersion engine = EngineVersion.parse(text);

    assertThat(engine.minJava()).isEqualTo(min);
    assertThat(engine.maxJava()).isEqualTo(max);
  }

  @ParameterizedTest
  @CsvSource({
    "opensearch:1, reindex.remote.whitelist",
    "opensearch:2, reindex.remote.allowlist",
    "opensearch:3, reindex.remote.allowlist",
    "elasticsearch, reindex.remote.whitelist",
  })
  void remoteAllowlistSetting_usesTheNameEachReleaseKnows(String text, String setting) {
    assertThat(EngineVersion.parse(text).remoteAllowlistSetting()).isEqualTo(setting);
  }

  @ParameterizedTest
  @ValueSource(strings = {"opensearch:2.19.6", "elasticsearch:7.10.2", "opensearch:3.8.0"})
  void toString_roundTripsThroughParse(String text) {
    assertThat(EngineVersion.parse(text).toString()).isEqualTo(text);
    assertThat(EngineVersion.parse(EngineVersion.parse(text).toString()))
        .isEqualTo(EngineVersion.parse(text));
  }
}
