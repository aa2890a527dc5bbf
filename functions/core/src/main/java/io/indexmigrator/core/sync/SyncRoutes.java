package io.indexmigrator.core.sync;

import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.state.IndexName;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which migration an event's index belongs to. Looked up by the event's index name in the state
 * table ({@link StateStore#findIndexName}: the index records naming it as source, as an alias it
 * had at init, or as destination) and cached per name for a short time, the answer "no migration"
 * too: the consumer sees many events per second, routes change only when a recipe changes phase,
 * and an index no migration covers must cost neither a state-table read nor a cluster call per
 * event.
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

  /** Names remembered at most; an application writing to ever new indexes cannot exhaust memory. */
  private static final int MAX_NAMES = 10_000;

  /** Where an event goes, with the recipe's status when the route was read. */
  record Route(IndexRecord index, RecipeStatus recipeStatus) {}

  /** What a name led to when it was looked up: an active route, or none; a finished migration. */
  private record Lookup(Route active, boolean finished, Instant at) {}

  private final StateStore store;
  private final SearchCluster source;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Lookup> byName =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Lookup> eldest) {
          return size() > MAX_NAMES;
        }
      };

  SyncRoutes(StateStore store, SearchCluster source, Clock clock, Duration ttl) {
    this.store = store;
    this.source = source;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** The route of a concrete index or alias name; looks it up again when the cache is stale. */
  synchronized Optional<Route> route(String name) {
    return Optional.ofNullable(lookup(name).active());
  }

  /** Whether the name belongs to a migration that is over. */
  synchronized boolean isFinished(String name) {
    return lookup(name).finished();
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

  /**
   * Forgets the cached route of a name, e.g. when an event found a phase that may have moved on. A
   * name that led nowhere stays cached until it expires: re-reading it for every batch of a flood
   * of events for an unknown index would cost a cluster call each, and such events are held for a
   * grace period far longer than the cache lasts.
   */
  synchronized void invalidate(String name) {
    Lookup cached = byName.get(name);
    if (cached != null && cached.active() != null) {
      byName.remove(name);
    }
  }

  private Lookup lookup(String name) {
    Lookup cached = byName.get(name);
    if (cached != null && Duration.between(cached.at(), clock.instant()).compareTo(ttl) < 0) {
      return cached;
    }
    Lookup fresh = resolve(name);
    byName.put(name, fresh);
    return fresh;
  }

  private Lookup resolve(String name) {
    Instant now = clock.instant();
    Lookup direct = fromState(name, now);
    if (direct.active() != null) {
      return direct;
    }
    // An alias the application added after init, or one naming several indexes: ask the cluster
    // which index it writes to.
    Optional<String> concrete = resolveAlias(name).filter(index -> !index.equals(name));
    if (concrete.isPresent()) {
      Route viaAlias = fromState(concrete.get(), now).active();
      if (viaAlias != null) {
        return new Lookup(viaAlias, direct.finished(), now);
      }
    }
    return direct;
  }

  /** The index records naming {@code name}, judged against their recipes' current records. */
  private Lookup fromState(String name, Instant now) {
    Route active = null;
    boolean finished = false;
    for (IndexName entry : store.findIndexName(name)) {
      Optional<RecipeRecord> recipe = store.getRecipe(entry.recipe().name());
      if (recipe.isEmpty() || recipe.get().generation() != entry.recipe().generation()) {
        // A generation since replaced or deleted.
        continue;
      }
      Optional<IndexRecord> index = store.getIndex(entry.recipe(), entry.source());
      if (index.isEmpty()) {
        continue;
      }
      Route route = new Route(index.get(), recipe.get().status());
      if (ACTIVE.contains(recipe.get().status()) && entry.role() != IndexName.Role.DESTINATION) {
        // A source name wins over the same name as another index's init-time alias.
        if (active == null || entry.role() == IndexName.Role.SOURCE) {
          active = route;
        }
      } else {
        finished = true;
      }
    }
    return new Lookup(active, finished, now);
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
