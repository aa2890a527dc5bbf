package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.state.InMemoryStateStore;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** init refuses a transform the copy could not run, and leaves nothing behind when it does. */
class InitializerTransformCheckTest {
  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster cluster = new InMemorySearchCluster();
  private Initializer initializer;

  @BeforeEach
  void aSourceIndex() {
    cluster.withIndex("records-v1", 1, null);
    for (int i = 0; i < 3; i++) {
      cluster.withDocument("records-v1", "r" + i, "{\"n\":" + i + "}");
    }
    initializer = new Initializer(new Lifecycle(store, cluster, cluster, Clock.systemUTC()));
  }

  private static Recipe recipe(String transform) {
    return new RecipeLoader()
        .parse(
            """
            name: r
            indexes: [{source: records-v1, destination: records-v2, transform: %s}]
            """
                .formatted(transform));
  }

  @Test
  void aScriptTheEngineRejects_isRefusedWithItsReason_andNothingIsLeft() {
    cluster.rejectingScript(
        "ctx._source.x = ", "compile error (caused by illegal_argument_exception: unexpected EOF)");

    assertThatThrownBy(
            () -> initializer.init(recipe("{script: {source: \"ctx._source.x = \"}}"), false))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("index 'records-v1'")
        .hasMessageContaining("unexpected EOF")
        .hasMessageContaining("ctx._source.x = ");

    assertThat(cluster.sampleReindexes()).hasSize(1);
    assertThat(cluster.indexExists("records-v2")).isFalse();
    assertThat(cluster.indexExists(cluster.sampleReindexes().get(0).destinationIndex()))
        .as("the throw-away index is deleted")
        .isFalse();
    assertThat(store.getRecipe("r")).isEmpty();
  }

  @Test
  void aScriptThatRuns_isTriedOnAThrowAwayIndex_thenInitProceeds() {
    initializer.init(recipe("{script: {source: \"ctx._source.x = 1\"}}"), false);

    assertThat(cluster.sampleReindexes())
        .singleElement()
        .satisfies(
            trial -> {
              assertThat(trial.sourceIndex()).isEqualTo("records-v1");
              assertThat(trial.destinationIndex())
                  .startsWith("records-v2" + Initializer.TRIAL_INFIX);
              assertThat(trial.scriptSource()).isEqualTo("ctx._source.x = 1");
              assertThat(cluster.indexExists(trial.destinationIndex())).isFalse();
            });
    assertThat(cluster.indexExists("records-v2")).isTrue();
    assertThat(store.getRecipe("r")).isPresent();
  }

  @Test
  void aPipelineThatDoesNotExist_isRefusedByName_andNothingIsLeft() {
    assertThatThrownBy(() -> initializer.init(recipe("{pipeline: no-such-pipeline}"), false))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("'no-such-pipeline' does not exist");

    assertThat(cluster.indexExists("records-v2")).isFalse();
    assertThat(store.getRecipe("r")).isEmpty();
  }

  @Test
  void aPipelineThatExists_isAccepted() {
    cluster.withIngestPipeline("stamp");

    initializer.init(recipe("{pipeline: stamp}"), false);

    assertThat(cluster.indexExists("records-v2")).isTrue();
    assertThat(store.getRecipe("r")).isPresent();
  }
}
