package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceStep;
import io.indexmigrator.core.state.SliceKey;
import io.indexmigrator.core.state.SliceRecord;
import java.util.Optional;

/**
 * How one work item of the copy (a slice record) is copied. The {@link CopyCoordinator} claims
 * items, records what was started and schedules the steps; an engine does the copying: the engine's
 * own {@code _reindex} in-cluster, or the reader engine that pages through a source shard on any
 * cluster.
 */
interface CopyEngine {

  /**
   * Begins work on an item this invocation just claimed (STARTING).
   *
   * @return what identifies the work (a task id, a reader pass), recorded on the item
   */
  String start(SliceKey key, SliceRecord claimed);

  /**
   * The work an invocation that died between claiming and recording had begun for the item, if the
   * engine can find it; empty means the item may simply be started again.
   */
  Optional<String> findStarted(SliceKey key);

  /**
   * Advances or waits for a RUNNING item once, checkpointing what it learns.
   *
   * @throws WorkLostException when the work recorded on the item no longer exists and the item must
   *     be started again
   */
  SliceStep step(SliceKey key, SliceRecord running, int polls);

  /** Stops work begun for an item, best effort (a cancel raced the start). */
  void stop(SliceKey key, String work);

  /** The work recorded on an item is gone (a task the cluster forgot after a restart). */
  final class WorkLostException extends RuntimeException {
    WorkLostException(String message) {
      super(message);
    }
  }
}
