package io.indexmigrator.core.copy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Objects;

/**
 * Where a {@link ShardCopy} of one work item stands, and what it has done in its current pass.
 *
 * <p>A state store keeps it as the opaque text of {@link #toJson()}.
 *
 * @param contextId the latest scroll id or point-in-time id; null once the shard is copied to its
 *     end and the context closed ({@link #finished()})
 * @param searchAfterJson for a point in time, the sort values (a JSON array) of the last document
 *     written; the next page starts after it. Null for a scroll, and before the first page.
 * @param clean whether the copy stopped on purpose between two pages. A scroll moves forward when
 *     it answers, so a scroll cursor saved by a process that went on reading (not clean) may be
 *     behind the scroll, and only a clean one can be continued.
 * @param read documents read from pages fully written, in this pass
 * @param written documents the destination accepted, in this pass
 * @param versionConflicts documents the destination already held at the same or a newer version (a
 *     live sync wrote it), in this pass; they count as copied
 * @param refused documents reported as refused, in this pass
 * @param pages pages fully written, in this pass
 */
public record ReaderCursor(
    Kind kind,
    String contextId,
    String searchAfterJson,
    boolean clean,
    long read,
    long written,
    long versionConflicts,
    long refused,
    long pages) {

  /** How the shard is read. */
  public enum Kind {
    SCROLL,
    POINT_IN_TIME
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FORMAT = 1;

  public ReaderCursor {
    Objects.requireNonNull(kind, "kind");
    if (read < 0 || written < 0 || versionConflicts < 0 || refused < 0 || pages < 0) {
      throw new IllegalArgumentException("negative counter in cursor");
    }
  }

  /** A pass that has just opened {@code contextId} and written nothing yet. */
  static ReaderCursor start(Kind kind, String contextId) {
    return new ReaderCursor(kind, contextId, null, false, 0, 0, 0, 0, 0);
  }

  /** Whether the shard was copied to its end; there is nothing left to read or close. */
  public boolean finished() {
    return contextId == null;
  }

  /** Documents copied (accepted or already newer in the destination) in this pass. */
  public long copied() {
    return written + versionConflicts;
  }

  ReaderCursor withClean(boolean clean) {
    return new ReaderCursor(
        kind, contextId, searchAfterJson, clean, read, written, versionConflicts, refused, pages);
  }

  ReaderCursor closed() {
    return new ReaderCursor(
        kind, null, searchAfterJson, true, read, written, versionConflicts, refused, pages);
  }

  /** The cursor after one more page, written with these outcomes. */
  ReaderCursor afterPage(
      String contextId,
      String searchAfterJson,
      long read,
      long written,
      long versionConflicts,
      long refused) {
    return new ReaderCursor(
        kind,
        contextId,
        searchAfterJson,
        false,
        this.read + read,
        this.written + written,
        this.versionConflicts + versionConflicts,
        this.refused + refused,
        pages + 1);
  }

  /** The cursor as one JSON object, read back by {@link #fromJson(String)}. */
  public String toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("format", FORMAT);
    node.put("kind", kind.name());
    node.put("contextId", contextId);
    node.put("searchAfter", searchAfterJson);
    node.put("clean", clean);
    node.put("read", read);
    node.put("written", written);
    node.put("versionConflicts", versionConflicts);
    node.put("refused", refused);
    node.put("pages", pages);
    return node.toString();
  }

  /**
   * Reads what {@link #toJson()} wrote.
   *
   * @throws IllegalArgumentException when {@code json} is not such a cursor
   */
  public static ReaderCursor fromJson(String json) {
    if (json == null || json.isBlank()) {
      throw new IllegalArgumentException("no reader cursor: empty text");
    }
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("reader cursor is not JSON: " + e.getMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("reader cursor is not a JSON object: " + json);
    }
    if (node.path("format").asInt(-1) != FORMAT) {
      throw new IllegalArgumentException(
          "reader cursor has format " + node.path("format") + ", expected " + FORMAT);
    }
    Kind kind;
    try {
      kind = Kind.valueOf(node.path("kind").asText(""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "reader cursor has no valid kind (SCROLL or POINT_IN_TIME): " + node.path("kind"), e);
    }
    if (!node.path("clean").isBoolean()) {
      throw new IllegalArgumentException("reader cursor has no clean flag: " + json);
    }
    return new ReaderCursor(
        kind,
        text(node, "contextId"),
        text(node, "searchAfter"),
        node.path("clean").booleanValue(),
        counter(node, "read"),
        counter(node, "written"),
        counter(node, "versionConflicts"),
        counter(node, "refused"),
        counter(node, "pages"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException("reader cursor field " + field + " is not text: " + value);
    }
    return value.textValue();
  }

  private static long counter(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "reader cursor field " + field + " is not a whole number: " + value);
    }
    return value.longValue();
  }

  @Override
  public String toString() {
    return kind
        + (finished() ? " finished" : clean ? " clean" : " in flight")
        + ", "
        + pages
        + " pages, "
        + read
        + " read, "
        + written
        + " written, "
        + versionConflicts
        + " already newer, "
        + refused
        + " refused";
  }
}
