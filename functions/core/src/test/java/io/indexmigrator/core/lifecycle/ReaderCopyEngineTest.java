package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.lifecycle.CopyCoordinator.PlanResult;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceItem;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceStep;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.core.state.SliceStatus;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reader engine behind the copy state machine's steps, one page per step. */
class ReaderCopyEngineTest {
  private static final int DOCUMENTS = 230;

  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster cluster = new InMemorySearchCluster();
  private final Lifecycle lifecycle = new Lifecycle(store, cluster, cluster, Clock.systemUTC());
  private final CopyCoordinator copy = ReaderCopies.onePagePerStep(lifecycle);

  private PlanResult plan;

  @BeforeEach
  void aFourShardSource() {
    cluster.withIndex("records-v1", 4, null);
    for (int i = 0; i < DOCUMENTS; i++) {
      cluster.withDocument("records-v1", "r" + i, "{\"n\":" + i + "}");
    }
    cluster.withDocument("records-v1", "r7", "{\"n\":7,\"edited\":true}");
    new Initializer(lifecycle)
        .init(
            new RecipeLoader()
                .parse(
                    """
                    name: r
                    indexes: [{source: records-v1, destination: records-v2}]
                    copy: {mode: reader, batchSize: 20}
                    """),
            false);
    plan = copy.plan("r", 0, "arn:execution:1");
  }

  /** Steps an item the way the state machine's loop does until it ends. */
  private SliceStep runToEnd(SliceItem item) {
    SliceStep step = copy.startSlice(item);
    while (!step.finished()) {
      step = copy.pollSlice(item, step.polls());
    }
    return step;
  }

  @Test
  void everyShardIsOneItem_copiedPageByPage_withTheSourcesVersions() {
    assertThat(plan.items()).extracting(SliceItem::sliceId).containsExactly(0, 1, 2, 3);

    plan.items().forEach(item -> assertThat(runToEnd(item).status()).isEqualTo("DONE"));

    assertThat(copy.copyRoundsOver("r", plan.generation())).isTrue();
    assertThat(copy.finishCopy("r", plan.generation()))
        .containsEntry("status", "COPIED")
        .containsEntry("docsCopied", (long) DOCUMENTS);
    for (int i = 0; i < DOCUMENTS; i++) {
      assertThat(cluster.document("records-v2", "r" + i))
          .isEqualTo(cluster.document("records-v1", "r" + i));
      assertThat(cluster.version("records-v2", "r" + i))
          .isEqualTo(cluster.version("records-v1", "r" + i));
    }
    assertThat(cluster.version("records-v2", "r7")).isEqualTo(2);
    assertThat(cluster.openScrolls()).as("every scroll closed").isZero();
    for (SliceRecord slice : store.listSlices(plan.items().get(0).key().recipe())) {
      long inShard =
          java.util.stream.IntStream.range(0, DOCUMENTS)
              .filter(i -> InMemorySearchCluster.shardOf("r" + i, 4) == slice.sliceId())
              .count();
      assertThat(slice.progress().created()).isEqualTo(inShard);
      assertThat(slice.progress().total()).isEqualTo(inShard);
    }
  }

  @Test
  void aStepThatDiedAfterReadingAPage_restartsItsShard_andCountsNothingTwice() {
    SliceItem item = plan.items().get(0);
    SliceStep step = copy.startSlice(item);
    step = copy.pollSlice(item, step.polls());
    // GIVEN an invocation that dies while writing a page it has read (the scroll moved on)
    AtomicInteger bulks = new AtomicInteger();
    cluster.on(
        "bulk",
        () -> {
          if (bulks.incrementAndGet() == 1) {
            throw new IllegalStateException("execution environment killed");
          }
        });
    SliceStep dying = step;
    assertThatThrownBy(() -> copy.pollSlice(item, dying.polls())).hasMessageContaining("killed");
    cluster.clearHooks();

    // WHEN the state machine retries the step
    SliceStep last = dying;
    while (!last.finished()) {
      last = copy.pollSlice(item, last.polls());
    }

    // THEN the shard was read again from its start, and its counters are that pass's alone
    assertThat(last.status()).isEqualTo("DONE");
    SliceRecord slice = store.getSlice(item.key()).orElseThrow();
    long inShard =
        java.util.stream.IntStream.range(0, DOCUMENTS)
            .filter(i -> InMemorySearchCluster.shardOf("r" + i, 4) == 0)
            .count();
    assertThat(slice.progress().created() + slice.progress().versionConflicts()).isEqualTo(inShard);
    assertThat(slice.progress().total()).isEqualTo(inShard);
  }

  @Test
  void aLostScroll_restartsTheShard_andStillCopiesEveryDocument() {
    SliceItem item = plan.items().get(1);
    SliceStep step = copy.startSlice(item);
    step = copy.pollSlice(item, step.polls());
    cluster.loseScrolls();

    while (!step.finished()) {
      step = copy.pollSlice(item, step.polls());
    }

    assertThat(step.status()).isEqualTo("DONE");
    for (int i = 0; i < DOCUMENTS; i++) {
      if (InMemorySearchCluster.shardOf("r" + i, 4) == 1) {
        assertThat(cluster.document("records-v2", "r" + i)).isNotNull();
      }
    }
  }

  @Test
  void aCancelDuringAStep_stopsItBeforeItsNextWrite() {
    SliceItem item = plan.items().get(2);
    SliceStep step = copy.startSlice(item);
    long copiedBefore = cluster.count("records-v2");
    // GIVEN a cancel that runs while the step reads its next page (the execution is stopped, the
    // invocation is not)
    cluster.on(
        "nextScroll",
        () -> {
          cluster.clearHooks();
          new Canceller(lifecycle, arn -> {}, () -> {}).cancel("r", true);
        });

    SliceStep after = copy.pollSlice(item, step.polls());

    assertThat(after.status()).isEqualTo("CANCELLED");
    assertThat(cluster.count("records-v2")).isEqualTo(copiedBefore);
    assertThat(store.getSlice(item.key()).orElseThrow().status()).isEqualTo(SliceStatus.FAILED);
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.CANCELLED);
  }

  @Test
  void aSecondInvocationWorkingTheSameShard_isRefusedAtItsFirstCheckpoint() {
    SliceItem item = plan.items().get(3);
    SliceStep step = copy.startSlice(item);
    // GIVEN a step that read the slice record, then another step advanced it meanwhile
    cluster.on(
        "nextScroll",
        () -> {
          cluster.clearHooks();
          copy.pollSlice(item, 0);
        });

    assertThatThrownBy(() -> copy.pollSlice(item, step.polls()))
        .hasMessageContaining("checkpointed by another invocation");
  }
}
