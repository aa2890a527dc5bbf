package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatusReportTest {
  private final StatusReport.Sync measured =
      new StatusReport.Sync(
          "events", 120, 0, 0, 40.0, 2_500L, "2026-11-25T03:00:00Z", null, null, null);

  @Test
  void withQueues_shouldReportNoLag_whenTheSyncQueueHoldsNothing() {
    StatusReport.Sync empty = measured.withQueues(0L, 3L);

    assertThat(empty.lagMillis()).isZero();
    assertThat(empty.queueDepth()).isZero();
    assertThat(empty.deadLetterDepth()).isEqualTo(3L);
  }

  @Test
  void withQueues_shouldKeepTheMeasuredLag_whileEventsWaitOrTheDepthIsUnknown() {
    assertThat(measured.withQueues(7L, 0L).lagMillis()).isEqualTo(2_500L);
    assertThat(measured.withQueues(null, null).lagMillis()).isEqualTo(2_500L);
  }
}
