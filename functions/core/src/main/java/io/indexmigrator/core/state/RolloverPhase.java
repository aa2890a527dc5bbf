package io.indexmigrator.core.state;

/** The checkpoints of a rollover, in the order they are reached (FAILED can follow any). */
public enum RolloverPhase {
  /** The lease is held; verifying before the block, writes still flow. */
  PREPARING,
  BLOCKED,
  VERIFIED,
  SWAPPED,
  UNBLOCKED,
  FAILED
}
