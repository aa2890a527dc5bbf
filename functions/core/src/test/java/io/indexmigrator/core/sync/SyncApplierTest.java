package io.indexmigrator.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.state.AliasSpec;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.state.RolloverRecord;
import io.indexmigrator.core.state.StateStore;
import io.indexmigrator.events.ChangeEvent;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SyncApplierTest {
  InMemoryStateStore store;
  InMemorySearchCluster cluster;
  SyncApplier applier;
  IndexRecord index;

  @BeforeEach
  void aRecipeWhoseCopyIsDone() {
    store = new InMemoryStateStore();
    cluster = new InMemorySearchCluster().withIndex("src", 1, null).withIndex("dst", 1, null);
    var recipe = store.createRecipe("r", "{}");
    store.putIndexIfAbsent(
        IndexRecord.planned(
            recipe.ref(),
            "src",
            "dst",
            List.of(AliasSpec.named("live")),
            true,
            "indexes[0]",
            "{}",
            1,
            0));
    index = store.getIndex(recipe.ref(), "src").orElseThrow();
    index = store.updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
    applier = new SyncApplier(store, cluster, cluster, Clock.systemUTC(), Duration.ZERO);
  }

  private List<SyncOutcome.Kind> kinds(List<SyncOutcome> outcomes) {
    return outcomes.stream().map(SyncOutcome::kind).toList();
  }

  @Test
  void apply_shouldWriteTheSourcesCurrentState_whateverTheEventSays() {
    cluster.withDocument("src", "a", "{\"v\":1}").withDocument("src", "a", "{\"v\":2}");
    cluster.withDocument("dst", "a", "{\"v\":1}");
    cluster.withDocument("dst", "gone", "{\"v\":1}");

    var outcomes =
        applier.apply(
            List.of(
                ChangeEvent.deleted("src", "a"), // stale op: the source has it, so it stays
                ChangeEvent.indexed("live", "gone"), // via the alias; the source lacks it
                ChangeEvent.indexed("src", "a"))); // duplicate

    assertThat(kinds(outcomes)).containsOnly(SyncOutcome.Kind.APPLIED);
    assertThat(cluster.document("dst", "a")).isEqualTo("{\"v\":2}");
    assertThat(cluster.version("dst", "a")).isEqualTo(cluster.version("src", "a"));
    assertThat(cluster.document("dst", "gone")).isNull();
  }

  @Test
  void apply_shouldDeferEvents_whileTheIndexIsBeingCopied() {
    store.updateIndex(
        store.getIndex(index.recipe(), "src").orElseThrow(), i -> i.withPhase(IndexPhase.COPYING));
    cluster.withDocument("src", "a", "{}");

    var outcomes = applier.apply(List.of(ChangeEvent.indexed("src", "a")));

    assertThat(kinds(outcomes)).containsExactly(SyncOutcome.Kind.DEFERRED);
    assertThat(cluster.document("dst", "a")).isNull();
  }

  @Test
  void apply_shouldIgnoreEvents_ofACopyCancelledAfterTheRoutesWereCached() {
    SyncApplier cached =
        new SyncApplier(store, cluster, cluster, Clock.systemUTC(), Duration.ofHours(1));
    store.updateIndex(
        store.getIndex(index.recipe(), "src").orElseThrow(), i -> i.withPhase(IndexPhase.COPYING));
    cluster.withDocument("src", "a", "{}");
    assertThat(kinds(cached.apply(List.of(ChangeEvent.indexed("src", "a")))))
        .containsExactly(SyncOutcome.Kind.DEFERRED);
    // The cached route still says "copying"; the second look finds no active migration at all.
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.CANCELLED);

    var outcomes = cached.apply(List.of(ChangeEvent.indexed("src", "a")));

    assertThat(kinds(outcomes)).containsExactly(SyncOutcome.Kind.IGNORED);
    assertThat(cluster.document("dst", "a")).isNull();
  }

  @Test
  void apply_shouldLeaveUnknownIndexesUnrouted_andIgnoreFinishedMigrations() {
    store.createRecipe("old", "{}");
    var old = store.getRecipe("old").orElseThrow();
    store.putIndexIfAbsent(
        IndexRecord.planned(
            old.ref(), "legacy", "legacy-v2", List.of(), true, "indexes[0]", "{}", 1, 0));
    store.transition("old", EnumSet.allOf(RecipeStatus.class), RecipeStatus.CANCELLED);

    var outcomes =
        applier.apply(
            List.of(ChangeEvent.indexed("nope", "1"), ChangeEvent.indexed("legacy", "1")));

    assertThat(kinds(outcomes))
        .containsExactly(SyncOutcome.Kind.UNROUTED, SyncOutcome.Kind.IGNORED);
    assertThat(outcomes.get(0).reason()).contains("no active migration covers index 'nope'");
  }

  @Test
  void apply_shouldRecreateADocument_whoseSourceVersionsRestartedAfterADelete() {
    // The destination holds version 7 of an earlier incarnation; the source deleted the document,
    // forgot the deletion (gc_deletes) and re-created it at version 1.
    for (int v = 0; v < 7; v++) {
      cluster.withDocument("dst", "a", "{\"old\":" + v + "}");
    }
    cluster.withDocument("src", "a", "{\"new\":true}");
    assertThat(cluster.version("src", "a")).isEqualTo(1);

    var outcomes = applier.apply(List.of(ChangeEvent.indexed("src", "a")));

    assertThat(kinds(outcomes)).containsExactly(SyncOutcome.Kind.APPLIED);
    assertThat(cluster.document("dst", "a")).isEqualTo("{\"new\":true}");
  }

  @Test
  void apply_shouldNeverResurrectADeletedDocument_whenEventsArriveLateOrTwice() {
    cluster.withDocument("src", "a", "{\"v\":1}");
    applier.apply(List.of(ChangeEvent.indexed("src", "a")));
    cluster.withoutDocument("src", "a");

    applier.apply(List.of(ChangeEvent.deleted("src", "a")));
    var late =
        applier.apply(List.of(ChangeEvent.indexed("src", "a"), ChangeEvent.indexed("src", "a")));

    assertThat(kinds(late)).containsOnly(SyncOutcome.Kind.APPLIED);
    assertThat(cluster.document("dst", "a")).isNull();
  }

  /** The recipe's rollover reaches {@code phase}, after the applier cached its routes. */
  private void rolloverReaches(RolloverPhase phase) {
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.ROLLING_OVER);
    store.saveRollover(RolloverRecord.blocked(index.recipe(), Instant.now()).withPhase(phase));
  }

  @Test
  void apply_shouldNeitherDeleteNorOverwrite_onceTheRolloverIsPastVerification() {
    // Routes cached for an hour: the fence must not depend on the cache.
    SyncApplier cached =
        new SyncApplier(store, cluster, cluster, Clock.systemUTC(), Duration.ofHours(1));
    cluster.withDocument("src", "a", "{\"v\":1}").withDocument("src", "b", "{\"v\":1}");
    cluster.withDocument("src", "c", "{\"v\":1}");
    cached.apply(
        List.of(
            ChangeEvent.indexed("src", "a"),
            ChangeEvent.indexed("src", "b"),
            ChangeEvent.indexed("src", "c")));
    rolloverReaches(RolloverPhase.VERIFIED);
    // Before the swap: a deletion whose event comes late. After it: the application writes to
    // the destination, which now holds a newer version than the (frozen) source.
    cluster.withoutDocument("src", "a");
    cluster.withDocument("dst", "b", "{\"v\":\"written by the application after the swap\"}");
    // A late update that no one has touched in the destination is still safe to apply.
    cluster.withDocument("src", "c", "{\"v\":2}");

    var outcomes =
        cached.apply(
            List.of(
                ChangeEvent.deleted("src", "a"),
                ChangeEvent.indexed("src", "b"),
                ChangeEvent.indexed("src", "c")));

    assertThat(kinds(outcomes))
        .containsExactly(
            SyncOutcome.Kind.IGNORED, SyncOutcome.Kind.IGNORED, SyncOutcome.Kind.APPLIED);
    assertThat(outcomes.get(0).reason()).contains("may already serve the application");
    assertThat(cluster.document("dst", "a")).isEqualTo("{\"v\":1}");
    assertThat(cluster.document("dst", "b")).contains("written by the application");
    assertThat(cluster.document("dst", "c")).isEqualTo("{\"v\":2}");
  }

  @Test
  void apply_shouldStillDelete_whileTheRolloverDrains() {
    cluster.withDocument("src", "a", "{\"v\":1}");
    applier.apply(List.of(ChangeEvent.indexed("src", "a")));
    rolloverReaches(RolloverPhase.BLOCKED);
    cluster.withoutDocument("src", "a");

    var outcomes = applier.apply(List.of(ChangeEvent.deleted("src", "a")));

    assertThat(kinds(outcomes)).containsExactly(SyncOutcome.Kind.APPLIED);
    assertThat(cluster.document("dst", "a")).isNull();
  }

  @Test
  void apply_shouldFailOnlyTheDocumentTheEngineCannotRead_andApplyTheRest() {
    cluster.withDocument("src", "a", "{\"v\":1}").withDocument("src", "c", "{\"v\":1}");
    cluster.withDocument("src", "poison", "{\"v\":1}");
    cluster.failingReadsOf(
        "src", "poison", "routing_missing_exception", "routing is required for [src]/[poison]");

    var outcomes =
        applier.apply(
            List.of(
                ChangeEvent.indexed("src", "a"),
                ChangeEvent.indexed("src", "poison"),
                ChangeEvent.indexed("src", "c"),
                ChangeEvent.deleted("src", "poison")));

    assertThat(kinds(outcomes))
        .containsExactly(
            SyncOutcome.Kind.APPLIED,
            SyncOutcome.Kind.FAILED,
            SyncOutcome.Kind.APPLIED,
            SyncOutcome.Kind.FAILED);
    assertThat(outcomes.get(1).reason())
        .contains("'poison'", "'src'", "routing_missing_exception", "routing is required");
    assertThat(outcomes.get(1).recipe()).isEqualTo(index.recipe());
    assertThat(cluster.document("dst", "a")).isEqualTo("{\"v\":1}");
    assertThat(cluster.document("dst", "c")).isEqualTo("{\"v\":1}");
    // Neither written nor, worse, deleted as if it were gone from the source.
    assertThat(cluster.document("dst", "poison")).isNull();

    cluster.readableAgain("src", "poison");
    assertThat(kinds(applier.apply(List.of(ChangeEvent.indexed("src", "poison")))))
        .containsExactly(SyncOutcome.Kind.APPLIED);
    assertThat(cluster.document("dst", "poison")).isEqualTo("{\"v\":1}");
  }

  /** Counts the calls made through it, by method name; refuses listing every recipe. */
  @SuppressWarnings("unchecked")
  private static <T> T counting(Class<T> type, T target, Map<String, Integer> calls) {
    return (T)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              calls.merge(method.getName(), 1, Integer::sum);
              if (method.getName().equals("listRecipes")) {
                throw new AssertionError("the consumer must not list every recipe");
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void apply_shouldLookRoutesUpByKey_andRememberAnUnroutedIndexUntilTheCacheExpires() {
    Map<String, Integer> storeCalls = new ConcurrentHashMap<>();
    Map<String, Integer> clusterCalls = new ConcurrentHashMap<>();
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
    Clock clock =
        new Clock() {
          @Override
          public Instant instant() {
            return now.get();
          }

          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }
        };
    SyncApplier routed =
        new SyncApplier(
            counting(StateStore.class, store, storeCalls),
            counting(SearchCluster.class, cluster, clusterCalls),
            cluster,
            clock,
            Duration.ofSeconds(5));
    cluster.withDocument("src", "a", "{\"v\":1}");
    List<ChangeEvent> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(ChangeEvent.indexed("nope", Integer.toString(i)));
    }
    batch.add(ChangeEvent.indexed("src", "a"));

    for (int round = 0; round < 3; round++) {
      assertThat(kinds(routed.apply(batch)))
          .containsOnly(SyncOutcome.Kind.UNROUTED, SyncOutcome.Kind.APPLIED);
    }

    // One lookup of each name, by key, for 33 events; the unknown index asked the cluster once.
    assertThat(storeCalls).containsEntry("findIndexName", 2).doesNotContainKey("listRecipes");
    assertThat(clusterCalls).containsEntry("resolve", 1);
    assertThat(cluster.document("dst", "a")).isEqualTo("{\"v\":1}");

    // A migration of the unknown index starts: seen once the cached answer expires.
    var later = store.createRecipe("later", "{}");
    store.putIndexIfAbsent(
        IndexRecord.planned(
            later.ref(), "nope", "nope-v2", List.of(), true, "indexes[0]", "{}", 1, 0));
    now.updateAndGet(t -> t.plusSeconds(5));
    assertThat(kinds(routed.apply(List.of(ChangeEvent.indexed("nope", "1")))))
        .containsExactly(SyncOutcome.Kind.DEFERRED);
  }

  @Test
  void apply_acrossClusters_readsTheClusterTheEventNames_andWritesTheDefault() {
    // GIVEN a recipe reading "records" from cluster "old-es7", and an index of the same name on the
    // default cluster that no migration covers
    InMemorySearchCluster old = new InMemorySearchCluster().withIndex("records", 1, null);
    old.withDocument("records", "a", "{\"v\":1}").withDocument("records", "a", "{\"v\":2}");
    old.withDocument("records", "b", "{\"v\":1}");
    cluster.withIndex("records", 1, null).withIndex("records-os", 1, null);
    cluster.withDocument("records", "a", "{\"here\":true}");
    cluster.withDocument("records-os", "gone", "{\"v\":1}");
    var upgrade = store.createRecipe("upgrade", "{\"source\":{\"cluster\":\"old-es7\"}}");
    store.putIndexIfAbsent(
        IndexRecord.planned(
            upgrade.ref(), "records", "records-os", List.of(), true, "indexes[0]", "{}", 1, 0));
    IndexRecord planned = store.getIndex(upgrade.ref(), "records").orElseThrow();
    store.updateIndex(planned, i -> i.withPhase(IndexPhase.COPIED));
    store.transition("upgrade", EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
    SyncApplier across =
        new SyncApplier(
            store,
            Clusters.of(Map.of("default", cluster, "old-es7", old)),
            cluster,
            Clock.systemUTC(),
            Duration.ZERO);

    // WHEN events of writes to the old cluster come, and one that forgot to say so
    var outcomes =
        across.apply(
            List.of(
                ChangeEvent.indexed("records", "a").onCluster("old-es7"),
                ChangeEvent.deleted("records", "gone").onCluster("old-es7"),
                ChangeEvent.indexed("records", "b")));

    // THEN the first two are re-read from the old cluster and applied to the destination
    assertThat(kinds(outcomes))
        .containsExactly(
            SyncOutcome.Kind.APPLIED, SyncOutcome.Kind.APPLIED, SyncOutcome.Kind.UNROUTED);
    assertThat(cluster.document("records-os", "a")).isEqualTo("{\"v\":2}");
    assertThat(cluster.version("records-os", "a")).isEqualTo(old.version("records", "a"));
    assertThat(cluster.document("records-os", "gone")).isNull();
    // the default cluster's own "records" was neither read into the copy nor touched
    assertThat(cluster.document("records", "a")).isEqualTo("{\"here\":true}");
    // and the event without a cluster is told which cluster the migration reads
    assertThat(outcomes.get(2).reason())
        .contains("on cluster 'default'")
        .contains("from cluster 'old-es7'")
        .contains("set \"cluster\" in the event");
    assertThat(cluster.document("records-os", "b")).isNull();
  }
}
