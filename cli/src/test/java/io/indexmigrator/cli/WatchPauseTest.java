package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.cli.StatusCommand.Watcher;
import io.indexmigrator.core.lifecycle.StatusReport;
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

  private static StatusReport.IndexStatus index(int slices, int done) {
    return new StatusReport.IndexStatus(
        "records", "records-v2", "COPYING", 100, 50, 0, slices, done, 10.0, 5L, List.of());
  }

  private static StatusReport report(String state, StatusReport.IndexStatus... indexes) {
    return new StatusReport(
        "records",
        1,
        state,
        null,
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
