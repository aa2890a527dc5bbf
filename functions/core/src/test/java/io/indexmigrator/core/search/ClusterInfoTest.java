package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /} as the engines really answer it: the fixtures under root-responses/ were recorded
 * from the engines the twin runs (OpenSearch 1.3.20 in compatibility mode was started with {@code
 * compatibility.override_main_response_version=true}; setting it later through {@code PUT
 * _cluster/settings} gives the same body).
 */
class ClusterInfoTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode fixture(String name) throws IOException {
    try (InputStream in = ClusterInfoTest.class.getResourceAsStream("/root-responses/" + name)) {
      return JSON.readTree(in);
    }
  }

  static ClusterInfo info(String name) throws IOException {
    return ClusterInfo.fromRootResponse(fixture(name));
  }

  @Test
  void elasticsearch7_isElasticsearch() throws IOException {
    ClusterInfo info = info("elasticsearch-7.10.2.json");

    assertThat(info.distribution()).isEqualTo(ClusterInfo.ELASTICSEARCH);
    assertThat(info.version()).isEqualTo("7.10.2");
    assertThat(info.luceneVersion()).isEqualTo("8.7.0");
    assertThat(info.isVersionMasked()).isFalse();
    assertThat(info.majorVersion()).isEqualTo(7);
    assertThat(info.minorVersion()).hasValue(10);
    assertThat(info.engine()).isEqualTo("elasticsearch 7.10.2");
  }

  @Test
  void openSearchVersions_areReadAsReported() throws IOException {
    assertThat(info("opensearch-1.3.20.json").engine()).isEqualTo("opensearch 1.3.20");
    assertThat(info("opensearch-2.19.6.json"))
        .satisfies(
            i -> {
              assertThat(i.isOpenSearch()).isTrue();
              assertThat(i.luceneVersion()).isEqualTo("9.12.3");
              assertThat(i.majorVersion()).isEqualTo(2);
              assertThat(i.minorVersion()).hasValue(19);
            });
    assertThat(info("opensearch-3.8.0.json").luceneVersion()).isEqualTo("10.5.0");
    assertThat(info("opensearch-3.8.0.json").engine()).isEqualTo("opensearch 3.8.0");
  }

  @Test
  void openSearch1InCompatibilityMode_isOpenSearch1_notElasticsearch7() throws IOException {
    ClusterInfo info = info("opensearch-1.3.20-compatibility-mode.json");

    assertThat(info.distribution()).isEqualTo(ClusterInfo.OPENSEARCH);
    assertThat(info.reportedVersion()).isEqualTo("7.10.2");
    assertThat(info.isVersionMasked()).isTrue();
    assertThat(info.majorVersion()).isEqualTo(1);
    assertThat(info.minorVersion()).isEmpty();
    assertThat(info.engine()).isEqualTo("opensearch 1.x (reports 7.10.2)");
  }

  @Test
  void compatibilityMode_isDetectedByLucene_whenAProxyRewroteTheTagline() throws IOException {
    ObjectNode body = (ObjectNode) fixture("opensearch-1.3.20-compatibility-mode.json");
    body.put("tagline", "You Know, for Search");

    assertThat(ClusterInfo.fromRootResponse(body).isOpenSearch()).isTrue();
  }

  @Test
  void elasticsearchWithoutItsTagline_isStillElasticsearch() throws IOException {
    ObjectNode body = (ObjectNode) fixture("elasticsearch-7.10.2.json");
    body.remove("tagline");

    assertThat(ClusterInfo.fromRootResponse(body).isElasticsearch()).isTrue();
  }

  @Test
  void amazonDomainInCompatibilityMode_onLucene9_isOpenSearch2() throws IOException {
    // As an OpenSearch 2.x domain in compatibility mode answers: 7.10.2 on Lucene 9.
    ObjectNode body = (ObjectNode) fixture("opensearch-1.3.20-compatibility-mode.json");
    ((ObjectNode) body.get("version")).put("lucene_version", "9.4.2");

    ClusterInfo info = ClusterInfo.fromRootResponse(body);

    assertThat(info.isOpenSearch()).isTrue();
    assertThat(info.majorVersion()).isEqualTo(2);
  }

  @Test
  void nodeVersion_unmasksTheRealVersion() throws IOException {
    ClusterInfo masked = info("opensearch-1.3.20-compatibility-mode.json");
    String nodeVersion =
        fixture("opensearch-1.3.20-compatibility-mode-nodes.json")
            .path("nodes")
            .elements()
            .next()
            .path("version")
            .asText();

    ClusterInfo real = masked.withNodeVersion(nodeVersion);

    assertThat(real.version()).isEqualTo("1.3.20");
    assertThat(real.minorVersion()).hasValue(3);
    assertThat(real.isVersionMasked()).isTrue();
    assertThat(real.engine()).isEqualTo("opensearch 1.3.20 (reports 7.10.2)");
  }

  @Test
  void nodeVersion_thatContradictsLucene_orIsMaskedToo_isIgnored() throws IOException {
    ClusterInfo masked = info("opensearch-1.3.20-compatibility-mode.json");

    assertThat(masked.withNodeVersion("7.10.2")).isEqualTo(masked);
    assertThat(masked.withNodeVersion("2.19.6")).isEqualTo(masked);
    assertThat(masked.withNodeVersion(null)).isEqualTo(masked);
    assertThat(info("opensearch-2.19.6.json").withNodeVersion("2.0.0").version())
        .isEqualTo("2.19.6");
  }

  @Test
  void bodyWithoutAVersion_isRefused() {
    assertThatThrownBy(() -> ClusterInfo.fromRootResponse(JSON.createObjectNode()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version.number");
  }
}
