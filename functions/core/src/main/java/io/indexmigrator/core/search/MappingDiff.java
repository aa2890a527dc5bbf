package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides offline whether proposed mappings only add to existing ones, i.e. whether a put-mapping
 * call would be accepted. Fields missing from the proposal are not a conflict: put-mapping cannot
 * remove fields, it leaves them as they are.
 *
 * <p>The rules follow what OpenSearch and Elasticsearch 7 accept on a live index: new fields and
 * new multi-fields are fine, a few parameters may change ({@link #UPDATABLE_FIELD_PARAMETERS}),
 * everything else must stay equal. Parameters left out on one side are compared against their
 * documented default where one exists ({@link #PARAMETER_DEFAULTS}).
 */
public final class MappingDiff {

  static final Set<String> UPDATABLE_FIELD_PARAMETERS =
      Set.of(
          "ignore_above", "search_analyzer", "search_quote_analyzer", "meta", "ignore_malformed");

  private static final Set<String> STRUCTURAL = Set.of("type", "properties", "fields");

  static final Set<String> UPDATABLE_TOP_LEVEL =
      Set.of(
          "dynamic",
          "_meta",
          "date_detection",
          "dynamic_date_formats",
          "numeric_detection",
          "dynamic_templates");

  static final Map<String, JsonNode> PARAMETER_DEFAULTS =
      Map.of(
          "index", BooleanNode.TRUE,
          "doc_values", BooleanNode.TRUE,
          "store", BooleanNode.FALSE,
          "coerce", BooleanNode.TRUE,
          "enabled", BooleanNode.TRUE);

  private MappingDiff() {}

  /** Compares {@code proposed} with the {@code existing} mappings of an index. */
  public static MappingCompatibility compare(ObjectNode existing, ObjectNode proposed) {
    List<String> added = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : proposed.properties()) {
      String key = entry.getKey();
      if (key.equals("properties") || UPDATABLE_TOP_LEVEL.contains(key)) {
        continue;
      }
      if (!sameParameter(key, existing.get(key), entry.getValue())) {
        conflicts.add(
            "mapping parameter '"
                + key
                + "' cannot be changed on an existing index (from "
                + describe(existing.get(key))
                + " to "
                + entry.getValue()
                + ")");
      }
    }
    compareProperties(
        "", existing.path("properties"), proposed.path("properties"), added, conflicts);
    return new MappingCompatibility(added, conflicts);
  }

  private static void compareProperties(
      String prefix,
      JsonNode existing,
      JsonNode proposed,
      List<String> added,
      List<String> conflicts) {
    for (Map.Entry<String, JsonNode> entry : proposed.properties()) {
      String path = prefix + entry.getKey();
      JsonNode before = existing.get(entry.getKey());
      if (before == null) {
        added.add(path);
      } else {
        compareField(path, before, entry.getValue(), added, conflicts);
      }
    }
  }

  private static void compareField(
      String path,
      JsonNode existing,
      JsonNode proposed,
      List<String> added,
      List<String> conflicts) {
    String typeBefore = typeOf(existing);
    String typeAfter = typeOf(proposed);
    if (!typeBefore.equals(typeAfter)) {
      conflicts.add(
          "field '"
              + path
              + "' is '"
              + typeBefore
              + "' on the index and cannot become '"
              + typeAfter
              + "'");
      return;
    }
    // A parameter left out of the proposal means its default to the cluster, so parameters set
    // on the index but missing from the proposal are compared too.
    Set<String> parameters = new TreeSet<>();
    proposed.fieldNames().forEachRemaining(parameters::add);
    existing.fieldNames().forEachRemaining(parameters::add);
    for (String parameter : parameters) {
      if (STRUCTURAL.contains(parameter) || UPDATABLE_FIELD_PARAMETERS.contains(parameter)) {
        continue;
      }
      // Object and nested fields may switch 'dynamic' like the top level can.
      if (parameter.equals("dynamic")) {
        continue;
      }
      if (!sameParameter(parameter, existing.get(parameter), proposed.get(parameter))) {
        conflicts.add(
            "parameter '"
                + parameter
                + "' of field '"
                + path
                + "' cannot change (from "
                + describe(existing.get(parameter))
                + " to "
                + describe(proposed.get(parameter))
                + ")");
      }
    }
    compareProperties(
        path + ".", existing.path("properties"), proposed.path("properties"), added, conflicts);
    compareProperties(
        path + ".", existing.path("fields"), proposed.path("fields"), added, conflicts);
  }

  private static boolean sameParameter(String name, JsonNode before, JsonNode after) {
    JsonNode fallback = PARAMETER_DEFAULTS.get(name);
    JsonNode b = before == null ? fallback : before;
    JsonNode a = after == null ? fallback : after;
    if (b == null || a == null) {
      return b == a;
    }
    // The cluster echoes some scalars back as strings ("true", "256").
    return a.isContainerNode() || b.isContainerNode() ? a.equals(b) : a.asText().equals(b.asText());
  }

  private static String typeOf(JsonNode field) {
    return field.path("type").asText("object");
  }

  private static String describe(JsonNode value) {
    return value == null ? "unset" : value.toString();
  }
}
