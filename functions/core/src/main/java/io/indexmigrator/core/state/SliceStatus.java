package io.indexmigrator.core.state;

/**
 * The lifecycle of one {@code _reindex} slice. STARTING is held between winning the claim and
 * knowing the cluster's task id, so that a second invocation cannot start a second task.
 */
public enum SliceStatus {
  PENDING,
  STARTING,
  RUNNING,
  DONE,
  FAILED
}
