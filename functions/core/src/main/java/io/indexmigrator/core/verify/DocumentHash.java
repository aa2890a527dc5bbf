package io.indexmigrator.core.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Hashes of documents that do not depend on how the engine re-serialized the source: key order and
 * whitespace may change when {@code _reindex} rewrites a document, its content may not.
 */
public final class DocumentHash {
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private DocumentHash() {}

  /** 64 bits of SHA-256 over the id and the canonical source. */
  public static long of(String id, String sourceJson) {
    MessageDigest sha = sha256();
    sha.update(id.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(canonical(sourceJson).getBytes(StandardCharsets.UTF_8));
    return first64(sha.digest());
  }

  static long ofId(String id) {
    return first64(sha256().digest(id.getBytes(StandardCharsets.UTF_8)));
  }

  static String canonical(String sourceJson) {
    try {
      JsonNode tree = CANONICAL.readTree(sourceJson);
      // Sorting needs a Map view; treeToValue keeps numbers as parsed.
      Object plain = CANONICAL.treeToValue(tree, Object.class);
      return CANONICAL.writeValueAsString(plain);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "document source is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static long first64(byte[] digest) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (digest[i] & 0xff);
    }
    return value;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
