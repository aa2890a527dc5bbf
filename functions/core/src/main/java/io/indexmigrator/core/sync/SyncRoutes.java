package io.indexmigrator.core.sync;

import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which migration an event's index belongs to. Built from the state table (the recipes' index
 * records, with the aliases they had at init) and cached briefly: the consumer sees many events per
 * second, the routes change only when a recipe changes phase.
 */
final class SyncRoutes {
  static final Set<RecipeStatus> ACTIVE =
      Set.of(
          RecipeStatus.INITIALIZED,
          RecipeStatus.RUNNING,
          RecipeStatus.COPIED,
          RecipeStatus.SYNCING,
          RecipeStatus.ROLLING_OVER,
          RecipeStatus.FAILED);

  /** From these on, the rollover may be moving or have moved the aliases to the destination. */
  private static final Set<RolloverPhase> FENCED_PHASES =
      Set.of(RolloverPhase.VERIFIED, RolloverPhase.SWAPPED, RolloverPhase.UNBLOCKED);

  /** Where an event goes, with the recipe's status when the routes were read. */
  record Route(IndexRecord index, RecipeStatus recipeStatus) {}

  private final StateStore store;
  private final SearchCluster source;
  private final Clock clock;
  private final Duration ttl;
  private Map<String, Route> byName = Map.of();
  private Map<String, Route> finished = Map.of();
  private Instant readAt = Instant.EPOCH;
  private Map<String, CachedRecipe> recipes = Map.of();

  private record CachedRecipe(int generation, long version, List<IndexRecord> indexes) {}

  SyncRoutes(StateStore store, SearchCluster source, Clock clock, Duration ttl) {
    this.store = store;
    this.source = source;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** The route of a concrete index or alias name; refreshes the cache when it is stale. */
  synchronized Optional<Route> route(String name) {
    if (Duration.between(readAt, clock.instant()).compareTo(ttl) >= 0) {
      refresh();
    }
    Route route = byName.get(name);
    if (route == null) {
      // An alias the application added after init, or one naming several indexes: ask the
      // cluster which index it writes to.
      route = resolveAlias(name).map(byName::get).orElse(null);
    }
    return Optional.ofNullable(route);
  }

  /** Whether the name belongs to a migration that is over. */
  synchronized boolean isFinished(String name) {
    return finished.containsKey(name);
  }

  /**
   * Whether writes that could undo the application's own writes to the destination (deletes, and
   * overwrites with internal versioning) must stop: its rollover has verified and is about to move
   * the aliases, or has moved them, or the recipe is being cancelled or is gone. Read from the
   * state table every time, never from the cache: the rollover waits for batches in flight after it
   * sets this fence, so a batch that checked before it is finished before the swap.
   */
  boolean writesFenced(IndexRecord index) {
    Optional<RecipeRecord> recipe = store.getRecipe(index.recipe().name());
    if (recipe.isEmpty() || recipe.get().generation() != index.recipe().generation()) {
      return true;
    }
    return switch (recipe.get().status()) {
      case ROLLED_OVER, CANCELLING, CANCELLED -> true;
      case ROLLING_OVER ->
          store
              .getRollover(index.recipe())
              .map(r -> FENCED_PHASES.contains(r.phase()))
              .orElse(false);
      default -> false;
    };
  }

  /** Forgets the cache, e.g. when an event found a phase that may have moved on. */
  synchronized void invalidate() {
    readAt = Instant.EPOCH;
  }

  private void refresh() {
    Map<String, Route> active = new HashMap<>();
    Map<String, Route> over = new HashMap<>();
    Map<String, CachedRecipe> seen = new HashMap<>();
    for (RecipeRecord recipe : store.listRecipes()) {
      // Index phases change together with the recipe's status (and so its version): re-read a
      // recipe's indexes only when its record changed.
      CachedRecipe cached = recipes.get(recipe.name());
      List<IndexRecord> indexes =
          cached != null
                  && cached.generation() == recipe.generation()
                  && cached.version() == recipe.version()
              ? cached.indexes()
              : store.listIndexes(recipe.ref());
      seen.put(recipe.name(), new CachedRecipe(recipe.generation(), recipe.version(), indexes));
      Map<String, Route> target = ACTIVE.contains(recipe.status()) ? active : over;
      for (IndexRecord index : indexes) {
        Route route = new Route(index, recipe.status());
        target.put(index.source(), route);
        index.aliases().forEach(alias -> target.putIfAbsent(alias.name(), route));
        over.putIfAbsent(index.destination(), route);
      }
    }
    recipes = seen;
    byName = active;
    finished = over;
    readAt = clock.instant();
  }

  private Optional<String> resolveAlias(String name) {
    ResolvedExpression resolved = source.resolve(name);
    if (resolved.kind() != ResolvedExpression.Kind.ALIAS) {
      return Optional.empty();
    }
    List<ResolvedExpression.ConcreteIndex> indexes = resolved.indexes();
    if (indexes.size() == 1) {
      return Optional.of(indexes.get(0).name());
    }
    for (ResolvedExpression.ConcreteIndex index : indexes) {
      for (AliasInfo alias : index.aliases()) {
        if (alias.alias().equals(name) && Boolean.TRUE.equals(alias.writeIndex())) {
          return Optional.of(index.name());
        }
      }
    }
    return Optional.empty();
  }
}
