package io.indexmigrator.core.state;

/** The checkpoints of a rollover, in the order they are reached (FAILED can follow any). */
public enum RolloverPhase {
  /** The lease is held; verifying before the block, writes still flow. */
  PREPARING,
  BLOCKED,
  VERIFIED,
  SWAPPED,
  UNBLOCKED,
  /**
   * Across clusters, instead of UNBLOCKED: the new endpoint is published, the source stays blocked
   * (the rollback point) until commit or rollback.
   */
  SWITCHED,
  /** A switch undone before commit: the old endpoint published again, the source unblocked. */
  ROLLED_BACK,
  FAILED
}
