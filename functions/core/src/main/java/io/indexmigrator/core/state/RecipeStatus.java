package io.indexmigrator.core.state;

/** Where a recipe is in its lifecycle: init, run, sync, rollover, or cancel. */
public enum RecipeStatus {
  INITIALIZED,
  RUNNING,
  COPIED,
  SYNCING,
  ROLLING_OVER,
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
