package io.indexmigrator.core.state;

import java.util.List;

/**
 * The counters of a {@code _reindex} task as the cluster reports them. Each only grows while one
 * task runs, which is how a late or repeated poll is recognised and ignored.
 *
 * @param failures how many documents the task could not copy
 * @param failureReasons the first few reasons (at most 10, each cut to 1000 characters)
 */
public record SliceProgress(
    long total,
    long created,
    long updated,
    long deleted,
    long versionConflicts,
    long batches,
    long failures,
    List<String> failureReasons) {

  public static final SliceProgress NONE = new SliceProgress(0, 0, 0, 0, 0, 0, 0, List.of());

  public SliceProgress {
    if (total < 0
        || created < 0
        || updated < 0
        || deleted < 0
        || versionConflicts < 0
        || batches < 0
        || failures < 0) {
      throw new IllegalArgumentException("slice counters must not be negative");
    }
    failureReasons = StateLimits.boundReasons(failureReasons);
  }

  /** Whether no counter of this report is behind {@code stored}. */
  public boolean isNotBehind(SliceProgress stored) {
    return total >= stored.total
        && created >= stored.created
        && updated >= stored.updated
        && deleted >= stored.deleted
        && versionConflicts >= stored.versionConflicts
        && batches >= stored.batches
        && failures >= stored.failures;
  }
}
