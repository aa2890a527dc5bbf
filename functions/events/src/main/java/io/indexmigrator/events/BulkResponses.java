package io.indexmigrator.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the parts of OpenSearch/Elasticsearch write responses that name the written document. The
 * whole response is checked before anything is published, so a response of the wrong shape
 * publishes nothing.
 */
final class BulkResponses {
  private static final Set<String> ACTIONS = Set.of("index", "create", "update", "delete");

  private BulkResponses() {}

  static List<BulkItem> items(JsonNode response) {
    if (response == null || !response.isObject()) {
      throw new IllegalArgumentException("bulk response must be a JSON object");
    }
    JsonNode items = response.get("items");
    if (items == null || !items.isArray()) {
      throw new IllegalArgumentException("bulk response has no \"items\" array");
    }
    List<BulkItem> result = new ArrayList<>(items.size());
    for (int position = 0; position < items.size(); position++) {
      JsonNode item = items.get(position);
      String where = "bulk response item " + position;
      if (!item.isObject() || item.size() != 1) {
        throw new IllegalArgumentException(
            where + " must be an object with one action (index, create, update or delete)");
      }
      Map.Entry<String, JsonNode> only = item.fields().next();
      String action = only.getKey();
      if (!ACTIONS.contains(action)) {
        throw new IllegalArgumentException(
            where
                + " has unknown action \""
                + action
                + "\" (expected index, create, update or delete)");
      }
      JsonNode body = only.getValue();
      if (!body.isObject()) {
        throw new IllegalArgumentException(where + ": \"" + action + "\" must be an object");
      }
      JsonNode status = body.get("status");
      if (status == null || !status.isInt()) {
        throw new IllegalArgumentException(where + " has no integer \"status\"");
      }
      BulkItem parsed =
          new BulkItem(
              position,
              action,
              optionalText(body, "_index"),
              optionalText(body, "_id"),
              status.intValue(),
              body.hasNonNull("result") ? body.get("result").asText() : null,
              count(body, "_seq_no"),
              count(body, "_primary_term"));
      // A failed item may lack an _id (an auto-id write that never got one); it is skipped anyway.
      if (parsed.publishable()) {
        text(body, "_index", where);
        text(body, "_id", where);
      }
      result.add(parsed);
    }
    return result;
  }

  /** A single-document write response, read as a bulk item with status 200. */
  static BulkItem document(JsonNode response, String what) {
    if (response == null || !response.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    if (response.has("error")) {
      throw new IllegalArgumentException(what + " is an error response, nothing was written");
    }
    return new BulkItem(
        0,
        what,
        text(response, "_index", what),
        text(response, "_id", what),
        200,
        response.hasNonNull("result") ? response.get("result").asText() : null,
        count(response, "_seq_no"),
        count(response, "_primary_term"));
  }

  private static String text(JsonNode body, String field, String where) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
      throw new IllegalArgumentException(where + " has no \"" + field + "\"");
    }
    return value.textValue();
  }

  private static String optionalText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    return value != null && value.isTextual() && !value.textValue().isEmpty()
        ? value.textValue()
        : null;
  }

  /** Null for absent values and for the negative "unassigned" markers older clusters send. */
  private static Long count(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      return null;
    }
    long count = value.longValue();
    return count < 0 ? null : count;
  }
}
