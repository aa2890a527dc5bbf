package io.indexmigrator.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.core.lifecycle.Lifecycle;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.sync.poll.InMemoryPollCheckpoints;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PollSyncTest {

  @Test
  void pollingAcrossClusters_readsTheSourceCluster_andWritesTheDefault() {
    // GIVEN a recipe polling "logs" on cluster "old-es7" into "logs-os" on the default cluster,
    // which has an index "logs" of its own
    InMemoryStateStore store = new InMemoryStateStore();
    InMemorySearchCluster old = new InMemorySearchCluster().withIndex("logs", 1, null);
    old.withDocument("logs", "before", "{\"n\":0}");
    InMemorySearchCluster destination =
        new InMemorySearchCluster().withIndex("logs", 1, null).withIndex("logs-os", 1, null);
    destination.withDocument("logs", "x", "{\"here\":true}");
    RecipeRecord recipe =
        store.createRecipe(
            "p",
            """
            {"name": "p", "source": {"cluster": "old-es7"},
             "indexes": [{"source": "logs", "destination": "logs-os"}],
             "sync": {"mode": "poll"}}
            """);
    store.putIndexIfAbsent(
        IndexRecord.planned(
            recipe.ref(), "logs", "logs-os", List.of(), true, "indexes[0]", "{}", 1, 1));
    IndexRecord index = store.getIndex(recipe.ref(), "logs").orElseThrow();
    store.updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
    store.transition("p", EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
    Lifecycle lifecycle =
        new Lifecycle(
            store,
            Clusters.of(Map.of("default", destination, "old-es7", old)),
            Clock.systemUTC(),
            SyncControl.NONE,
            new InMemoryPollCheckpoints());
    PollSync poll = new PollSync(lifecycle, lifecycle.pollCheckpoints());
    poll.begin(recipe.ref());

    // WHEN the application writes to the old cluster, and a round polls
    old.withDocument("logs", "a", "{\"n\":1}").withDocument("logs", "b", "{\"n\":2}");
    PollSync.Round round = poll.pollOnce(recipe.ref(), Duration.ofSeconds(5));

    // THEN the new documents came from the old cluster; the default cluster's own "logs" was not
    // polled into the copy
    assertThat(round.applied()).isEqualTo(2);
    assertThat(destination.document("logs-os", "a")).isEqualTo("{\"n\":1}");
    assertThat(destination.document("logs-os", "b")).isEqualTo("{\"n\":2}");
    assertThat(destination.document("logs-os", "x")).isNull();
    assertThat(destination.document("logs-os", "before")).as("before the checkpoint").isNull();
  }
}
