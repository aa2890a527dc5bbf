package io.indexmigrator.core.state;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Bounds that keep every item far below DynamoDB's 400 KB item limit, and the checks on names that
 * become parts of keys. Both stores apply them through the records' constructors, so they agree.
 */
final class StateLimits {
  /** A recipe document larger than this is refused rather than risk the item limit. */
  static final int MAX_DOCUMENT_BYTES = 300 * 1024;

  static final int MAX_VERIFICATION_BYTES = 100 * 1024;
  static final int MAX_RESULT_BYTES = 300 * 1024;
  static final int MAX_FAILURE_REASONS = 10;
  static final int MAX_REASON_CHARS = 1_000;
  static final int MAX_MESSAGE_CHARS = 4_000;
  static final int MAX_NAME_CHARS = 255;
  static final int MAX_SLICES = 10_000;

  /** A point-in-time id names every shard of its index: long, but far below an item's 400 KB. */
  static final int MAX_CURSOR_CHARS = 64 * 1024;

  private StateLimits() {}

  /**
   * Names end up inside sort keys separated by '#'; OpenSearch and Elasticsearch forbid '#' in
   * index names, so refusing it costs nothing and keeps prefixes unambiguous.
   */
  static String requireName(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    if (value.indexOf('#') >= 0) {
      throw new IllegalArgumentException(what + " '" + value + "' must not contain '#'");
    }
    if (value.length() > MAX_NAME_CHARS) {
      throw new IllegalArgumentException(
          what + " is " + value.length() + " characters long; at most " + MAX_NAME_CHARS);
    }
    return value;
  }

  static String requireJsonSize(String what, String json, int maxBytes) {
    if (json == null) {
      return null;
    }
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new IllegalArgumentException(
          what
              + " is "
              + bytes
              + " bytes; the state table keeps at most "
              + maxBytes
              + " bytes per item (DynamoDB items are limited to 400 KB)");
    }
    return json;
  }

  static String truncate(String text, int maxChars) {
    if (text == null || text.length() <= maxChars) {
      return text;
    }
    return text.substring(0, maxChars - 1) + "…";
  }

  static List<String> boundReasons(List<String> reasons) {
    if (reasons == null) {
      return List.of();
    }
    return reasons.stream()
        .limit(MAX_FAILURE_REASONS)
        .map(r -> truncate(String.valueOf(r), MAX_REASON_CHARS))
        .toList();
  }
}
