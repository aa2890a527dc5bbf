package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.publish.EndpointSwitch;
import io.indexmigrator.core.publish.InMemorySwitchPublisher;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.MutableClock;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.sync.SyncApplier;
import io.indexmigrator.core.sync.SyncControl;
import io.indexmigrator.core.sync.SyncOutcome;
import io.indexmigrator.core.sync.poll.InMemoryPollCheckpoints;
import io.indexmigrator.core.verify.Verifier;
import io.indexmigrator.events.ChangeEvent;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cross-cluster end of a rollover: the switch, its failure paths, commit and rollback. */
class ClusterSwitchTest {
  private static final RolloverCoordinator.Timing FAST =
      new RolloverCoordinator.Timing(
          Duration.ofMillis(1), Duration.ofMillis(300), Duration.ofMillis(300));

  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster old = new InMemorySearchCluster();
  private final InMemorySearchCluster fresh = new InMemorySearchCluster();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final InMemorySwitchPublisher publisher =
      new InMemorySwitchPublisher(
          Map.of("default", URI.create("https://new:443"), "old", URI.create("https://old:9200")));
  private RecipeRef ref;

  @BeforeEach
  void aSyncingCrossClusterRecipe() {
    old.withIndex("records-v1", 2, null)
        .withAlias(AliasInfo.plain("records", "records-v1"))
        .withAlias(AliasInfo.plain("records-read", "records-v1"));
    for (int i = 0; i < 6; i++) {
      old.withDocument("records-v1", "r" + i, "{\"n\":" + i + "}");
    }
    new Initializer(lifecycle())
        .init(
            new RecipeLoader()
                .parse(
                    """
                    name: r
                    source: {cluster: old}
                    indexes: [{source: records-v1, destination: records-v2}]
                    sync: {mode: events}
                    """),
            false);
    ref = store.getRecipe("r").orElseThrow().ref();
    for (IndexRecord index : store.listIndexes(ref)) {
      store.updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
    }
    for (int i = 0; i < 6; i++) {
      fresh.withDocument("records-v2", "r" + i, "{\"n\":" + i + "}");
    }
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
  }

  private Lifecycle lifecycle() {
    return new Lifecycle(
        store,
        Clusters.of(Map.of("default", fresh, "old", old)),
        clock,
        SyncControl.NONE,
        new InMemoryPollCheckpoints());
  }

  private RolloverCoordinator coordinator() {
    return new RolloverCoordinator(lifecycle(), 1, FAST, ConcurrentReads.IN_TURN, publisher);
  }

  private Set<String> aliasesOnDestination() {
    ResolvedExpression resolved = fresh.resolve("records-v2");
    return resolved.indexes().stream()
        .flatMap(i -> i.aliases().stream())
        .map(AliasInfo::alias)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  private Map<String, String> documents(InMemorySearchCluster cluster, String index) {
    Map<String, String> docs = new TreeMap<>();
    cluster.scan(index, 0, 1, 100, d -> docs.put(d.id(), d.sourceJson()));
    return docs;
  }

  private RecipeStatus status() {
    return store.getRecipe("r").orElseThrow().status();
  }

  @Test
  void rollover_switchesClusters_keepsTheSourceBlocked_andPublishesOnce() {
    // A write acknowledged before the block whose event never came: the delta finds it.
    old.withDocument("records-v1", "r1", "{\"n\":100}");

    RolloverReport report = coordinator().rollover("r", Verifier.Mode.CHECKSUM, "op-1");

    assertThat(report.passed()).as(report.message()).isTrue();
    assertThat(documents(fresh, "records-v2")).isEqualTo(documents(old, "records-v1"));
    assertThat(old.writeBlocked("records-v1")).as("source frozen as the rollback point").isTrue();
    assertThat(aliasesOnDestination()).containsExactly("records", "records-read", "records-v1");
    assertThat(status()).isEqualTo(RecipeStatus.SWITCHED);
    assertThat(store.getRollover(ref).orElseThrow().phase()).isEqualTo(RolloverPhase.SWITCHED);
    assertThat(store.getRollover(ref).orElseThrow().owner()).isNull();
    List<EndpointSwitch> versions = publisher.versions("r");
    assertThat(versions).hasSize(1);
    EndpointSwitch published = versions.get(0);
    assertThat(published.state()).isEqualTo(EndpointSwitch.SWITCHED);
    assertThat(published.cluster()).isEqualTo("default");
    assertThat(published.endpoint()).isEqualTo("https://new:443");
    assertThat(published.previousEndpoint()).isEqualTo("https://old:9200");
    assertThat(published.aliases())
        .containsEntry("records", "records-v2")
        .containsEntry("records-v1", "records-v2");
    assertThat(publisher.events()).extracting(EndpointSwitch::id).containsExactly(published.id());
    assertThat(EndpointSwitch.parse(published.toJson())).isEqualTo(published);
    // Late events of the source must not overwrite what the application now writes there.
    fresh.withDocument("records-v2", "r2", "{\"n\":\"app\"}");
    List<SyncOutcome> late =
        new SyncApplier(store, lifecycle().clusters(), clock)
            .apply(List.of(ChangeEvent.indexed("records-v1", "r2").onCluster("old")));
    assertThat(late).extracting(SyncOutcome::kind).doesNotContain(SyncOutcome.Kind.APPLIED);
    assertThat(documents(fresh, "records-v2")).containsEntry("r2", "{\"n\":\"app\"}");
    // Cancel would delete what the application uses now.
    assertThatThrownBy(() -> new Canceller(lifecycle(), arn -> {}).cancel("r", false))
        .hasMessageContaining("migrator rollback r");
    assertThatThrownBy(() -> coordinator().rollover("r", null, "op-2"))
        .isInstanceOf(RolloverRefusedException.class)
        .hasMessageContaining("already switched");
  }

  @Test
  void publishFailing_beforeTheParameter_undoesEverything() {
    publisher.failParameterWith(new MigrationFailedException("ssm: access denied"));

    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT, "op-1"))
        .hasMessageContaining("access denied");

    assertThat(old.writeBlocked("records-v1")).isFalse();
    assertThat(aliasesOnDestination()).isEmpty();
    assertThat(status()).isEqualTo(RecipeStatus.SYNCING);
    assertThat(store.getRollover(ref).orElseThrow().phase()).isEqualTo(RolloverPhase.FAILED);
    assertThat(store.getRollover(ref).orElseThrow().owner()).isNull();
    assertThat(store.listIndexes(ref)).noneMatch(IndexRecord::writeBlockSetByUs);
    assertThat(publisher.versions("r")).isEmpty();
  }

  @Test
  void eventFailing_afterTheParameter_finishesTheSwitch_sinceApplicationsMayHaveMoved() {
    publisher.failEventWith(new MigrationFailedException("events: throttled"));

    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT, "op-1"))
        .hasMessageContaining("throttled");

    assertThat(status()).isEqualTo(RecipeStatus.SWITCHED);
    assertThat(old.writeBlocked("records-v1")).isTrue();
    assertThat(aliasesOnDestination()).contains("records");
    // The clean-up sent the event again, with the same id.
    assertThat(publisher.events()).hasSize(1);
    assertThat(publisher.events().get(0).id()).isEqualTo(publisher.versions("r").get(0).id());
  }

  @Test
  void rollback_withoutWritesToTheDestination_switchesBack_andMayRollOverAgain() {
    coordinator().rollover("r", Verifier.Mode.COUNT, "op-1");

    RolloverReport back = coordinator().rollback("r", "op-2");

    assertThat(back.message()).contains("rolled back to cluster 'old'");
    assertThat(old.writeBlocked("records-v1")).isFalse();
    assertThat(fresh.writeBlocked("records-v2")).as("the hold during the check").isFalse();
    assertThat(aliasesOnDestination()).isEmpty();
    assertThat(status()).isEqualTo(RecipeStatus.SYNCING);
    EndpointSwitch current = publisher.current("r").orElseThrow();
    assertThat(current.state()).isEqualTo(EndpointSwitch.ROLLED_BACK);
    assertThat(current.endpoint()).isEqualTo("https://old:9200");
    assertThat(current.cluster()).isEqualTo("old");
    // The sync applies the application's writes to the source again.
    old.withDocument("records-v1", "r3", "{\"n\":33}");
    new SyncApplier(store, lifecycle().clusters(), clock)
        .apply(List.of(ChangeEvent.indexed("records-v1", "r3").onCluster("old")));
    assertThat(documents(fresh, "records-v2")).containsEntry("r3", "{\"n\":33}");

    RolloverReport again = coordinator().rollover("r", Verifier.Mode.COUNT, "op-3");
    assertThat(again.passed()).as(again.message()).isTrue();
    assertThat(status()).isEqualTo(RecipeStatus.SWITCHED);
    assertThat(publisher.versions("r"))
        .extracting(EndpointSwitch::state)
        .containsExactly(
            EndpointSwitch.SWITCHED, EndpointSwitch.ROLLED_BACK, EndpointSwitch.SWITCHED);
  }

  @Test
  void rollback_isRefused_whenTheDestinationWasWrittenSinceTheSwitch_andChangesNothing() {
    coordinator().rollover("r", Verifier.Mode.COUNT, "op-1");
    fresh.withDocument("records-v2", "new-1", "{}");
    fresh.withDocument("records-v2", "new-2", "{}");
    fresh.withoutDocument("records-v2", "r0");

    assertThatThrownBy(() -> coordinator().rollback("r", "op-2"))
        .isInstanceOf(RolloverRefusedException.class)
        .hasMessageContaining("3 writes")
        .hasMessageContaining("nothing was changed");

    assertThat(status()).isEqualTo(RecipeStatus.SWITCHED);
    assertThat(old.writeBlocked("records-v1")).isTrue();
    assertThat(fresh.writeBlocked("records-v2")).isFalse();
    assertThat(aliasesOnDestination()).contains("records");
    assertThat(publisher.versions("r")).hasSize(1);
    assertThat(store.getRollover(ref).orElseThrow().owner()).isNull();
  }

  /**
   * A rollback during which the destination cluster fails while it is held, and again when the hold
   * is lifted: as if the function had died holding it.
   */
  private void rollbackWhoseHoldSticks() {
    RuntimeException down = new IllegalStateException("cluster unavailable");
    fresh.on(
        "shardCheckpoints",
        () -> {
          throw down;
        });
    int[] calls = {0};
    fresh.on(
        "setWriteBlock",
        () -> {
          if (calls[0]++ > 0) {
            throw down;
          }
        });
    assertThatThrownBy(() -> coordinator().rollback("r", "op-2")).isSameAs(down);
  }

  @Test
  void aRollbackWhosePublicationFails_changesNothing_andMayBeRunAgain() {
    coordinator().rollover("r", Verifier.Mode.COUNT, "op-1");
    publisher.failParameterWith(new IllegalStateException("ssm: throttled"));

    assertThatThrownBy(() -> coordinator().rollback("r", "op-2")).hasMessageContaining("throttled");

    assertThat(status()).isEqualTo(RecipeStatus.SWITCHED);
    assertThat(old.writeBlocked("records-v1")).as("the rollback point stays frozen").isTrue();
    assertThat(fresh.writeBlocked("records-v2")).as("the hold is lifted").isFalse();
    assertThat(aliasesOnDestination()).contains("records");
    assertThat(publisher.current("r").orElseThrow().state()).isEqualTo(EndpointSwitch.SWITCHED);

    RolloverReport back = coordinator().rollback("r", "op-3");

    assertThat(back.passed()).isTrue();
    assertThat(status()).isEqualTo(RecipeStatus.SYNCING);
    assertThat(publisher.current("r").orElseThrow().state()).isEqualTo(EndpointSwitch.ROLLED_BACK);
  }

  @Test
  void aRollbackThatCouldNotLiftItsHold_leavesItRecorded_andTheCommitLiftsIt() {
    coordinator().rollover("r", Verifier.Mode.COUNT, "op-1");
    rollbackWhoseHoldSticks();
    assertThat(fresh.writeBlocked("records-v2")).as("the hold stuck").isTrue();
    fresh.clearHooks();

    // A hold the migration set is the migration's to lift, whoever runs next.
    coordinator().commit("r", false, "op-3");

    assertThat(fresh.writeBlocked("records-v2")).isFalse();
    assertThat(status()).isEqualTo(RecipeStatus.ROLLED_OVER);
  }

  @Test
  void aRollbackRetriedAfterItsHoldStuck_liftsIt_andRollsBack() {
    coordinator().rollover("r", Verifier.Mode.COUNT, "op-1");
    rollbackWhoseHoldSticks();
    fresh.clearHooks();

    RolloverReport back = coordinator().rollback("r", "op-2");

    assertThat(back.passed()).isTrue();
    assertThat(fresh.writeBlocked("records-v2")).isFalse();
    assertThat(old.writeBlocked("records-v1")).isFalse();
    assertThat(status()).isEqualTo(RecipeStatus.SYNCING);
  }

  @Test
  void commit_releasesTheSource_andFinishesTheRecipe() {
    coordinator().rollover("r", Verifier.Mode.COUNT, "op-1");

    RolloverReport committed = coordinator().commit("r", false, "op-2");

    assertThat(committed.message()).contains("committed");
    assertThat(old.writeBlocked("records-v1")).isFalse();
    assertThat(old.indexExists("records-v1")).as("never deleted").isTrue();
    assertThat(status()).isEqualTo(RecipeStatus.ROLLED_OVER);
    assertThat(publisher.current("r").orElseThrow().state()).isEqualTo(EndpointSwitch.COMMITTED);
    assertThat(publisher.current("r").orElseThrow().endpoint()).isEqualTo("https://new:443");
    assertThatThrownBy(() -> coordinator().rollback("r", "op-3"))
        .hasMessageContaining("committed already");
  }

  @Test
  void commit_mayKeepTheSourceBlocked() {
    coordinator().rollover("r", Verifier.Mode.COUNT, "op-1");

    coordinator().commit("r", true, "op-2");

    assertThat(old.writeBlocked("records-v1")).isTrue();
    assertThat(store.listIndexes(ref)).noneMatch(IndexRecord::writeBlockSetByUs);
  }

  @Test
  void withoutAPublisher_theCrossClusterRollover_isRefused_beforeAnyBlock() {
    assertThatThrownBy(
            () ->
                new RolloverCoordinator(lifecycle(), 1, FAST, ConcurrentReads.IN_TURN)
                    .rollover("r", Verifier.Mode.COUNT, "op-1"))
        .isInstanceOf(RolloverRefusedException.class)
        .hasMessageContaining("ENDPOINT_PARAMETER_PREFIX");
    assertThat(old.writeBlocked("records-v1")).isFalse();
    assertThat(status()).isEqualTo(RecipeStatus.SYNCING);
  }

  @Test
  void aCrashAfterTheAliases_beforePublishing_isUndoneByTheAbort() {
    // The function dies while publishing: nothing reached the parameter.
    publisher.failParameterWith(new Error("killed"));
    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT, "exec-1"))
        .isInstanceOf(Error.class);
    // (the in-process clean-up ran; the state machine's Abort repeats it harmlessly)
    RolloverReport abort = coordinator().abort("r", "exec-1", "Lambda timed out");

    assertThat(abort.passed()).isFalse();
    assertThat(old.writeBlocked("records-v1")).isFalse();
    assertThat(aliasesOnDestination()).isEmpty();
    assertThat(status()).isEqualTo(RecipeStatus.SYNCING);
  }
}
