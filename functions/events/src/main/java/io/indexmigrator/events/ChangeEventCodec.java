package io.indexmigrator.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the wire form of a {@link ChangeEvent}:
 *
 * <pre>{"index":"orders","id":"42","op":"index","seqNo":7,"primaryTerm":1,"routing":"eu"}</pre>
 *
 * <p>{@link #parse} accepts exactly what {@code schema/change-event.schema.json} accepts, so an
 * application can validate with either. Thread-safe.
 *
 * <p>Rules, in the order they are checked (the first broken one is reported):
 *
 * <ul>
 *   <li>the body is one JSON object; duplicate member names are rejected;
 *   <li>only the members {@value #FIELD_LIST} are allowed;
 *   <li>{@code index} is a string that is not blank and is a valid index or alias name: no ASCII
 *       uppercase, none of {@code \ / * ? " < > | , # :} or space, not starting with {@code -},
 *       {@code _} or {@code +}, not {@code .} or {@code ..}, at most 255 UTF-8 bytes;
 *   <li>{@code id} is a string that is not blank, at most 512 UTF-8 bytes;
 *   <li>{@code op} is {@code "index"} or {@code "delete"};
 *   <li>{@code seqNo} and {@code primaryTerm}, when present and not null, are non-negative JSON
 *       integers that fit in a long (as in JSON Schema, {@code 7.0} is the integer 7), and come
 *       together (one without the other is rejected);
 *   <li>{@code routing}, when present and not null, is a non-empty string;
 *   <li>{@code cluster}, when present and not null, is a cluster name: 1 to 40 of lowercase ASCII
 *       letters, digits and {@code -}, starting with a letter ({@code default} is the default).
 * </ul>
 *
 * <p>"Blank" means empty or only JSON whitespace (space, tab, line feed, carriage return).
 */
public final class ChangeEventCodec {
  static final String FIELD_LIST = "index, id, op, seqNo, primaryTerm, routing, cluster";
  private static final List<String> FIELDS =
      List.of("index", "id", "op", "seqNo", "primaryTerm", "routing", "cluster");
  private static final java.util.regex.Pattern CLUSTER_NAME =
      java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,39}");
  static final int MAX_ID_BYTES = 512;
  static final int MAX_INDEX_BYTES = 255;
  private static final String FORBIDDEN_INDEX_CHARS = "\\/*?\"<>|,#: ";

  private final JsonMapper mapper =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // Exact decimals, so 1.0 reads as the integer JSON Schema says it is, without rounding.
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  /** The wire JSON of an event: {@code op} as its lowercase name, null optional fields left out. */
  public String toJson(ChangeEvent event) {
    return toNode(event).toString();
  }

  /** As {@link #toJson}, as a tree. */
  public ObjectNode toNode(ChangeEvent event) {
    ObjectNode node = mapper.createObjectNode();
    node.put("index", event.index());
    node.put("id", event.id());
    node.put("op", event.op().wireName());
    if (event.seqNo() != null) {
      node.put("seqNo", event.seqNo());
    }
    if (event.primaryTerm() != null) {
      node.put("primaryTerm", event.primaryTerm());
    }
    if (event.cluster() != null) {
      node.put("cluster", event.cluster());
    }
    if (event.routing() != null) {
      node.put("routing", event.routing());
    }
    return node;
  }

  /**
   * Checks an event built in code against the same rules as {@link #parse}, so a bad event is
   * refused where it is made rather than dead-lettered by the consumer.
   *
   * @throws InvalidChangeEventException with a short reason when the event is not valid
   */
  public void validate(ChangeEvent event) {
    parse(toNode(event));
  }

  /**
   * Parses and validates one event.
   *
   * @throws InvalidChangeEventException with a short reason when the text is not a valid event
   */
  public ChangeEvent parse(String json) {
    if (json == null || isBlank(json)) {
      throw new InvalidChangeEventException("empty message body, expected a JSON object");
    }
    JsonNode node;
    try {
      node = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + " column "
                  + e.getLocation().getColumnNr();
      throw new InvalidChangeEventException(
          "malformed JSON" + where + ": " + e.getOriginalMessage(), e);
    }
    return parse(node);
  }

  /**
   * Validates an already parsed event.
   *
   * @throws InvalidChangeEventException with a short reason when the node is not a valid event
   */
  public ChangeEvent parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new InvalidChangeEventException("event must be a JSON object, got " + describe(node));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      String name = it.next().getKey();
      if (!FIELDS.contains(name)) {
        throw new InvalidChangeEventException(
            "unknown field \"" + shorten(name) + "\" (allowed: " + FIELD_LIST + ")");
      }
    }
    String index = requiredString(node, "index");
    String indexProblem = indexNameProblem(index);
    if (indexProblem != null) {
      throw new InvalidChangeEventException(
          "invalid index name \"" + shorten(index) + "\": " + indexProblem);
    }
    String id = requiredString(node, "id");
    int idBytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (idBytes > MAX_ID_BYTES) {
      throw new InvalidChangeEventException(
          "\"id\" is " + idBytes + " bytes, at most " + MAX_ID_BYTES + " allowed");
    }
    ChangeEvent.Op op = op(node);
    Long seqNo = optionalCount(node, "seqNo");
    Long primaryTerm = optionalCount(node, "primaryTerm");
    if ((seqNo == null) != (primaryTerm == null)) {
      throw new InvalidChangeEventException(
          (seqNo == null
                  ? "\"primaryTerm\" without \"seqNo\""
                  : "\"seqNo\" without \"primaryTerm\"")
              + ": give both or neither");
    }
    String routing = optionalRouting(node);
    return new ChangeEvent(index, id, op, seqNo, primaryTerm, routing, optionalCluster(node));
  }

  /**
   * Why {@code name} cannot be an OpenSearch index or alias name, or null when it can. Uppercase is
   * checked for ASCII letters only, so that the JSON Schema can say the same thing portably; a name
   * with other uppercase letters cannot exist in a cluster, so such an event finds no document.
   */
  static String indexNameProblem(String name) {
    if (name.equals(".") || name.equals("..")) {
      return "must not be \".\" or \"..\"";
    }
    char first = name.charAt(0);
    if (first == '-' || first == '_' || first == '+') {
      return "must not start with '" + first + "'";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return "must be lowercase";
      }
      if (FORBIDDEN_INDEX_CHARS.indexOf(c) >= 0) {
        return "must not contain " + (c == ' ' ? "a space" : "'" + c + "'");
      }
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_INDEX_BYTES) {
      return "is " + bytes + " bytes, at most " + MAX_INDEX_BYTES + " allowed";
    }
    return null;
  }

  private static String requiredString(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new InvalidChangeEventException("missing field \"" + field + "\"");
    }
    if (!value.isTextual()) {
      throw new InvalidChangeEventException(
          "\"" + field + "\" must be a string, got " + describe(value));
    }
    if (isBlank(value.textValue())) {
      throw new InvalidChangeEventException("\"" + field + "\" must not be blank");
    }
    return value.textValue();
  }

  private static ChangeEvent.Op op(JsonNode node) {
    JsonNode value = node.get("op");
    if (value == null) {
      throw new InvalidChangeEventException("missing field \"op\" (allowed: index, delete)");
    }
    if (!value.isTextual()) {
      throw new InvalidChangeEventException(
          "\"op\" must be a string, got " + describe(value) + " (allowed: index, delete)");
    }
    for (ChangeEvent.Op op : ChangeEvent.Op.values()) {
      if (op.wireName().equals(value.textValue())) {
        return op;
      }
    }
    throw new InvalidChangeEventException(
        "unknown op \"" + shorten(value.textValue()) + "\" (allowed: index, delete)");
  }

  private static Long optionalCount(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() && !(value.isNumber() && value.canConvertToExactIntegral())) {
      throw new InvalidChangeEventException(
          "\"" + field + "\" must be an integer, got " + describe(value));
    }
    if (!value.canConvertToLong()) {
      throw new InvalidChangeEventException("\"" + field + "\" is out of range: " + value);
    }
    long count = value.longValue();
    if (count < 0) {
      throw new InvalidChangeEventException("\"" + field + "\" must not be negative, got " + count);
    }
    return count;
  }

  private static String optionalRouting(JsonNode node) {
    JsonNode value = node.get("routing");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidChangeEventException("\"routing\" must be a string, got " + describe(value));
    }
    if (value.textValue().isEmpty()) {
      throw new InvalidChangeEventException("\"routing\" must not be empty (leave it out instead)");
    }
    return value.textValue();
  }

  private static String optionalCluster(JsonNode node) {
    JsonNode value = node.get("cluster");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidChangeEventException("\"cluster\" must be a string, got " + describe(value));
    }
    if (!CLUSTER_NAME.matcher(value.textValue()).matches()) {
      throw new InvalidChangeEventException(
          "\"cluster\" must be a cluster name (lowercase letters, digits and -, starting with a"
              + " letter, at most 40), got \""
              + shorten(value.textValue())
              + "\"");
    }
    return value.textValue();
  }

  private static boolean isBlank(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    JsonNodeType type = node.getNodeType();
    return switch (type) {
      case NULL -> "null";
      case BOOLEAN -> "boolean " + node.asText();
      case NUMBER -> "number " + node.asText();
      case STRING -> "string";
      case ARRAY -> "array";
      case OBJECT -> "object";
      default -> type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Keeps reasons short enough for a message attribute even when the offending value is huge. */
  private static String shorten(String text) {
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
