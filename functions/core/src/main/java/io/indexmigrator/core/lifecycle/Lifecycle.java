package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.StateStore;
import io.indexmigrator.core.sync.SyncControl;
import io.indexmigrator.core.sync.poll.InMemoryPollCheckpoints;
import io.indexmigrator.core.sync.poll.PollCheckpoints;
import java.time.Clock;

/**
 * What every lifecycle step needs: the state store, the clusters and the sync consumer. {@link
 * #source()} and {@link #destination()} are both the default cluster, which in-cluster migrations
 * use for both sides; a recipe's own clusters are {@link #sourceOf} and {@link #destinationOf}.
 */
public record Lifecycle(
    StateStore store,
    Clusters clusters,
    Clock clock,
    SyncControl sync,
    PollCheckpoints pollCheckpoints) {

  /**
   * One cluster for both sides, as before clusters had names. {@code source} and {@code
   * destination} must be the same cluster: a different source is a named cluster.
   */
  public Lifecycle(
      StateStore store,
      SearchCluster source,
      SearchCluster destination,
      Clock clock,
      SyncControl sync,
      PollCheckpoints pollCheckpoints) {
    this(store, sameCluster(source, destination), clock, sync, pollCheckpoints);
  }

  /** A lifecycle without a sync consumer; poll checkpoints in memory. */
  public Lifecycle(StateStore store, SearchCluster source, SearchCluster destination, Clock clock) {
    this(store, source, destination, clock, SyncControl.NONE, new InMemoryPollCheckpoints());
  }

  private static Clusters sameCluster(SearchCluster source, SearchCluster destination) {
    if (source != destination) {
      throw new IllegalArgumentException(
          "source and destination differ; name the source in Clusters and use the canonical"
              + " constructor");
    }
    return Clusters.of(destination);
  }

  /** The default cluster: the source of in-cluster recipes. */
  public SearchCluster source() {
    return clusters.defaultCluster();
  }

  /** The default cluster: the destination of every recipe. */
  public SearchCluster destination() {
    return clusters.defaultCluster();
  }

  /**
   * The cluster {@code recipe} reads from.
   *
   * @throws MigrationFailedException naming the known clusters, when the recipe names another
   */
  public SearchCluster sourceOf(Recipe recipe) {
    return clusters.cluster(recipe.source().cluster());
  }

  /**
   * The cluster {@code recipe} writes to.
   *
   * @throws MigrationFailedException naming the known clusters, when the recipe names another
   */
  public SearchCluster destinationOf(Recipe recipe) {
    return clusters.cluster(recipe.destination().cluster());
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
