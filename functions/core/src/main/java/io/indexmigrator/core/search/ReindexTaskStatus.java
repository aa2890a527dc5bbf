package io.indexmigrator.core.search;

import java.util.List;
import java.util.Objects;

/**
 * Progress or outcome of a {@code _reindex} task.
 *
 * @param taskId {@code node:id}
 * @param completed whether the task has finished (successfully or not)
 * @param total documents the task will process
 * @param created documents created in the destination
 * @param updated documents overwritten in the destination
 * @param deleted documents deleted (by a script setting {@code ctx.op = 'delete'})
 * @param batches scroll batches processed
 * @param versionConflicts documents skipped because of version conflicts
 * @param noops documents a script chose not to write
 * @param failures per-document or per-shard failures, summarised as {@code where: type: reason}
 * @param error why the task as a whole failed, or {@code null}
 * @param cancelled whether the task was cancelled
 */
public record ReindexTaskStatus(
    String taskId,
    boolean completed,
    long total,
    long created,
    long updated,
    long deleted,
    long batches,
    long versionConflicts,
    long noops,
    List<String> failures,
    String error,
    boolean cancelled) {

  public ReindexTaskStatus {
    Objects.requireNonNull(taskId, "taskId");
    failures = List.copyOf(failures);
  }

  /** Documents the task has dealt with so far, in any way. */
  public long processed() {
    return created + updated + deleted + versionConflicts + noops;
  }

  /** Finished, not cancelled, without a task error or document failures. */
  public boolean succeeded() {
    return completed && !cancelled && error == null && failures.isEmpty();
  }
}
