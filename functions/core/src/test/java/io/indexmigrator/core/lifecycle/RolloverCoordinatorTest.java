package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.sync.SyncControl;
import io.indexmigrator.core.sync.poll.InMemoryPollCheckpoints;
import io.indexmigrator.core.verify.Verifier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RolloverCoordinatorTest {
  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster cluster = new InMemorySearchCluster();

  /** What the rollover had recorded, and where the alias pointed, each time it read the queue. */
  private record QueueRead(RolloverPhase phase, String aliasTarget, long backlog) {}

  private final List<QueueRead> reads = new ArrayList<>();
  private final AtomicInteger batchesInFlightAfterFence = new AtomicInteger();
  private RecipeRef ref;

  /** The sync queue as the rollover sees it; batches may still be in flight after the fence. */
  private final SyncControl queue =
      new SyncControl() {
        @Override
        public void enableConsumer() {}

        @Override
        public long backlog() {
          RolloverPhase phase = store.getRollover(ref).map(r -> r.phase()).orElse(null);
          long backlog =
              phase == RolloverPhase.VERIFIED && batchesInFlightAfterFence.get() > 0
                  ? batchesInFlightAfterFence.getAndDecrement()
                  : 0;
          reads.add(new QueueRead(phase, aliasTarget(), backlog));
          return backlog;
        }
      };

  @BeforeEach
  void aSyncingRecipe() {
    cluster.withIndex("records-v1", 1, null).withAlias(AliasInfo.plain("records", "records-v1"));
    for (int i = 0; i < 5; i++) {
      cluster.withDocument("records-v1", "r" + i, "{\"n\":" + i + "}");
    }
    Lifecycle lifecycle = lifecycle();
    new Initializer(lifecycle)
        .init(
            new RecipeLoader()
                .parse(
                    """
                    name: r
                    indexes: [{source: records, destination: records-v2}]
                    sync: {mode: events}
                    """),
            false);
    ref = store.getRecipe("r").orElseThrow().ref();
    for (IndexRecord index : store.listIndexes(ref)) {
      store.updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
    }
    for (int i = 0; i < 5; i++) {
      cluster.withDocument("records-v2", "r" + i, "{\"n\":" + i + "}");
    }
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
  }

  private Lifecycle lifecycle() {
    return new Lifecycle(
        store, cluster, cluster, Clock.systemUTC(), queue, new InMemoryPollCheckpoints());
  }

  private String aliasTarget() {
    ResolvedExpression resolved = cluster.resolve("records");
    return resolved.indexes().get(0).name();
  }

  @Test
  void rollover_shouldFenceTheConsumers_andWaitForBatchesInFlight_beforeMovingTheAlias() {
    batchesInFlightAfterFence.set(2);

    RolloverReport report =
        new RolloverCoordinator(lifecycle(), 1).rollover("r", Verifier.Mode.COUNT);

    assertThat(report.passed()).isTrue();
    assertThat(aliasTarget()).isEqualTo("records-v2");
    List<QueueRead> afterFence =
        reads.stream().filter(r -> r.phase() == RolloverPhase.VERIFIED).toList();
    // Read until empty after the fence was recorded, all while the alias still named the source.
    assertThat(afterFence).extracting(QueueRead::backlog).containsExactly(2L, 1L, 0L);
    assertThat(afterFence).extracting(QueueRead::aliasTarget).containsOnly("records-v1");
    assertThat(store.getRollover(ref).orElseThrow().phase()).isEqualTo(RolloverPhase.UNBLOCKED);
  }
}
