package io.indexmigrator.core.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates a recipe document against {@code schema/recipe.schema.json} and turns the validator's
 * output into {@link RecipeProblem}s that name the recipe field and what is expected of it.
 *
 * <p>The validator reports one message per failed keyword, which for a {@code oneOf} or a pattern
 * reads like the schema rather than like advice. Properties that carry an {@code x-message} in the
 * schema therefore get that text instead, followed by the value found.
 */
final class RecipeSchema {
  static final String RESOURCE = "/schema/recipe.schema.json";
  private static final String MESSAGE_KEYWORD = "x-message";

  private final JsonNode schemaDocument;
  private final JsonSchema schema;

  RecipeSchema(ObjectMapper mapper) {
    try (InputStream in = RecipeSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("recipe schema missing from the classpath: " + RESOURCE);
      }
      schemaDocument = mapper.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read recipe schema " + RESOURCE, e);
    }
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().build();
    // x-message carries our wording of a problem; declared so the validator does not warn about it.
    JsonMetaSchema metaSchema =
        JsonMetaSchema.builder(JsonMetaSchema.getV202012())
            .keyword(new NonValidationKeyword(MESSAGE_KEYWORD))
            .build();
    schema =
        JsonSchemaFactory.getInstance(
                SpecVersion.VersionFlag.V202012, factory -> factory.metaSchema(metaSchema))
            .getSchema(schemaDocument, config);
  }

  /** The schema document itself, for tools that want to publish it. */
  JsonNode document() {
    return schemaDocument.deepCopy();
  }

  List<RecipeProblem> validate(JsonNode recipe) {
    Set<RecipeProblem> problems = new LinkedHashSet<>();
    Set<RecipeProblem> general = new LinkedHashSet<>();
    for (ValidationMessage message : schema.validate(recipe)) {
      String path = format(message.getInstanceLocation());
      List<String> schemaPath = segments(message.getSchemaLocation().getFragment());
      String custom = customMessage(schemaPath);
      RecipeProblem problem =
          custom != null
              ? new RecipeProblem(
                  path, custom + ", got " + JsonText.describe(message.getInstanceNode()))
              : toProblem(message, path, schemaPath);
      problems.add(problem);
      if (custom != null) {
        general.add(problem);
      }
    }
    // A oneOf reports both "matches no alternative" and what is wrong inside the closest one;
    // the specific problem is the useful one, so the general one is dropped when both exist.
    general.removeIf(
        problem -> problems.stream().noneMatch(other -> isInside(other.path(), problem.path())));
    problems.removeAll(general);
    return new ArrayList<>(problems);
  }

  private static boolean isInside(String path, String ancestor) {
    return Paths.ROOT.equals(ancestor)
        ? !Paths.ROOT.equals(path)
        : path.startsWith(ancestor + ".") || path.startsWith(ancestor + "[");
  }

  private RecipeProblem toProblem(ValidationMessage message, String path, List<String> schemaPath) {
    JsonNode value = message.getInstanceNode();
    JsonNode keywordValue = schemaNode(schemaPath);
    return switch (message.getType()) {
      case "required" -> new RecipeProblem(Paths.field(path, message.getProperty()), "is required");
      case "additionalProperties" -> unknownField(path, message.getProperty(), schemaPath);
      case "type" ->
          new RecipeProblem(
              path, "must be " + typeName(keywordValue) + ", got " + JsonText.describe(value));
      case "enum" ->
          new RecipeProblem(
              path,
              "must be one of " + choices(keywordValue) + ", got " + JsonText.describe(value));
      case "minLength" -> new RecipeProblem(path, "must not be empty");
      default -> new RecipeProblem(path, message.getMessage().replaceFirst("^\\S+: ", ""));
    };
  }

  private RecipeProblem unknownField(String parentPath, String field, List<String> schemaPath) {
    String path = Paths.field(parentPath, field);
    // The keyword sits next to "properties" in the same schema object.
    JsonNode properties =
        schemaNode(schemaPath.subList(0, schemaPath.size() - 1)).path("properties");
    List<String> known = new ArrayList<>();
    properties.fieldNames().forEachRemaining(known::add);
    return Suggestions.closest(field, known)
        .map(match -> new RecipeProblem(path, "unknown field (did you mean '" + match + "'?)"))
        .orElseGet(
            () ->
                new RecipeProblem(
                    path,
                    "unknown field; allowed here: " + String.join(", ", new TreeSet<>(known))));
  }

  /**
   * Looks for an {@code x-message} on the schema that failed or on the property schema enclosing it
   * through combinators ({@code oneOf/1}, {@code anyOf/0}, ...), but never across a {@code
   * properties} or {@code items} boundary: those belong to a different field.
   */
  private String customMessage(List<String> schemaPath) {
    int end = schemaPath.size() - 1; // drop the failed keyword itself
    while (end >= 0) {
      JsonNode node = schemaNode(schemaPath.subList(0, end));
      if (node.hasNonNull(MESSAGE_KEYWORD)) {
        return node.get(MESSAGE_KEYWORD).asText();
      }
      if (end >= 2 && isCombinator(schemaPath.get(end - 2)) && isIndex(schemaPath.get(end - 1))) {
        end -= 2;
      } else if (end >= 1 && isCombinator(schemaPath.get(end - 1))) {
        end -= 1;
      } else {
        return null;
      }
    }
    return null;
  }

  private static boolean isCombinator(String segment) {
    return segment.equals("oneOf") || segment.equals("anyOf") || segment.equals("allOf");
  }

  private static boolean isIndex(String segment) {
    return !segment.isEmpty() && segment.chars().allMatch(Character::isDigit);
  }

  private JsonNode schemaNode(List<String> segments) {
    JsonNode node = schemaDocument;
    for (String segment : segments) {
      node = node.isArray() ? node.path(Integer.parseInt(segment)) : node.path(segment);
    }
    return node;
  }

  private static List<String> segments(JsonNodePath path) {
    List<String> segments = new ArrayList<>();
    if (path == null) {
      return segments;
    }
    for (int i = 0; i < path.getNameCount(); i++) {
      segments.add(String.valueOf(path.getElement(i)));
    }
    return segments;
  }

  /** {@code indexes[1].copy.slices}, or {@code $} for the document root. */
  static String format(JsonNodePath location) {
    String path = Paths.ROOT;
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      path =
          element instanceof Integer index
              ? Paths.element(path, index)
              : Paths.field(path, String.valueOf(element));
    }
    return path;
  }

  private static String typeName(JsonNode type) {
    return switch (type.asText()) {
      case "object" -> "an object";
      case "array" -> "a list";
      case "string" -> "a string";
      case "integer" -> "an integer";
      case "number" -> "a number";
      case "boolean" -> "true or false";
      default -> type.toString();
    };
  }

  private static String choices(JsonNode values) {
    List<String> quoted = new ArrayList<>();
    values.forEach(v -> quoted.add(JsonText.describe(v)));
    return String.join(", ", quoted);
  }
}
