package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.core.lifecycle.CopyCoordinator.PlanResult;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceItem;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceStep;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.search.InMemorySearchCluster.StartedTask;
import io.indexmigrator.core.search.ReindexRequest;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.RecipeStatus;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CopyCoordinatorTest {
  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster cluster = new InMemorySearchCluster();
  private final Lifecycle lifecycle = new Lifecycle(store, cluster, cluster, Clock.systemUTC());
  private final CopyCoordinator copy =
      new CopyCoordinator(lifecycle, ReaderCopyEngine.standard(lifecycle), ConcurrentReads.IN_TURN);

  private PlanResult initAndPlan(String yaml) {
    new Initializer(lifecycle).init(new RecipeLoader().parse(yaml), false);
    return copy.plan("r", 0, "arn:execution:1");
  }

  private Map<String, ReindexRequest> requestsBySource() {
    return cluster.startedTasks().stream()
        .collect(Collectors.toMap(t -> t.request().sourceIndex(), StartedTask::request));
  }

  @Test
  void entryCopyOptions_overrideTheRecipes_inTheReindexRequest() {
    cluster.withIndex("records-v1", 1, null).withIndex("stats-v1", 1, null);

    // GIVEN recipe-level copy options and one entry overriding them
    PlanResult plan =
        initAndPlan(
            """
            name: r
            indexes:
              - source: records-v1
                destination: records-v2
                copy: {batchSize: 250, requestsPerSecond: 100}
              - source: stats-v1
                destination: stats-v2
            copy: {batchSize: 800}
            """);

    // WHEN both slices start
    plan.items().forEach(copy::startSlice);

    // THEN the overriding entry's task gets its own options, the other the recipe's
    Map<String, ReindexRequest> requests = requestsBySource();
    assertThat(requests.get("records-v1").batchSize()).isEqualTo(250);
    assertThat(requests.get("records-v1").requestsPerSecond()).isEqualTo(100);
    assertThat(requests.get("stats-v1").batchSize()).isEqualTo(800);
    assertThat(requests.get("stats-v1").requestsPerSecond()).isEqualTo(-1);
  }

  @Test
  void slicedIndex_isCopiedByOneEngineSlicedTask_andFinishesWithoutAnotherRound() {
    cluster.withIndex("records-v1", 4, null).withIndex("stats-v1", 1, null);
    for (int i = 0; i < 3; i++) {
      cluster.withDocument("records-v1", "r" + i, "{\"n\":" + i + "}");
    }

    PlanResult plan =
        initAndPlan(
            """
            name: r
            indexes:
              - source: records-v1
                destination: records-v2
              - source: stats-v1
                destination: stats-v2
                copy: {slices: 3}
            """);

    // THEN one work item per index, each one task that the engine slices itself; a task that
    // ends while the start waits in the engine is done in that one invocation
    assertThat(plan.items()).hasSize(2);
    SliceStep first = copy.startSlice(plan.items().get(0));
    assertThat(first.status()).isEqualTo("DONE");
    assertThat(copy.copyRoundsOver("r", plan.generation()))
        .as("one index not copied yet")
        .isFalse();
    assertThat(copy.startSlice(plan.items().get(1)).status()).isEqualTo("DONE");
    Map<String, ReindexRequest> requests = requestsBySource();
    assertThat(requests.get("records-v1").automaticSlices())
        .as("slices: auto = shards")
        .isEqualTo(4);
    assertThat(requests.get("stats-v1").automaticSlices()).isEqualTo(3);
    assertThat(requests.values()).allSatisfy(r -> assertThat(r.sliceId()).isNull());
    assertThat(requests.values())
        .as("the engine refreshes as the task ends")
        .allSatisfy(r -> assertThat(r.refreshAtEnd()).isTrue());
    assertThat(cluster.startedTasks())
        .extracting(StartedTask::opaqueId)
        .allSatisfy(
            tag ->
                assertThat(tag)
                    .startsWith(TaskTag.ofRecipe(store.getRecipe("r").orElseThrow().ref())));

    // THEN the copy ends in this execution, with the source's documents
    assertThat(copy.copyRoundsOver("r", plan.generation())).isTrue();
    assertThat(copy.finishCopy("r", plan.generation())).containsEntry("status", "COPIED");
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.COPIED);
    assertThat(cluster.count("records-v2")).isEqualTo(3);
  }

  @Test
  void finishCopy_failedRefresh_marksNoIndexOfItsWaveCopied_andTheRetryFinishesEveryIndex() {
    cluster.withIndex("records-v1", 2, null).withIndex("stats-v1", 1, null);
    cluster.withDocument("records-v1", "r1", "{\"n\":1}");
    PlanResult plan =
        initAndPlan(
            """
            name: r
            indexes:
              - source: records-v1
                destination: records-v2
              - source: stats-v1
                destination: stats-v2
            """);
    for (SliceItem item : plan.items()) {
      assertThat(copy.startSlice(item).status()).isEqualTo("DONE");
    }
    assertThat(cluster.getSettings("records-v2").path("index.refresh_interval").asText())
        .as("the copy runs without refreshes")
        .isEqualTo("-1");
    int[] refreshes = {0};
    cluster.on(
        "refresh",
        () -> {
          if (refreshes[0]++ == 0) {
            throw new io.indexmigrator.core.search.SearchClusterException(
                "refresh", 504, "timeout", "refresh timed out");
          }
        });

    // WHEN the first refresh of the finishing step fails
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> copy.finishCopy("r", plan.generation()))
        .hasMessageContaining("refresh timed out");

    // THEN the other index's calls still ran, nothing is marked COPIED, and the recipe still runs
    assertThat(refreshes[0]).isEqualTo(2);
    assertThat(store.listIndexes(store.getRecipe("r").orElseThrow().ref()))
        .allSatisfy(i -> assertThat(i.phase()).isNotEqualTo(IndexPhase.COPIED));
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.RUNNING);

    // WHEN the step is retried THEN every index is restored, refreshed and COPIED
    assertThat(copy.finishCopy("r", plan.generation())).containsEntry("status", "COPIED");
    assertThat(refreshes[0]).isEqualTo(4);
    assertThat(store.listIndexes(store.getRecipe("r").orElseThrow().ref()))
        .allSatisfy(i -> assertThat(i.phase()).isEqualTo(IndexPhase.COPIED));
    for (String destination : new String[] {"records-v2", "stats-v2"}) {
      assertThat(cluster.getSettings(destination).path("index.refresh_interval").asText())
          .as(destination + " restored")
          .isNotEqualTo("-1");
    }
  }

  @Test
  void startingAgain_reattachesToTheRunningTask_insteadOfStartingAnother() {
    cluster.withIndex("records-v1", 2, null).holdTasks(true);
    PlanResult plan =
        initAndPlan("name: r\nindexes: [{source: records-v1, destination: records-v2}]\n");
    SliceItem item = plan.items().get(0);

    copy.startSlice(item);
    // A retried StartSlice (the invocation's answer was lost) or a resumed run
    SliceStep again = copy.startSlice(item);
    PlanResult resumed = copy.plan("r", 0, "arn:execution:2");
    copy.startSlice(resumed.items().get(0));

    assertThat(again.finished()).isFalse();
    assertThat(cluster.startedTasks()).hasSize(1);

    // WHEN the task ends, the next poll completes the slice with that same task
    cluster.holdTasks(false);
    assertThat(copy.pollSlice(item, again.polls()).status()).isEqualTo("DONE");
    assertThat(store.listSlices(resumed.items().get(0).key().recipe()))
        .singleElement()
        .satisfies(s -> assertThat(s.taskId()).isEqualTo(cluster.startedTasks().get(0).taskId()));
  }
}
