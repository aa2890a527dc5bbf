package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.StateStore;
import io.indexmigrator.core.sync.SyncControl;
import io.indexmigrator.core.sync.poll.InMemoryPollCheckpoints;
import io.indexmigrator.core.sync.poll.PollCheckpoints;
import java.time.Clock;

/**
 * What every lifecycle step needs: the state store, the clusters and the sync consumer. In-cluster
 * migrations use the same cluster for source and destination.
 */
public record Lifecycle(
    StateStore store,
    SearchCluster source,
    SearchCluster destination,
    Clock clock,
    SyncControl sync,
    PollCheckpoints pollCheckpoints) {

  /** A lifecycle without a sync consumer; poll checkpoints in memory. */
  public Lifecycle(StateStore store, SearchCluster source, SearchCluster destination, Clock clock) {
    this(store, source, destination, clock, SyncControl.NONE, new InMemoryPollCheckpoints());
  }

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
