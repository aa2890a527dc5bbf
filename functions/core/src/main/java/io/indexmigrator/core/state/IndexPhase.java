package io.indexmigrator.core.state;

/** How far the copy of one source index has come. */
public enum IndexPhase {
  PENDING,
  COPYING,
  COPIED,
  FAILED
}
