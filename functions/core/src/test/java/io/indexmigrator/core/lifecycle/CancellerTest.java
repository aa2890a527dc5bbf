package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.core.state.SliceStatus;
import java.time.Clock;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CancellerTest {
  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster cluster = new InMemorySearchCluster();
  private final Lifecycle lifecycle = new Lifecycle(store, cluster, cluster, Clock.systemUTC());
  private RecipeRef ref;

  @BeforeEach
  void anInitializedRecipe() {
    cluster.withIndex("records-v1", 1, null).withDocument("records-v1", "a", "{\"n\":1}");
    new Initializer(lifecycle)
        .init(
            new RecipeLoader()
                .parse(
                    """
                    name: r
                    indexes: [{source: records-v1, destination: records-v2}]
                    sync: {mode: events}
                    """),
            false);
    ref = store.getRecipe("r").orElseThrow().ref();
  }

  @Test
  void aDestinationRecreatedByALateSyncWrite_isDeletedAgain() {
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
    AtomicInteger waits = new AtomicInteger();
    // The wait for late writers is when a sync batch that resolved its route before the cancel
    // lands, re-creating the index with what it carried.
    Runnable lateWrite =
        () -> {
          waits.incrementAndGet();
          cluster.withIndex("records-v2", 1, null).withDocument("records-v2", "a", "{\"n\":2}");
        };

    CancelReport report = new Canceller(lifecycle, arn -> {}, lateWrite).cancel("r", false);

    assertThat(waits).hasValue(1);
    assertThat(report.indexesDeleted()).containsExactly("records-v2");
    assertThat(cluster.indexExists("records-v2")).isFalse();
    assertThat(cluster.document("records-v1", "a")).isEqualTo("{\"n\":1}");
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.CANCELLED);
  }

  @Test
  void aCopyByTheReaderEngine_isFencedAtItsNextCheckpoint_andNeverSentToTheTaskApi() {
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.RUNNING);
    SliceRecord slice = store.listSlices(ref).get(0);
    store.claimSlice(slice.key(), slice.version());
    SliceRecord running = store.recordTask(slice.key(), ReaderCopyEngine.PASS_PREFIX + "p1");
    AtomicInteger waits = new AtomicInteger();

    CancelReport report =
        new Canceller(lifecycle, arn -> {}, waits::incrementAndGet).cancel("r", false);

    // A pass is not a task: cancelling it at the cluster would fail the whole cancel.
    assertThat(report.tasksCancelled()).isEmpty();
    SliceRecord fenced = store.getSlice(slice.key()).orElseThrow();
    assertThat(fenced.status()).isEqualTo(SliceStatus.FAILED);
    assertThat(fenced.version()).isGreaterThan(running.version());
    assertThat(waits).as("a step may still be writing: look again").hasValue(1);
    assertThat(cluster.indexExists("records-v2")).isFalse();
  }

  @Test
  void aCopyByReindexTasksOnly_needsNoSecondLook() {
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.RUNNING);
    AtomicInteger waits = new AtomicInteger();

    new Canceller(lifecycle, arn -> {}, waits::incrementAndGet).cancel("r", false);

    assertThat(waits).hasValue(0);
  }
}
