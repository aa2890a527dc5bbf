package io.indexmigrator.core.sync;

/**
 * The sync consumer as the lifecycle sees it: the copy switches it on when it finishes (events wait
 * in the queue until then), and rollover drains its backlog under the write block.
 */
public interface SyncControl {
  /** Starts delivering queued change events to the consumer. Idempotent. */
  void enableConsumer();

  /** Events queued or being applied right now (visible, in flight and delayed messages). */
  long backlog();

  /** For deployments without a sync consumer (and tests of the copy alone). */
  SyncControl NONE =
      new SyncControl() {
        @Override
        public void enableConsumer() {}

        @Override
        public long backlog() {
          return 0;
        }
      };
}
