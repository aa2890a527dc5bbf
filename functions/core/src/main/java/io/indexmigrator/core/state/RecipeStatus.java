package io.indexmigrator.core.state;

/** Where a recipe is in its lifecycle: init, run, sync, rollover, or cancel. */
public enum RecipeStatus {
  INITIALIZED,
  RUNNING,
  COPIED,
  SYNCING,
  ROLLING_OVER,
  /**
   * Across clusters: the application was told to use the destination's cluster; the source is
   * frozen (write-blocked) as the rollback point until {@code commit} or {@code rollback}.
   */
  SWITCHED,
  ROLLED_OVER,
  CANCELLING,
  CANCELLED,
  FAILED;

  /**
   * Whether a recipe in this status is done with its cluster, so that its name may be initialized
   * again. A FAILED recipe is not finished: it may have left write blocks or half-built indexes
   * behind, so it has to be cancelled first.
   */
  public boolean isFinished() {
    return this == CANCELLED || this == ROLLED_OVER;
  }
}
