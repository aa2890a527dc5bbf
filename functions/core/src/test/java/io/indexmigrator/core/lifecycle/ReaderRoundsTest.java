package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.core.lifecycle.CopyCoordinator.PlanResult;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceItem;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceStep;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.state.InMemoryStateStore;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the copy's rounds hand out reader items: no more than the Map runs at once, the items already
 * begun first, so that an item that yielded is resumed in the next round while its scroll or point
 * in time is still open, not after every later wave of a large round.
 */
class ReaderRoundsTest {
  private static final int SHARDS = 12;

  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster cluster = new InMemorySearchCluster();
  private final Lifecycle lifecycle = new Lifecycle(store, cluster, cluster, Clock.systemUTC());
  private final CopyCoordinator copy = ReaderCopies.onePagePerStep(lifecycle);

  @BeforeEach
  void aTwelveShardSource() {
    cluster.withIndex("records-v1", SHARDS, null);
    for (int i = 0; i < 600; i++) {
      cluster.withDocument("records-v1", "r" + i, "{\"n\":" + i + "}");
    }
    new Initializer(lifecycle)
        .init(
            new RecipeLoader()
                .parse(
                    """
                    name: r
                    indexes: [{source: records-v1, destination: records-v2}]
                    copy: {mode: reader, batchSize: 10}
                    """),
            false);
  }

  @Test
  void aRound_handsOutNoMoreReaderItemsThanTheMapRunsAtOnce() {
    PlanResult first = copy.plan("r", 0, "arn:execution:1");

    assertThat(first.items()).hasSize(CopyCoordinator.MAP_CONCURRENCY);
  }

  @Test
  void theItemsAlreadyBegun_comeFirstInTheNextRound() {
    PlanResult first = copy.plan("r", 0, "arn:execution:1");
    // Two items take a step each (one page: not finished) and the round yields.
    SliceItem begunA = first.items().get(5);
    SliceItem begunB = first.items().get(7);
    for (SliceItem item : java.util.List.of(begunA, begunB)) {
      SliceStep step = copy.startSlice(item);
      assertThat(step.finished()).isFalse();
    }

    PlanResult next = copy.plan("r", 1, "arn:execution:1-r1");

    assertThat(next.items()).hasSize(CopyCoordinator.MAP_CONCURRENCY);
    assertThat(next.items().subList(0, 2))
        .extracting(SliceItem::sliceId)
        .containsExactly(begunA.sliceId(), begunB.sliceId());
    assertThat(cluster.openScrolls()).as("their scrolls are still open").isEqualTo(2);
  }

  @Test
  void everyShardIsStillCopied_roundAfterRound() {
    int round = 0;
    PlanResult plan = copy.plan("r", round, "arn:execution:1");
    while (!plan.items().isEmpty()) {
      for (SliceItem item : plan.items()) {
        SliceStep step = copy.startSlice(item);
        while (!step.finished()) {
          step = copy.pollSlice(item, step.polls());
        }
      }
      plan = copy.plan("r", ++round, "arn:execution:1-r" + round);
    }
    assertThat(round).isEqualTo(2);
    assertThat(copy.finishCopy("r", plan.generation())).containsEntry("docsCopied", 600L);
  }
}
