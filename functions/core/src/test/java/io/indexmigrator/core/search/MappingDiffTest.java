package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Offline rules; OpenSearchClusterIT checks the same verdicts against a real put-mapping. */
class MappingDiffTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectNode EXISTING =
      json(
          """
          {"dynamic": true,
           "properties": {
             "title": {"type": "text", "analyzer": "standard",
                       "fields": {"raw": {"type": "keyword", "ignore_above": 256}}},
             "meta": {"properties": {"tags": {"type": "keyword"}}},
             "count": {"type": "long"}}}
          """);

  @Test
  void newFieldsAnywhere_areAdditive() {
    MappingCompatibility result =
        MappingDiff.compare(
            EXISTING,
            json(
                """
                {"properties": {
                   "added": {"type": "date"},
                   "meta": {"properties": {"owner": {"type": "keyword"}}},
                   "title": {"type": "text", "analyzer": "standard",
                             "fields": {"en": {"type": "text", "analyzer": "english"}}}}}
                """));

    assertThat(result.additive()).isTrue();
    assertThat(result.addedFields()).containsExactly("added", "meta.owner", "title.en");
  }

  @Test
  void updatableParametersAndDefaults_areAdditive() {
    MappingCompatibility result =
        MappingDiff.compare(
            EXISTING,
            json(
                """
                {"dynamic": "strict",
                 "properties": {
                   "count": {"type": "long", "index": true, "doc_values": true},
                   "title": {"type": "text", "analyzer": "standard", "search_analyzer": "simple",
                             "fields": {"raw": {"type": "keyword", "ignore_above": 100}}}}}
                """));

    assertThat(result.conflicts()).isEmpty();
    assertThat(result.addedFields()).isEmpty();
  }

  @Test
  void typeChange_isAConflict() {
    MappingCompatibility result =
        MappingDiff.compare(
            EXISTING, json("{\"properties\": {\"count\": {\"type\": \"keyword\"}}}"));

    assertThat(result.additive()).isFalse();
    assertThat(result.conflicts())
        .containsExactly("field 'count' is 'long' on the index and cannot become 'keyword'");
  }

  @Test
  void objectBecomingALeaf_isAConflict() {
    assertThat(
            MappingDiff.compare(
                    EXISTING, json("{\"properties\": {\"meta\": {\"type\": \"text\"}}}"))
                .conflicts())
        .containsExactly("field 'meta' is 'object' on the index and cannot become 'text'");
  }

  @Test
  void changedOrDroppedParameter_isAConflict() {
    assertThat(
            MappingDiff.compare(
                    EXISTING,
                    json(
                        "{\"properties\": {\"title\": {\"type\": \"text\", \"analyzer\": \"english\"}}}"))
                .conflicts())
        .containsExactly(
            "parameter 'analyzer' of field 'title' cannot change (from \"standard\" to \"english\")");
    assertThat(
            MappingDiff.compare(
                    EXISTING, json("{\"properties\": {\"title\": {\"type\": \"text\"}}}"))
                .conflicts())
        .containsExactly(
            "parameter 'analyzer' of field 'title' cannot change (from \"standard\" to unset)");
  }

  @Test
  void metadataFieldChange_isAConflict() {
    assertThat(
            MappingDiff.compare(EXISTING, json("{\"_source\": {\"enabled\": false}}")).conflicts())
        .containsExactly(
            "mapping parameter '_source' cannot be changed on an existing index (from unset to"
                + " {\"enabled\":false})");
  }

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
