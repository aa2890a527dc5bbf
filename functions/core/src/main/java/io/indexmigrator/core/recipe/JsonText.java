package io.indexmigrator.core.recipe;

import com.fasterxml.jackson.databind.JsonNode;

/** Short, human-readable renderings of JSON values for problem messages. */
final class JsonText {
  private static final int MAX_LENGTH = 60;

  private JsonText() {}

  /** {@code 'text'} for strings, the literal for scalars, a short summary for containers. */
  static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing";
    }
    if (value.isTextual()) {
      return "'" + abbreviate(value.textValue()) + "'";
    }
    if (value.isContainerNode()) {
      String json = value.toString();
      String kind = value.isObject() ? "an object " : "a list ";
      return kind + abbreviate(json);
    }
    return value.toString();
  }

  /** "a string", "an integer", ... for the JSON type of {@code value}. */
  static String typeOf(JsonNode value) {
    return switch (value.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> value.isIntegralNumber() ? "an integer" : "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String abbreviate(String text) {
    return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 3) + "...";
  }
}
