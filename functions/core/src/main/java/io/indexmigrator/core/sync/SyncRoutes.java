package io.indexmigrator.core.sync;

import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.ResolvedExpression;
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
          RecipeStatus.SWITCHED,
          RecipeStatus.FAILED);

  /** From these on, the rollover may be moving or have moved the aliases to the destination. */
  private static final Set<RolloverPhase> FENCED_PHASES =
      Set.of(
          RolloverPhase.VERIFIED,
          RolloverPhase.SWAPPED,
          RolloverPhase.UNBLOCKED,
          RolloverPhase.SWITCHED);

  /** Names remembered at most; an application writing to ever new indexes cannot exhaust memory. */
  private static final int MAX_NAMES = 10_000;

  /**
   * Where an event goes, with the recipe's status when the route was read.
   *
   * @param sourceCluster the cluster the source index lives on, where documents are re-read
   */
  record Route(IndexRecord index, RecipeStatus recipeStatus, String sourceCluster) {}

  /**
   * What a name led to when it was looked up: an active route, or none; a finished migration; the
   * clusters other active recipes read a source of that name from.
   */
  private record Lookup(Route active, boolean finished, Set<String> elsewhere, Instant at) {}

  private final StateStore store;
  private final Clusters clusters;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Lookup> byName =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Lookup> eldest) {
          return size() > MAX_NAMES;
        }
      };

  SyncRoutes(StateStore store, Clusters clusters, Clock clock, Duration ttl) {
    this.store = store;
    this.clusters = clusters;
    this.clock = clock;
    this.ttl = ttl;
  }

  /**
   * The route of a concrete index or alias name written on {@code cluster}; looks it up again when
   * the cache is stale. Only recipes reading from that cluster route it: the same name on two
   * clusters is two indexes.
   */
  synchronized Optional<Route> route(String cluster, String name) {
    return Optional.ofNullable(lookup(cluster, name).active());
  }

  /** Whether the name belongs to a migration that is over. */
  synchronized boolean isFinished(String cluster, String name) {
    return lookup(cluster, name).finished();
  }

  /** Clusters of active recipes that read a source of this name: for a misaddressed event. */
  synchronized Set<String> otherClustersOf(String cluster, String name) {
    return lookup(cluster, name).elsewhere();
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
      // Switched: the application may write to the destination; nothing of the (blocked) source
      // may overwrite that.
      case ROLLED_OVER, SWITCHED, CANCELLING, CANCELLED -> true;
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
  synchronized void invalidate(String cluster, String name) {
    String key = key(cluster, name);
    Lookup cached = byName.get(key);
    if (cached != null && cached.active() != null) {
      byName.remove(key);
    }
  }

  private static String key(String cluster, String name) {
    // Neither a cluster name nor an index name can contain a space.
    return cluster + " " + name;
  }

  private Lookup lookup(String cluster, String name) {
    String key = key(cluster, name);
    Lookup cached = byName.get(key);
    if (cached != null && Duration.between(cached.at(), clock.instant()).compareTo(ttl) < 0) {
      return cached;
    }
    Lookup fresh = resolve(cluster, name);
    byName.put(key, fresh);
    return fresh;
  }

  private Lookup resolve(String cluster, String name) {
    Instant now = clock.instant();
    Lookup direct = fromState(cluster, name, now);
    if (direct.active() != null) {
      return direct;
    }
    // An alias the application added after init, or one naming several indexes: ask the cluster
    // which index it writes to.
    Optional<String> concrete = resolveAlias(cluster, name).filter(index -> !index.equals(name));
    if (concrete.isPresent()) {
      Route viaAlias = fromState(cluster, concrete.get(), now).active();
      if (viaAlias != null) {
        return new Lookup(viaAlias, direct.finished(), direct.elsewhere(), now);
      }
    }
    return direct;
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * The cluster a recipe reads from, as its stored document names it. Only that one field is read:
   * the consumer must route by a document an older or newer loader wrote, not validate it again.
   */
  private static String sourceClusterOf(RecipeRecord recipe) {
    try {
      return JSON.readTree(recipe.document())
          .path("source")
          .path("cluster")
          .asText(Recipe.SourceCluster.DEFAULT_CLUSTER);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "the stored document of recipe '" + recipe.name() + "' is not JSON", e);
    }
  }

  /**
   * The index records naming {@code name} whose recipes read from {@code cluster}, judged against
   * their recipes' current records.
   */
  private Lookup fromState(String cluster, String name, Instant now) {
    Route active = null;
    boolean finished = false;
    Set<String> elsewhere = new java.util.TreeSet<>();
    for (IndexName entry : store.findIndexName(name)) {
      Optional<RecipeRecord> recipe = store.getRecipe(entry.recipe().name());
      if (recipe.isEmpty() || recipe.get().generation() != entry.recipe().generation()) {
        // A generation since replaced or deleted.
        continue;
      }
      String sourceCluster = sourceClusterOf(recipe.get());
      if (!sourceCluster.equals(cluster)) {
        if (ACTIVE.contains(recipe.get().status()) && entry.role() != IndexName.Role.DESTINATION) {
          elsewhere.add(sourceCluster);
        }
        continue;
      }
      Optional<IndexRecord> index = store.getIndex(entry.recipe(), entry.source());
      if (index.isEmpty()) {
        continue;
      }
      Route route = new Route(index.get(), recipe.get().status(), sourceCluster);
      if (ACTIVE.contains(recipe.get().status()) && entry.role() != IndexName.Role.DESTINATION) {
        // A source name wins over the same name as another index's init-time alias.
        if (active == null || entry.role() == IndexName.Role.SOURCE) {
          active = route;
        }
      } else {
        finished = true;
      }
    }
    return new Lookup(active, finished, Set.copyOf(elsewhere), now);
  }

  private Optional<String> resolveAlias(String cluster, String name) {
    if (!clusters.contains(cluster)) {
      return Optional.empty();
    }
    ResolvedExpression resolved = clusters.cluster(cluster).resolve(name);
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
