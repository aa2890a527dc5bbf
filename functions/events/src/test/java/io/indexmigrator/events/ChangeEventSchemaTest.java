package io.indexmigrator.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.JsonValidator;
import com.networknt.schema.Keyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationContext;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped JSON Schema and {@link ChangeEventCodec} must accept exactly the same events. Each
 * case says what it expects, and both the codec and the schema are held to it, so a rule added to
 * one side only fails here.
 */
class ChangeEventSchemaTest {
  /** Parses as the codec does: duplicate names and trailing content are not JSON events. */
  private static final JsonMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final JsonSchema SCHEMA = load(true);
  private static final JsonSchema SCHEMA_WITHOUT_BYTE_LIMITS = load(false);
  private final ChangeEventCodec codec = new ChangeEventCodec();

  static Stream<Arguments> cases() {
    String ascii512 = "x".repeat(512);
    String ascii513 = "x".repeat(513);
    String twoByte512 = "é".repeat(256);
    String threeByte900 = "€".repeat(300);
    String index255 = "i".repeat(255);
    String index256 = "i".repeat(256);
    String twoByteIndex256 = "é".repeat(128);
    List<Arguments> cases = new ArrayList<>();
    // accepted
    ok(cases, "minimal", ev("\"orders\"", "\"42\"", "\"index\"", ""));
    ok(
        cases,
        "all fields",
        ev(
            "\"orders\"",
            "\"42\"",
            "\"index\"",
            ",\"seqNo\":7,\"primaryTerm\":1,\"routing\":\"eu\",\"cluster\":\"old-es7\""));
    ok(cases, "cluster default", withRest(",\"cluster\":\"default\""));
    ok(cases, "cluster null", withRest(",\"cluster\":null"));
    ok(
        cases,
        "delete at seqNo 0",
        ev("\"orders\"", "\"42\"", "\"delete\"", ",\"seqNo\":0,\"primaryTerm\":1"));
    ok(
        cases,
        "explicit nulls",
        ev(
            "\"a\"",
            "\"b\"",
            "\"delete\"",
            ",\"seqNo\":null,\"primaryTerm\":null,\"routing\":null"));
    ok(cases, "dot index", withIndex("\".kibana_1\""));
    ok(cases, "dated index", withIndex("\"logs-2024.01.01\""));
    ok(cases, "non-ASCII lowercase index", withIndex("\"índice\""));
    ok(cases, "tab inside index", withIndex("\"a\\tb\""));
    ok(cases, "id with inner spaces", withId("\" a b \""));
    ok(cases, "id of 512 ASCII bytes", withId(q(ascii512)));
    ok(cases, "id of 512 two-byte bytes", withId(q(twoByte512)));
    ok(cases, "index of 255 bytes", withIndex(q(index255)));
    ok(cases, "largest seqNo", withRest(",\"seqNo\":9223372036854775807,\"primaryTerm\":1"));
    // not JSON or not an object
    bad(cases, "not JSON", "orders/42");
    bad(cases, "truncated", "{\"index\":\"a\"");
    bad(cases, "trailing content", withRest("") + " {}");
    bad(
        cases,
        "duplicate member",
        "{\"index\":\"a\",\"index\":\"b\",\"id\":\"1\",\"op\":\"index\"}");
    bad(cases, "array", "[]");
    bad(cases, "string", "\"orders/42\"");
    bad(cases, "null", "null");
    bad(cases, "empty object", "{}");
    // index
    bad(cases, "missing index", "{\"id\":\"1\",\"op\":\"index\"}");
    bad(cases, "index number", withIndex("5"));
    bad(cases, "index empty", withIndex("\"\""));
    bad(cases, "index blank", withIndex("\"\\t\""));
    bad(cases, "index uppercase", withIndex("\"Orders\""));
    for (String start : List.of("-", "_", "+")) {
      bad(cases, "index starts with " + start, withIndex(q(start + "x")));
    }
    for (String c : List.of("\\\\", "/", "*", "?", "\\\"", "<", ">", "|", ",", "#", ":", " ")) {
      bad(cases, "index contains " + c, withIndex(q("a" + c + "b")));
    }
    bad(cases, "index dot", withIndex("\".\""));
    bad(cases, "index dot dot", withIndex("\"..\""));
    bad(cases, "index of 256 bytes", withIndex(q(index256)));
    bad(cases, "index of 128 chars, 256 bytes", withIndex(q(twoByteIndex256)));
    // id
    bad(cases, "missing id", "{\"index\":\"a\",\"op\":\"index\"}");
    bad(cases, "id number", withId("42"));
    bad(cases, "id empty", withId("\"\""));
    bad(cases, "id blank", withId("\" \\n\\t\\r \""));
    bad(cases, "id of 513 bytes", withId(q(ascii513)));
    bad(cases, "id of 300 chars, 900 bytes", withId(q(threeByte900)));
    // op
    bad(cases, "missing op", "{\"index\":\"a\",\"id\":\"1\"}");
    bad(cases, "op update", ev("\"a\"", "\"1\"", "\"update\"", ""));
    bad(cases, "op uppercase", ev("\"a\"", "\"1\"", "\"INDEX\"", ""));
    bad(cases, "op null", ev("\"a\"", "\"1\"", "null", ""));
    bad(cases, "op number", ev("\"a\"", "\"1\"", "1", ""));
    // seqNo and primaryTerm
    bad(cases, "seqNo string", withRest(",\"seqNo\":\"7\",\"primaryTerm\":1"));
    bad(cases, "seqNo fraction", withRest(",\"seqNo\":1.5,\"primaryTerm\":1"));
    ok(cases, "seqNo 1.0 is an integer", withRest(",\"seqNo\":1.0,\"primaryTerm\":1"));
    bad(cases, "seqNo boolean", withRest(",\"seqNo\":true,\"primaryTerm\":1"));
    bad(cases, "seqNo negative", withRest(",\"seqNo\":-1,\"primaryTerm\":1"));
    bad(cases, "seqNo beyond long", withRest(",\"seqNo\":9223372036854775808,\"primaryTerm\":1"));
    bad(cases, "primaryTerm negative", withRest(",\"seqNo\":1,\"primaryTerm\":-1"));
    bad(cases, "seqNo alone", withRest(",\"seqNo\":1"));
    bad(cases, "primaryTerm alone", withRest(",\"primaryTerm\":1"));
    bad(cases, "seqNo with null primaryTerm", withRest(",\"seqNo\":1,\"primaryTerm\":null"));
    // routing and extra fields
    bad(cases, "routing empty", withRest(",\"routing\":\"\""));
    bad(cases, "routing number", withRest(",\"routing\":5"));
    bad(cases, "cluster uppercase", withRest(",\"cluster\":\"Source\""));
    bad(cases, "cluster empty", withRest(",\"cluster\":\"\""));
    bad(cases, "cluster starting with a digit", withRest(",\"cluster\":\"7es\""));
    bad(cases, "cluster too long", withRest(",\"cluster\":\"" + "c".repeat(41) + "\""));
    bad(cases, "cluster number", withRest(",\"cluster\":7"));
    bad(cases, "typo opp", "{\"index\":\"a\",\"id\":\"1\",\"op\":\"index\",\"opp\":\"delete\"}");
    bad(cases, "extra field", withRest(",\"timestamp\":1"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void codecAndSchemaAgree(String name, String json, boolean valid) {
    boolean codecAccepts;
    try {
      codec.parse(json);
      codecAccepts = true;
    } catch (InvalidChangeEventException e) {
      codecAccepts = false;
    }
    assertThat(codecAccepts).as("codec accepts %s", json).isEqualTo(valid);
    assertThat(schemaAccepts(SCHEMA, json)).as("schema accepts %s", json).isEqualTo(valid);
  }

  @Test
  void withoutTheByteKeywordOnlyMultiByteLimitsAreMissed() {
    // What a generic validator that ignores x-maxUtf8Bytes sees: the character bounds still hold.
    List<String> missed =
        cases()
            .filter(
                c -> {
                  String json = (String) c.get()[1];
                  boolean valid = (boolean) c.get()[2];
                  return schemaAccepts(SCHEMA_WITHOUT_BYTE_LIMITS, json) != valid;
                })
            .map(c -> (String) c.get()[0])
            .toList();
    assertThat(missed)
        .containsExactlyInAnyOrder("index of 128 chars, 256 bytes", "id of 300 chars, 900 bytes");
  }

  private static boolean schemaAccepts(JsonSchema schema, String json) {
    JsonNode node;
    try {
      node = STRICT.readTree(json);
    } catch (JsonProcessingException e) {
      return false;
    }
    return node != null && !node.isMissingNode() && schema.validate(node).isEmpty();
  }

  private static void ok(List<Arguments> cases, String name, String json) {
    cases.add(Arguments.of(name, json, true));
  }

  private static void bad(List<Arguments> cases, String name, String json) {
    cases.add(Arguments.of(name, json, false));
  }

  /** {@code {"index":...,"id":"1","op":"index"}} with the given index (as JSON). */
  private static String withIndex(String index) {
    return ev(index, "\"1\"", "\"index\"", "");
  }

  /** {@code {"index":"a","id":...,"op":"index"}} with the given id (as JSON). */
  private static String withId(String id) {
    return ev("\"a\"", id, "\"index\"", "");
  }

  /** {@code {"index":"a","id":"1","op":"index"}} with {@code rest} added before the brace. */
  private static String withRest(String rest) {
    return ev("\"a\"", "\"1\"", "\"index\"", rest);
  }

  private static String ev(String index, String id, String op, String rest) {
    return "{\"index\":" + index + ",\"id\":" + id + ",\"op\":" + op + rest + "}";
  }

  private static String q(String text) {
    return "\"" + text + "\"";
  }

  private static JsonSchema load(boolean withByteLimits) {
    JsonMetaSchema.Builder meta = JsonMetaSchema.builder(JsonMetaSchema.getV202012());
    if (withByteLimits) {
      meta.keyword(new MaxUtf8Bytes());
    }
    JsonMetaSchema metaSchema = meta.build();
    try (InputStream in =
        ChangeEventSchemaTest.class.getResourceAsStream("/schema/change-event.schema.json")) {
      assertThat(in).as("schema on the classpath").isNotNull();
      return JsonSchemaFactory.getInstance(
              SpecVersion.VersionFlag.V202012, factory -> factory.metaSchema(metaSchema))
          .getSchema(in);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The schema's {@code x-maxUtf8Bytes}: a string's UTF-8 length limit, which JSON Schema lacks.
   */
  private static final class MaxUtf8Bytes implements Keyword {
    @Override
    public String getValue() {
      return "x-maxUtf8Bytes";
    }

    @Override
    public JsonValidator newValidator(
        SchemaLocation schemaLocation,
        JsonNodePath evaluationPath,
        JsonNode schemaNode,
        JsonSchema parentSchema,
        ValidationContext validationContext) {
      int limit = schemaNode.intValue();
      return new JsonValidator() {
        @Override
        public Set<ValidationMessage> validate(
            ExecutionContext context, JsonNode node, JsonNode root, JsonNodePath instanceLocation) {
          if (!node.isTextual()
              || node.textValue().getBytes(StandardCharsets.UTF_8).length <= limit) {
            return Set.of();
          }
          return Set.of(
              ValidationMessage.builder()
                  .type(getValue())
                  .code(getValue())
                  .instanceLocation(instanceLocation)
                  .evaluationPath(evaluationPath)
                  .schemaLocation(schemaLocation)
                  .message("more than " + limit + " UTF-8 bytes")
                  .build());
        }

        @Override
        public SchemaLocation getSchemaLocation() {
          return schemaLocation;
        }

        @Override
        public JsonNodePath getEvaluationPath() {
          return evaluationPath;
        }

        @Override
        public String getKeyword() {
          return getValue();
        }
      };
    }
  }
}
