package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Index settings in one canonical shape: flat dotted keys that all start with {@code index.}, as
 * returned by {@code GET /<index>/_settings?flat_settings=true}.
 *
 * <p>Users write settings nested ({@code {index: {number_of_shards: 2}}}), flat ({@code
 * {"index.number_of_shards": 2}}) or without the {@code index.} prefix; all three mean the same to
 * the cluster, so comparisons and merges work on this shape.
 */
public final class IndexSettings {
  private static final String INDEX_PREFIX = "index.";

  private IndexSettings() {}

  /** Flattens and prefixes {@code settings}; arrays and nulls are kept as values. */
  public static ObjectNode normalize(JsonNode settings) {
    ObjectNode flat = JsonNodeFactory.instance.objectNode();
    if (settings != null) {
      flatten("", settings, flat);
    }
    ObjectNode prefixed = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> entry : flat.properties()) {
      String key = entry.getKey();
      prefixed.set(key.startsWith(INDEX_PREFIX) ? key : INDEX_PREFIX + key, entry.getValue());
    }
    return prefixed;
  }

  private static void flatten(String prefix, JsonNode node, ObjectNode out) {
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String key = prefix + entry.getKey();
      if (entry.getValue().isObject()) {
        flatten(key + ".", entry.getValue(), out);
      } else {
        out.set(key, entry.getValue());
      }
    }
  }

  /**
   * Whether two setting values are the same to the cluster, which stores every scalar as a string
   * ({@code 2} and {@code "2"} are equal).
   */
  public static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isArray() || b.isArray()) {
      if (!a.isArray() || !b.isArray() || a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.asText().equals(b.asText());
  }
}
