package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.StateStore;
import java.time.Clock;

/**
 * What every lifecycle step needs: the state store and the clusters. In-cluster migrations use the
 * same cluster for source and destination.
 */
public record Lifecycle(
    StateStore store, SearchCluster source, SearchCluster destination, Clock clock) {

  RecipeRecord recipe(String name) {
    return store
        .getRecipe(name)
        .orElseThrow(
            () ->
                new MigrationFailedException(
                    "no recipe named '" + name + "'; create it with: migrator init " + name));
  }

  Recipe parsedRecipe(RecipeRecord record) {
    return new RecipeLoader().parse(record.document());
  }
}
