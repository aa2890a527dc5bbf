package io.indexmigrator.core.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The recipes shipped under examples/recipes must stay valid as the schema evolves. */
class ExampleRecipesTest {
  // Surefire runs in the module directory, functions/core.
  private static final Path EXAMPLES = Path.of("../../examples/recipes");

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void thereAreExamples() throws IOException {
    assertThat(examples()).hasSizeGreaterThanOrEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void exampleLoads(Path example) {
    Recipe recipe = new RecipeLoader().load(example);

    assertThat(recipe.indexes()).isNotEmpty();
  }
}
