package io.indexmigrator.core.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Catches mapping mistakes that need no cluster to spot: wrong shapes, typed ({@code _doc})
 * mappings and misspelled field types. Anything subtler is left to the cluster when the destination
 * index is created.
 *
 * <p>Field types outside {@link #KNOWN_TYPES} are accepted unless they are a likely typo of a known
 * one, so types added by plugins keep working.
 */
final class MappingShapeCheck {

  static final Set<String> KNOWN_TYPES =
      Set.of(
          "text",
          "keyword",
          "wildcard",
          "constant_keyword",
          "match_only_text",
          "long",
          "integer",
          "short",
          "byte",
          "double",
          "float",
          "half_float",
          "scaled_float",
          "unsigned_long",
          "date",
          "date_nanos",
          "boolean",
          "binary",
          "integer_range",
          "float_range",
          "long_range",
          "double_range",
          "date_range",
          "ip_range",
          "object",
          "nested",
          "flat_object",
          "flattened",
          "geo_point",
          "geo_shape",
          "ip",
          "completion",
          "token_count",
          "percolator",
          "join",
          "rank_feature",
          "rank_features",
          "dense_vector",
          "sparse_vector",
          "knn_vector",
          "search_as_you_type",
          "alias",
          "version",
          "histogram",
          "point",
          "shape",
          "xy_point",
          "xy_shape",
          "murmur3",
          "annotated_text",
          "icu_collation_keyword",
          "semantic",
          "derived",
          "star_tree",
          "aggregate_metric_double");

  private static final Set<String> TOP_LEVEL_PARAMETERS =
      Set.of(
          "properties",
          "dynamic",
          "dynamic_templates",
          "date_detection",
          "dynamic_date_formats",
          "numeric_detection",
          "_source",
          "_routing",
          "_meta",
          "_field_names",
          "_size",
          "enabled",
          "_data_stream_timestamp",
          "derived");

  private MappingShapeCheck() {}

  static void check(ObjectNode mappings, String path, List<RecipeProblem> problems) {
    for (Map.Entry<String, JsonNode> entry : mappings.properties()) {
      String key = entry.getKey();
      String keyPath = Paths.field(path, key);
      if (TOP_LEVEL_PARAMETERS.contains(key)) {
        continue;
      }
      if (entry.getValue().isObject() && entry.getValue().has("properties")) {
        problems.add(
            new RecipeProblem(
                keyPath,
                "typed mappings are not supported: put 'properties' directly under mappings,"
                    + " without the '"
                    + key
                    + "' level"));
      } else {
        problems.add(
            new RecipeProblem(
                keyPath,
                Suggestions.closest(key, TOP_LEVEL_PARAMETERS)
                    .map(m -> "unknown mapping parameter (did you mean '" + m + "'?)")
                    .orElse("unknown mapping parameter; field definitions go under 'properties'")));
      }
    }
    if (mappings.has("properties")) {
      checkProperties(mappings.get("properties"), Paths.field(path, "properties"), problems);
    }
  }

  private static void checkProperties(JsonNode properties, String path, List<RecipeProblem> out) {
    if (!properties.isObject()) {
      out.add(
          new RecipeProblem(
              path,
              "must be an object of field name to field definition, got "
                  + JsonText.describe(properties)));
      return;
    }
    properties
        .properties()
        .forEach(e -> checkField(e.getValue(), Paths.field(path, e.getKey()), out));
  }

  private static void checkField(JsonNode field, String path, List<RecipeProblem> out) {
    if (!field.isObject()) {
      out.add(
          new RecipeProblem(
              path, "must be a field definition object, got " + JsonText.describe(field)));
      return;
    }
    String type = "object";
    JsonNode typeNode = field.get("type");
    if (typeNode != null) {
      if (!typeNode.isTextual()) {
        out.add(
            new RecipeProblem(
                Paths.field(path, "type"), "must be a string, got " + JsonText.describe(typeNode)));
        return;
      }
      type = typeNode.textValue();
      checkType(type, Paths.field(path, "type"), out);
    }
    if (field.has("properties")) {
      if (type.equals("object") || type.equals("nested")) {
        checkProperties(field.get("properties"), Paths.field(path, "properties"), out);
      } else {
        out.add(
            new RecipeProblem(
                Paths.field(path, "properties"),
                "only object and nested fields have 'properties'; this field is '" + type + "'"));
      }
    }
    if (field.has("fields")) {
      // Multi-fields: the same value indexed another way, so they are field definitions too.
      checkProperties(field.get("fields"), Paths.field(path, "fields"), out);
    }
  }

  private static void checkType(String type, String path, List<RecipeProblem> out) {
    if (KNOWN_TYPES.contains(type)) {
      return;
    }
    if (type.equals("string")) {
      out.add(
          new RecipeProblem(path, "the 'string' type no longer exists; use 'text' or 'keyword'"));
      return;
    }
    Suggestions.closest(type, KNOWN_TYPES)
        .ifPresent(
            match ->
                out.add(
                    new RecipeProblem(
                        path,
                        "unknown field type '" + type + "' (did you mean '" + match + "'?)")));
  }
}
