package io.indexmigrator.core.state;

/** The checkpoints of a rollover, in the order they are reached (FAILED can follow any). */
public enum RolloverPhase {
  BLOCKED,
  VERIFIED,
  SWAPPED,
  UNBLOCKED,
  FAILED
}
