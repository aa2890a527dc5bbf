package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.cli.StatusCommand.Watcher;
import io.indexmigrator.core.lifecycle.StatusReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchPauseTest {
  @Test
  void readsOftenOnlyOnceEverySliceOfARunningCopyIsDone() {
    assertThat(Watcher.pause(report("RUNNING", index(4, 3), index(1, 1))))
        .isEqualTo(Watcher.COPYING_PAUSE);
    assertThat(Watcher.pause(report("RUNNING", index(4, 4), index(1, 1))))
        .isEqualTo(Watcher.FINISHING_PAUSE);
    assertThat(Watcher.FINISHING_PAUSE).isLessThan(Watcher.COPYING_PAUSE);
  }

  @Test
  void otherStatesAndPlansWithoutSlicesKeepTheSlowPace() {
    assertThat(Watcher.pause(report("SYNCING", index(4, 4)))).isEqualTo(Watcher.COPYING_PAUSE);
    assertThat(Watcher.pause(report("INITIALIZED", index(4, 4)))).isEqualTo(Watcher.COPYING_PAUSE);
    // Before the plan step has written slices, nothing is known to be finishing.
    assertThat(Watcher.pause(report("RUNNING", index(0, 0)))).isEqualTo(Watcher.COPYING_PAUSE);
    assertThat(Watcher.pause(report("RUNNING"))).isEqualTo(Watcher.COPYING_PAUSE);
  }

  @Test
  void aCopiedRecipeWhoseExecutionStillRunsIsReadOftenUntilTheExecutionEnds() {
    assertThat(Watcher.pause(report("COPIED", "RUNNING", index(4, 4))))
        .isEqualTo(Watcher.FINISHING_PAUSE);
    assertThat(Watcher.pause(report("COPIED", "SUCCEEDED", index(4, 4))))
        .isEqualTo(Watcher.COPYING_PAUSE);
    // An execution that keeps polling changes in SYNCING runs for as long as the sync does.
    assertThat(Watcher.pause(report("SYNCING", "RUNNING", index(4, 4))))
        .isEqualTo(Watcher.COPYING_PAUSE);
  }

  @Test
  void awaitChange_returnsAtTheFirstCheckThatSeesAChange() throws Exception {
    long[] now = {0};
    List<Duration> sleeps = new ArrayList<>();
    int[] checks = {0};
    Watcher.awaitChange(
        Duration.ofMillis(500),
        () -> ++checks[0] == 2,
        () -> now[0],
        d -> {
          sleeps.add(d);
          now[0] += d.toNanos();
        });
    assertThat(checks[0]).isEqualTo(2);
    assertThat(sleeps).containsExactly(Watcher.CHECK_EVERY, Watcher.CHECK_EVERY);
  }

  @Test
  void awaitChange_withoutAChange_waitsThePauseAndNoLonger() throws Exception {
    long[] now = {0};
    List<Duration> sleeps = new ArrayList<>();
    Watcher.awaitChange(
        Duration.ofMillis(450),
        () -> false,
        () -> now[0],
        d -> {
          sleeps.add(d);
          now[0] += d.toNanos();
        });
    assertThat(sleeps.stream().mapToLong(Duration::toMillis).sum()).isEqualTo(450);
    assertThat(sleeps).hasSize(5).last().isEqualTo(Duration.ofMillis(50));
  }

  private static StatusReport.IndexStatus index(int slices, int done) {
    return new StatusReport.IndexStatus(
        "records", "records-v2", "COPYING", 100, 50, 0, slices, done, 10.0, 5L, List.of());
  }

  private static StatusReport report(String state, StatusReport.IndexStatus... indexes) {
    return report(state, null, indexes);
  }

  private static StatusReport report(
      String state, String execution, StatusReport.IndexStatus... indexes) {
    return new StatusReport(
        "records",
        1,
        state,
        execution == null ? null : new StatusReport.Execution("arn:execution:1", execution),
        null,
        "2026-12-04T21:00:00Z",
        100,
        50,
        10.0,
        5L,
        List.of(indexes),
        null,
        null,
        null);
  }
}
