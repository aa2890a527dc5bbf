package io.indexmigrator.core.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The ranges of one field that split the copy of an index, fixed when the migration is planned.
 *
 * <p>With boundaries {@code b1 < b2 < ... < bk}, part 0 is {@code field < b1} together with the
 * documents that have no value for the field, part {@code i} is {@code b(i) <= field < b(i+1)}, and
 * part {@code k} is {@code field >= bk}. Open at both ends, the parts cover documents written after
 * the plan too, and each document with at most one value falls in exactly one part.
 *
 * @param field the field's full path
 * @param date whether the field is a date: boundaries are epoch milliseconds, and the queries say
 *     so (a date field's own format may not read numbers)
 * @param boundaries strictly increasing; empty when the field had no spread to split (one part)
 */
public record Partitioning(String field, boolean date, List<BigDecimal> boundaries) {

  // Boundaries are read back exactly as written: both parts next to one use the same value.
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  public Partitioning {
    Objects.requireNonNull(field, "field");
    boundaries = List.copyOf(boundaries);
    for (int i = 1; i < boundaries.size(); i++) {
      if (boundaries.get(i).compareTo(boundaries.get(i - 1)) <= 0) {
        throw new IllegalArgumentException("partition boundaries must increase: " + boundaries);
      }
    }
  }

  /**
   * Splits {@code [min, max]} into {@code parts} ranges of equal width; whole numbers (dates too)
   * get whole boundaries, and fewer parts when the span holds fewer distinct values.
   */
  public static Partitioning evenly(
      String field, boolean date, boolean integral, double min, double max, int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be >= 1, got " + parts);
    }
    List<BigDecimal> boundaries = new ArrayList<>();
    if (max > min) {
      BigDecimal low = BigDecimal.valueOf(min);
      BigDecimal width =
          BigDecimal.valueOf(max)
              .subtract(low)
              .divide(BigDecimal.valueOf(parts), 17, RoundingMode.DOWN);
      for (int i = 1; i < parts; i++) {
        BigDecimal b = low.add(width.multiply(BigDecimal.valueOf(i)));
        b = integral || date ? b.setScale(0, RoundingMode.CEILING) : b.stripTrailingZeros();
        // Nothing at or below the minimum would go to the part before; an empty part is waste.
        if (b.compareTo(low) > 0
            && (boundaries.isEmpty() || b.compareTo(boundaries.get(boundaries.size() - 1)) > 0)) {
          boundaries.add(b);
        }
      }
    }
    return new Partitioning(field, date, boundaries);
  }

  public int parts() {
    return boundaries.size() + 1;
  }

  /**
   * The query selecting part {@code part}, or null when there is one part (everything).
   *
   * @throws IllegalArgumentException when there is no such part
   */
  public ObjectNode query(int part) {
    if (part < 0 || part >= parts()) {
      throw new IllegalArgumentException("no part " + part + " of " + parts() + " of " + field);
    }
    if (parts() == 1) {
      return null;
    }
    ObjectNode query = NODES.objectNode();
    if (part == 0) {
      ObjectNode bool = query.putObject("bool");
      ArrayNode should = bool.putArray("should");
      should.add(range(null, boundaries.get(0)));
      should
          .addObject()
          .putObject("bool")
          .putObject("must_not")
          .putObject("exists")
          .put("field", field);
      bool.put("minimum_should_match", 1);
      return query;
    }
    BigDecimal upper = part < boundaries.size() ? boundaries.get(part) : null;
    return range(boundaries.get(part - 1), upper);
  }

  private ObjectNode range(BigDecimal gte, BigDecimal lt) {
    ObjectNode query = NODES.objectNode();
    ObjectNode bounds = query.putObject("range").putObject(field);
    if (gte != null) {
      bounds.set("gte", number(gte));
    }
    if (lt != null) {
      bounds.set("lt", number(lt));
    }
    if (date) {
      bounds.put("format", "epoch_millis");
    }
    return query;
  }

  private static JsonNode number(BigDecimal value) {
    // Whole boundaries as whole numbers: a long or date field reads nothing else exactly.
    return value.scale() <= 0 && value.abs().compareTo(LONG_RANGE) < 0
        ? NODES.numberNode(value.longValueExact())
        : NODES.numberNode(value);
  }

  private static final BigDecimal LONG_RANGE = BigDecimal.valueOf(Long.MAX_VALUE);

  /** A one-line description for reports, e.g. {@code created in 4 ranges}. */
  public String describe() {
    return field + " in " + parts() + (parts() == 1 ? " range" : " ranges");
  }

  public String toJson() {
    ObjectNode node = NODES.objectNode();
    node.put("field", field);
    node.put("date", date);
    ArrayNode array = node.putArray("boundaries");
    boundaries.forEach(b -> array.add(number(b)));
    return node.toString();
  }

  /**
   * Reads what {@link #toJson()} wrote.
   *
   * @throws IllegalArgumentException when {@code json} is not a partitioning
   */
  public static Partitioning fromJson(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("partitioning is not JSON: " + e.getMessage(), e);
    }
    if (node == null
        || !node.path("field").isTextual()
        || !node.path("date").isBoolean()
        || !node.path("boundaries").isArray()) {
      throw new IllegalArgumentException("not a partitioning: " + json);
    }
    List<BigDecimal> boundaries = new ArrayList<>();
    for (JsonNode b : node.get("boundaries")) {
      if (!b.isNumber()) {
        throw new IllegalArgumentException("partition boundary is not a number: " + b);
      }
      boundaries.add(b.decimalValue());
    }
    return new Partitioning(
        node.get("field").textValue(), node.get("date").booleanValue(), boundaries);
  }
}
