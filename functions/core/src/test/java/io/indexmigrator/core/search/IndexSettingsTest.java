package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class IndexSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void nestedFlatAndUnprefixedSettings_normalizeToTheSameShape() throws Exception {
    String expected =
        "{\"index.number_of_shards\":2,\"index.analysis.analyzer.a.type\":\"standard\"}";

    assertThat(
            IndexSettings.normalize(
                    JSON.readTree(
                        "{\"index\": {\"number_of_shards\": 2, \"analysis\": {\"analyzer\":"
                            + " {\"a\": {\"type\": \"standard\"}}}}}"))
                .toString())
        .isEqualTo(expected);
    assertThat(
            IndexSettings.normalize(
                    JSON.readTree(
                        "{\"index.number_of_shards\": 2, \"index.analysis.analyzer.a.type\":"
                            + " \"standard\"}"))
                .toString())
        .isEqualTo(expected);
    assertThat(
            IndexSettings.normalize(
                    JSON.readTree(
                        "{\"number_of_shards\": 2, \"analysis\": {\"analyzer.a.type\":"
                            + " \"standard\"}}"))
                .toString())
        .isEqualTo(expected);
  }

  @Test
  void arraysAndNullsStayValues() throws Exception {
    assertThat(
            IndexSettings.normalize(
                    JSON.readTree(
                        "{\"index\": {\"query\": {\"default_field\": [\"a\", \"b\"]},"
                            + " \"refresh_interval\": null}}"))
                .toString())
        .isEqualTo("{\"index.query.default_field\":[\"a\",\"b\"],\"index.refresh_interval\":null}");
  }

  @Test
  void clusterStringsEqualTypedValues() throws Exception {
    assertThat(IndexSettings.sameValue(new TextNode("2"), new IntNode(2))).isTrue();
    assertThat(IndexSettings.sameValue(new TextNode("3"), new IntNode(2))).isFalse();
    assertThat(IndexSettings.sameValue(JSON.readTree("[\"a\"]"), new TextNode("a"))).isFalse();
    assertThat(IndexSettings.sameValue(null, new TextNode("a"))).isFalse();
  }
}
