package io.indexmigrator.local.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The host's one JSON mapper and a few helpers around it. */
final class JsonText {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonText() {}

  static String quote(String text) {
    try {
      return MAPPER.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A string cannot fail to serialise", e);
    }
  }
}
