package io.indexmigrator.core.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.indexmigrator.core.recipe.CopyOptions.CopyMode;
import io.indexmigrator.core.recipe.CopyOptions.Slices;
import io.indexmigrator.core.recipe.Recipe.DestinationCluster;
import io.indexmigrator.core.recipe.Recipe.SourceCluster;
import io.indexmigrator.core.recipe.RolloverOptions.VerifyMode;
import io.indexmigrator.core.recipe.SyncOptions.SyncMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads recipes from YAML or JSON.
 *
 * <p>Order of checks: syntax (with line and column), then the JSON Schema (shape, types, unknown
 * fields), then what the schema cannot express: referenced files, mutually exclusive fields,
 * duplicate destinations and obviously broken mappings. Cluster-dependent checks (does the index
 * exist, does a pattern match) belong to the planner.
 *
 * <p>{@code settingsFile} and {@code mappingsFile} are resolved relative to the recipe file and
 * inlined, so a loaded {@link Recipe} is self-contained and {@link #toJson(Recipe)} gives a
 * document that can be stored and re-parsed anywhere.
 *
 * <p>Instances are thread-safe and meant to be reused (the compiled schema is kept).
 */
public final class RecipeLoader {

  /** Syntax of a recipe document. */
  public enum Format {
    YAML,
    JSON;

    /** JSON for {@code *.json}, YAML for anything else (YAML files may use any extension). */
    public static Format of(Path file) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      return name.endsWith(".json") ? JSON : YAML;
    }
  }

  private static final int MAX_INDEX_NAME_BYTES = 255;

  // Shared by every loader: building the schema took more CPU than parsing a recipe, and the
  // functions and `status` parse the stored recipe on nearly every call. Mappers and the compiled
  // schema are immutable once built, so safe across threads.
  private static final ObjectMapper YAML_MAPPER =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper JSON_MAPPER =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final RecipeSchema SCHEMA = new RecipeSchema(JSON_MAPPER);

  /**
   * Loads a recipe file; its directory is the base for {@code settingsFile} and {@code
   * mappingsFile}.
   *
   * @throws RecipeException if the file is missing, unreadable or the recipe is invalid
   */
  public Recipe load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new RecipeException(new RecipeProblem(Paths.ROOT, "recipe file not found: " + file));
    } catch (IOException e) {
      throw new RecipeException(
          new RecipeProblem(Paths.ROOT, "cannot read recipe file " + file + ": " + e.getMessage()));
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, Format.of(file), base);
  }

  /**
   * Parses recipe text.
   *
   * @param baseDirectory directory {@code settingsFile}/{@code mappingsFile} are relative to, or
   *     {@code null} if the text did not come from a file (then those fields are errors)
   * @throws RecipeException if the recipe is invalid
   */
  public Recipe parse(String text, Format format, Path baseDirectory) {
    JsonNode root = readTree(text, format);
    List<RecipeProblem> problems = SCHEMA.validate(root);
    if (!problems.isEmpty()) {
      throw new RecipeException(problems);
    }
    Recipe recipe = build(root, baseDirectory, problems);
    checkSemantics(root, recipe, problems);
    if (!problems.isEmpty()) {
      throw new RecipeException(problems);
    }
    return recipe;
  }

  /** Parses YAML (or JSON, which YAML accepts) text that references no files. */
  public Recipe parse(String text) {
    return parse(text, Format.YAML, null);
  }

  /**
   * The recipe as a self-contained JSON document (files inlined, defaults spelled out) that {@link
   * #parse(String, Format, Path)} turns back into an equal recipe.
   */
  public String toJson(Recipe recipe) {
    try {
      return JSON_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(recipe));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize recipe " + recipe.name(), e);
    }
  }

  /** The JSON Schema recipes are validated against. */
  public JsonNode schema() {
    return SCHEMA.document();
  }

  private JsonNode readTree(String text, Format format) {
    JsonNode root;
    try {
      root = (format == Format.JSON ? JSON_MAPPER : YAML_MAPPER).readTree(text);
    } catch (JsonProcessingException e) {
      throw new RecipeException(new RecipeProblem(Paths.ROOT, syntaxError(format.name(), e)));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new RecipeException(new RecipeProblem(Paths.ROOT, "the recipe is empty"));
    }
    return root;
  }

  /** "invalid YAML at line 3, column 7: ..." using the parser's own description of the problem. */
  private static String syntaxError(String syntax, JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    String problem = e.getOriginalMessage();
    // SnakeYAML's message spans several lines with a source excerpt; its first line is the gist.
    int newline = problem.indexOf('\n');
    if (newline > 0) {
      problem = problem.substring(0, newline).strip();
    }
    if (location == null || location.getLineNr() < 1) {
      return "invalid " + syntax + ": " + problem;
    }
    return "invalid "
        + syntax
        + " at line "
        + location.getLineNr()
        + ", column "
        + location.getColumnNr()
        + ": "
        + problem;
  }

  private Recipe build(JsonNode root, Path base, List<RecipeProblem> problems) {
    SourceCluster source =
        new SourceCluster(
            root.path("source").path("cluster").asText(SourceCluster.DEFAULT_CLUSTER));
    DestinationCluster destination =
        new DestinationCluster(
            root.path("destination").path("cluster").asText(SourceCluster.DEFAULT_CLUSTER));
    // The destination's _reindex cannot read another cluster, so the default engine follows the
    // clusters.
    CopyOptions defaults =
        source.cluster().equals(destination.cluster())
            ? CopyOptions.DEFAULTS
            : CopyOptions.CROSS_CLUSTER_DEFAULTS;
    CopyOptions recipeCopy = copyOptions(root.path("copy"), defaults);
    List<IndexSpec> indexes = new ArrayList<>();
    JsonNode entries = root.get("indexes");
    for (int i = 0; i < entries.size(); i++) {
      indexes.add(
          indexSpec(entries.get(i), Paths.element("indexes", i), base, recipeCopy, problems));
    }
    JsonNode sync = root.path("sync");
    JsonNode rollover = root.path("rollover");
    return new Recipe(
        root.get("name").textValue(),
        root.path("prefix").asText(""),
        source,
        destination,
        indexes,
        recipeCopy,
        new SyncOptions(
            sync.has("mode")
                ? SyncMode.fromWireName(sync.get("mode").textValue())
                : SyncOptions.DEFAULTS.mode(),
            sync.path("acceptMissedDeletes").asBoolean(SyncOptions.DEFAULTS.acceptMissedDeletes())),
        new RolloverOptions(
            rollover.has("verify")
                ? VerifyMode.fromWireName(rollover.get("verify").textValue())
                : RolloverOptions.DEFAULTS.verify(),
            rollover.path("moveAliases").asBoolean(RolloverOptions.DEFAULTS.moveAliases()),
            rollover
                .path("deleteSourceAfter")
                .asBoolean(RolloverOptions.DEFAULTS.deleteSourceAfter())));
  }

  private IndexSpec indexSpec(
      JsonNode entry,
      String path,
      Path base,
      CopyOptions recipeCopy,
      List<RecipeProblem> problems) {
    ObjectNode settings = objectOrFile(entry, "settings", "settingsFile", path, base, problems);
    ObjectNode mappings = objectOrFile(entry, "mappings", "mappingsFile", path, base, problems);
    return new IndexSpec(
        entry.get("source").textValue(),
        entry.hasNonNull("destination") ? entry.get("destination").textValue() : null,
        settings,
        mappings,
        transform(entry.get("transform")),
        copyOptions(entry.path("copy"), recipeCopy));
  }

  /** The inline object, or the object read from the referenced file (relative to the recipe). */
  private ObjectNode objectOrFile(
      JsonNode entry,
      String inlineField,
      String fileField,
      String path,
      Path base,
      List<RecipeProblem> problems) {
    JsonNode inline = entry.get(inlineField);
    JsonNode file = entry.get(fileField);
    if (file == null) {
      return inline == null ? null : (ObjectNode) inline;
    }
    String filePath = Paths.field(path, fileField);
    if (inline != null) {
      problems.add(
          new RecipeProblem(
              filePath, "cannot be combined with '" + inlineField + "'; give one of the two"));
      return null;
    }
    if (base == null) {
      problems.add(
          new RecipeProblem(filePath, "cannot be resolved: the recipe was not loaded from a file"));
      return null;
    }
    Path resolved = base.resolve(file.textValue()).normalize();
    String text;
    try {
      text = Files.readString(resolved, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      problems.add(new RecipeProblem(filePath, "file not found: " + resolved));
      return null;
    } catch (IOException e) {
      problems.add(new RecipeProblem(filePath, "cannot read " + resolved + ": " + e.getMessage()));
      return null;
    }
    Format format = Format.of(resolved);
    JsonNode content;
    try {
      content = (format == Format.JSON ? JSON_MAPPER : YAML_MAPPER).readTree(text);
    } catch (JsonProcessingException e) {
      problems.add(new RecipeProblem(filePath, resolved + ": " + syntaxError(format.name(), e)));
      return null;
    }
    // Accept {"settings": {...}} / {"mappings": {...}} as exported by the cluster's GET APIs.
    if (content != null && content.size() == 1 && content.path(inlineField).isObject()) {
      content = content.get(inlineField);
    }
    if (content == null || !content.isObject()) {
      problems.add(
          new RecipeProblem(
              filePath,
              resolved + " must contain a JSON object, got " + JsonText.describe(content)));
      return null;
    }
    return (ObjectNode) content;
  }

  private static Transform transform(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.has("pipeline")) {
      return new Transform.Pipeline(node.get("pipeline").textValue());
    }
    JsonNode script = node.get("script");
    return new Transform.Script(
        script.get("source").textValue(),
        script.hasNonNull("lang") ? script.get("lang").textValue() : null,
        script.has("params") ? (ObjectNode) script.get("params") : null);
  }

  private static CopyOptions copyOptions(JsonNode node, CopyOptions defaults) {
    if (node.isMissingNode()) {
      return defaults;
    }
    JsonNode slices = node.get("slices");
    JsonNode partition = node.get("partition");
    return new CopyOptions(
        node.has("mode") ? CopyMode.fromWireName(node.get("mode").textValue()) : defaults.mode(),
        slices == null
            ? defaults.slices()
            : slices.isTextual() ? Slices.AUTO : Slices.of(slices.intValue()),
        node.path("batchSize").asInt(defaults.batchSize()),
        node.path("requestsPerSecond").asDouble(defaults.requestsPerSecond()),
        partition == null
            ? defaults.partition()
            : new CopyOptions.Partition(
                partition.get("field").textValue(), partition.get("parts").intValue()));
  }

  private static void checkSemantics(JsonNode root, Recipe recipe, List<RecipeProblem> problems) {
    // Which cluster names exist is the functions' configuration, checked at init.
    checkCopyMode(recipe, recipe.copy(), "copy.mode", problems);
    Map<String, String> destinationOwners = new HashMap<>();
    for (int i = 0; i < recipe.indexes().size(); i++) {
      IndexSpec spec = recipe.indexes().get(i);
      String path = Paths.element("indexes", i);
      checkLength(recipe, spec.source(), Paths.field(path, "source"), problems);
      if (spec.copy().mode() != recipe.copy().mode()) {
        checkCopyMode(
            recipe, spec.copy(), Paths.field(Paths.field(path, "copy"), "mode"), problems);
      }
      if (spec.destination() != null) {
        String destinationPath = Paths.field(path, "destination");
        checkLength(recipe, spec.destination(), destinationPath, problems);
        if (spec.destination().equals(spec.source())) {
          problems.add(new RecipeProblem(destinationPath, "must differ from the source index"));
        }
        String owner = destinationOwners.putIfAbsent(spec.destination(), path);
        if (owner != null) {
          problems.add(
              new RecipeProblem(
                  destinationPath,
                  "'" + spec.destination() + "' is already the destination of " + owner));
        }
      }
      ObjectNode mappings = spec.mappings();
      if (mappings != null) {
        String mappingsPath =
            Paths.field(
                path, root.at("/indexes/" + i).has("mappingsFile") ? "mappingsFile" : "mappings");
        MappingShapeCheck.check(mappings, mappingsPath, problems);
      }
    }
  }

  private static void checkCopyMode(
      Recipe recipe, CopyOptions copy, String path, List<RecipeProblem> problems) {
    switch (copy.mode()) {
      case REINDEX -> {
        if (copy.partition() != null && !recipe.isCrossCluster()) {
          problems.add(
              new RecipeProblem(
                  path.substring(0, path.length() - "mode".length()) + "partition",
                  "an in-cluster _reindex is sliced by the engine; use copy.slices instead of a"
                      + " partition, which splits the reader and remote-reindex engines' work"));
        }
        if (recipe.isCrossCluster()) {
          problems.add(
              new RecipeProblem(
                  path,
                  "'reindex' copies only within one cluster (the destination's _reindex reads"
                      + " its own indexes), but the source is cluster '"
                      + recipe.source().cluster()
                      + "' and the destination '"
                      + recipe.destination().cluster()
                      + "'; use 'reader' (the default across clusters) or leave copy.mode out"));
        }
      }
      case REMOTE_REINDEX -> {
        if (!recipe.isCrossCluster()) {
          problems.add(
              new RecipeProblem(
                  path,
                  "'remote-reindex' makes the destination read another cluster, but source and"
                      + " destination are both cluster '"
                      + recipe.source().cluster()
                      + "'; use 'reindex' (the default) within one cluster"));
        }
      }
      case READER -> {}
    }
  }

  private static void checkLength(
      Recipe recipe, String name, String path, List<RecipeProblem> problems) {
    String full = recipe.prefixed(name);
    if (full.getBytes(StandardCharsets.UTF_8).length > MAX_INDEX_NAME_BYTES) {
      problems.add(
          new RecipeProblem(
              path, "index name '" + full + "' is longer than " + MAX_INDEX_NAME_BYTES + " bytes"));
    }
  }

  private static ObjectNode toTree(Recipe recipe) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("name", recipe.name());
    if (!recipe.prefix().isEmpty()) {
      root.put("prefix", recipe.prefix());
    }
    root.putObject("source").put("cluster", recipe.source().cluster());
    root.putObject("destination").put("cluster", recipe.destination().cluster());
    ArrayNode indexes = root.putArray("indexes");
    for (IndexSpec spec : recipe.indexes()) {
      ObjectNode entry = indexes.addObject();
      entry.put("source", spec.source());
      if (spec.destination() != null) {
        entry.put("destination", spec.destination());
      }
      if (spec.settings() != null) {
        entry.set("settings", spec.settings());
      }
      if (spec.mappings() != null) {
        entry.set("mappings", spec.mappings());
      }
      switch (spec.transform()) {
        case null -> {}
        case Transform.Pipeline pipeline ->
            entry.putObject("transform").put("pipeline", pipeline.name());
        case Transform.Script script -> {
          ObjectNode s = entry.putObject("transform").putObject("script");
          s.put("source", script.source()).put("lang", script.lang());
          if (script.params() != null) {
            s.set("params", script.params());
          }
        }
      }
      entry.set("copy", copyTree(spec.copy()));
    }
    root.set("copy", copyTree(recipe.copy()));
    root.putObject("sync")
        .put("mode", recipe.sync().mode().wireName())
        .put("acceptMissedDeletes", recipe.sync().acceptMissedDeletes());
    root.putObject("rollover")
        .put("verify", recipe.rollover().verify().wireName())
        .put("moveAliases", recipe.rollover().moveAliases())
        .put("deleteSourceAfter", recipe.rollover().deleteSourceAfter());
    return root;
  }

  private static ObjectNode copyTree(CopyOptions copy) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("mode", copy.mode().wireName());
    if (copy.slices().isAuto()) {
      node.put("slices", "auto");
    } else {
      node.put("slices", copy.slices().count());
    }
    node.put("batchSize", copy.batchSize());
    double rps = copy.requestsPerSecond();
    if (rps == Math.rint(rps)) {
      node.put("requestsPerSecond", (long) rps);
    } else {
      node.put("requestsPerSecond", rps);
    }
    if (copy.partition() != null) {
      node.putObject("partition")
          .put("field", copy.partition().field())
          .put("parts", copy.partition().parts());
    }
    return node;
  }
}
