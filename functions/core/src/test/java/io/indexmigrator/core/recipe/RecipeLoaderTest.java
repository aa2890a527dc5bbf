package io.indexmigrator.core.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.recipe.CopyOptions.CopyMode;
import io.indexmigrator.core.recipe.CopyOptions.Slices;
import io.indexmigrator.core.recipe.RecipeLoader.Format;
import io.indexmigrator.core.recipe.RolloverOptions.VerifyMode;
import io.indexmigrator.core.recipe.SyncOptions.SyncMode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecipeLoaderTest {
  private static final String EXPECT = "# expect: ";

  private final RecipeLoader loader = new RecipeLoader();

  static Stream<Path> badRecipes() throws IOException, URISyntaxException {
    Path dir = resource("recipes/bad");
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList().stream();
    }
  }

  /**
   * Each file under recipes/bad starts with one "# expect: path: message" line per problem the
   * loader must report, in order. ${dir} stands for the directory of the recipe.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badRecipes")
  void badRecipe_isRejectedWithExactProblems(Path recipe) throws IOException {
    List<String> expected =
        Files.readAllLines(recipe).stream()
            .filter(line -> line.startsWith(EXPECT))
            .map(line -> line.substring(EXPECT.length()))
            .map(line -> line.replace("${dir}", recipe.getParent().toAbsolutePath().toString()))
            .toList();
    assertThat(expected).as("expectations in " + recipe.getFileName()).isNotEmpty();

    RecipeException e = catchThrowableOfType(RecipeException.class, () -> loader.load(recipe));

    assertThat(e).as("loading " + recipe.getFileName() + " must fail").isNotNull();
    assertThat(e.problems()).map(RecipeProblem::toString).containsExactlyElementsOf(expected);
    expected.forEach(problem -> assertThat(e.getMessage()).contains(problem));
  }

  @Test
  void atLeastFifteenBadRecipesAreCovered() throws Exception {
    assertThat(badRecipes().count()).isGreaterThanOrEqualTo(15);
  }

  @Test
  void minimalRecipe_getsDocumentedDefaults() throws Exception {
    Recipe recipe = loader.load(resource("recipes/valid/minimal.yaml"));

    assertThat(recipe.name()).isEqualTo("records-v2");
    assertThat(recipe.prefix()).isEmpty();
    assertThat(recipe.source().cluster()).isEqualTo("default");
    assertThat(recipe.copy()).isEqualTo(CopyOptions.DEFAULTS);
    assertThat(recipe.copy().slices().isAuto()).isTrue();
    assertThat(recipe.copy().batchSize()).isEqualTo(1000);
    assertThat(recipe.copy().isThrottled()).isFalse();
    assertThat(recipe.sync()).isEqualTo(new SyncOptions(SyncMode.NONE, false));
    assertThat(recipe.rollover()).isEqualTo(new RolloverOptions(VerifyMode.COUNT, true, false));
    IndexSpec index = recipe.indexes().get(0);
    assertThat(index.source()).isEqualTo("records");
    assertThat(index.destination()).isNull();
    assertThat(index.settings()).isNull();
    assertThat(index.mappings()).isNull();
    assertThat(index.transform()).isNull();
    assertThat(index.copy()).isEqualTo(CopyOptions.DEFAULTS);
  }

  @Test
  void minimalRecipe_isInCluster() throws Exception {
    Recipe recipe = loader.load(resource("recipes/valid/minimal.yaml"));

    assertThat(recipe.destination().cluster()).isEqualTo("default");
    assertThat(recipe.isCrossCluster()).isFalse();
    assertThat(recipe.copy().mode()).isEqualTo(CopyMode.REINDEX);
  }

  @Test
  void crossClusterRecipe_copiesWithTheReaderByDefault() throws Exception {
    Recipe recipe = loader.load(resource("recipes/valid/cross-cluster.yaml"));

    assertThat(recipe.source().cluster()).isEqualTo("old-es7");
    assertThat(recipe.destination().cluster()).isEqualTo("default");
    assertThat(recipe.isCrossCluster()).isTrue();
    assertThat(recipe.copy()).isEqualTo(CopyOptions.CROSS_CLUSTER_DEFAULTS);
    assertThat(recipe.indexes().get(0).copy().mode()).isEqualTo(CopyMode.READER);
    // An entry's own copy section still inherits the recipe's engine.
    assertThat(recipe.indexes().get(1).copy().mode()).isEqualTo(CopyMode.READER);
    assertThat(recipe.indexes().get(1).copy().slices()).isEqualTo(Slices.of(2));
  }

  @Test
  void inClusterRecipe_mayChooseTheReader() {
    Recipe recipe =
        loader.parse(
            "name: r\nindexes: [{source: a}, {source: b, copy: {mode: reindex}}]\n"
                + "copy: {mode: reader}\n");

    assertThat(recipe.copy().mode()).isEqualTo(CopyMode.READER);
    assertThat(recipe.indexes().get(0).copy().mode()).isEqualTo(CopyMode.READER);
    assertThat(recipe.indexes().get(1).copy().mode()).isEqualTo(CopyMode.REINDEX);
  }

  @Test
  void storedRecipe_namesBothClustersAndTheEngine() throws Exception {
    Recipe recipe = loader.load(resource("recipes/valid/cross-cluster.yaml"));

    var json = new ObjectMapper().readTree(loader.toJson(recipe));

    assertThat(json.at("/source/cluster").asText()).isEqualTo("old-es7");
    assertThat(json.at("/destination/cluster").asText()).isEqualTo("default");
    assertThat(json.at("/copy/mode").asText()).isEqualTo("reader");
    assertThat(json.at("/indexes/1/copy/mode").asText()).isEqualTo("reader");
  }

  @Test
  void fullRecipe_resolvesFilesAndMergesCopyOptions() throws Exception {
    Recipe recipe = loader.load(resource("recipes/valid/full.yaml"));

    assertThat(recipe.prefix()).isEqualTo("tenant1-");
    assertThat(recipe.prefixed("records")).isEqualTo("tenant1-records");
    IndexSpec records = recipe.indexes().get(0);
    assertThat(records.settings().at("/index/number_of_shards").intValue()).isEqualTo(2);
    assertThat(records.mappings().at("/properties/title/fields/raw/ignore_above").intValue())
        .isEqualTo(256);
    assertThat(records.transform())
        .isInstanceOfSatisfying(
            Transform.Script.class,
            script -> {
              assertThat(script.lang()).isEqualTo("painless");
              assertThat(script.params().get("tag").textValue()).isEqualTo("v2");
            });
    // The entry overrides slices only; the rest comes from the recipe-level copy section.
    assertThat(records.copy().slices()).isEqualTo(Slices.of(4));
    assertThat(records.copy().batchSize()).isEqualTo(500);
    assertThat(records.copy().requestsPerSecond()).isEqualTo(250.5);
    IndexSpec stats = recipe.indexes().get(1);
    assertThat(stats.isPattern()).isTrue();
    assertThat(stats.copy().slices().isAuto()).isTrue();
    assertThat(stats.transform()).isEqualTo(new Transform.Pipeline("stats-cleanup"));
    assertThat(recipe.sync().mode()).isEqualTo(SyncMode.EVENTS);
    assertThat(recipe.rollover()).isEqualTo(new RolloverOptions(VerifyMode.CHECKSUM, true, true));
  }

  @Test
  void jsonRecipe_isReadAsJson() throws Exception {
    Recipe recipe = loader.load(resource("recipes/valid/full.json"));

    assertThat(recipe.copy().slices()).isEqualTo(Slices.of(2));
    assertThat(recipe.sync()).isEqualTo(new SyncOptions(SyncMode.POLL, true));
    assertThat(recipe.indexes().get(0).mappings().at("/properties/created/type").textValue())
        .isEqualTo("date");
  }

  @ParameterizedTest
  @MethodSource("validRecipes")
  void validRecipe_roundTripsThroughJson(String name) throws Exception {
    Recipe original = loader.load(resource("recipes/valid/" + name));

    String json = loader.toJson(original);
    Recipe reparsed = loader.parse(json, Format.JSON, null);

    assertThat(reparsed).isEqualTo(original);
    assertThat(new ObjectMapper().readTree(json).has("indexes")).isTrue();
    assertThat(json).doesNotContain("settingsFile").doesNotContain("mappingsFile");
  }

  static Stream<String> validRecipes() {
    return Stream.of("minimal.yaml", "full.yaml", "full.json", "cross-cluster.yaml");
  }

  @Test
  void recipeFromString_cannotReferenceFiles() {
    assertThatThrownBy(
            () -> loader.parse("name: r\nindexes:\n  - source: a\n    mappingsFile: m.json\n"))
        .isInstanceOf(RecipeException.class)
        .hasMessage(
            "invalid recipe: indexes[0].mappingsFile: cannot be resolved: the recipe was not"
                + " loaded from a file");
  }

  @Test
  void missingRecipeFile_isReported() {
    Path missing = Path.of("no-such-recipe.yaml");
    assertThatThrownBy(() -> loader.load(missing))
        .isInstanceOf(RecipeException.class)
        .hasMessage("invalid recipe: $: recipe file not found: no-such-recipe.yaml");
  }

  @Test
  void recipeIsImmutable() throws Exception {
    Recipe recipe = loader.load(resource("recipes/valid/full.yaml"));

    recipe.indexes().get(1).mappings().putObject("properties").put("changed", true);

    assertThat(recipe.indexes().get(1).mappings().at("/properties/changed").isMissingNode())
        .isTrue();
    assertThatThrownBy(() -> recipe.indexes().add(recipe.indexes().get(0)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void schemaIsPublished() {
    assertThat(loader.schema().get("$schema").textValue())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(RecipeLoaderTest.class.getClassLoader().getResource(name).toURI());
  }
}
