package io.indexmigrator.core.state;

import java.time.Instant;

/**
 * Counters of the sync consumer for one recipe generation. They count batches as delivered
 * (at-least-once), so a redelivered batch counts twice: these are metrics, not ledgers.
 *
 * @param lastLagMillis how old the oldest event of the last applied batch was when it was applied
 */
public record SyncStats(
    long applied,
    long rejected,
    long deferred,
    long batches,
    Long lastLagMillis,
    Instant firstAppliedAt,
    Instant lastAppliedAt) {

  public static final SyncStats NONE = new SyncStats(0, 0, 0, 0, null, null, null);

  SyncStats plus(
      long moreApplied, long moreRejected, long moreDeferred, long lagMillis, Instant at) {
    return new SyncStats(
        applied + moreApplied,
        rejected + moreRejected,
        deferred + moreDeferred,
        batches + 1,
        lagMillis,
        firstAppliedAt == null ? at : firstAppliedAt,
        at);
  }

  /** Events applied per second between the first and the last batch, or 0. */
  public double appliedPerSecond() {
    if (firstAppliedAt == null || lastAppliedAt == null || !lastAppliedAt.isAfter(firstAppliedAt)) {
      return 0;
    }
    return applied * 1000.0 / (lastAppliedAt.toEpochMilli() - firstAppliedAt.toEpochMilli());
  }
}
