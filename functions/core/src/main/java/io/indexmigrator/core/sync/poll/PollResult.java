package io.indexmigrator.core.sync.poll;

import java.time.Duration;
import java.util.List;

/**
 * What one {@link SeqNoPoller#poll} did.
 *
 * @param index the polled index
 * @param shards per shard, in shard order
 * @param documentsEmitted events handed to the sink, all shards together
 * @param moreRemaining whether the poll stopped at its document or time limit with documents left
 *     below the global checkpoints it read; if so, poll again at once, else wait for new writes
 * @param elapsed how long the poll took
 */
public record PollResult(
    String index,
    List<ShardPoll> shards,
    long documentsEmitted,
    boolean moreRemaining,
    Duration elapsed) {

  public PollResult {
    shards = List.copyOf(shards);
  }

  /**
   * One shard's part of a poll.
   *
   * @param previousCheckpoint the stored checkpoint the poll started from
   * @param newCheckpoint the stored checkpoint after the poll (equal if nothing moved)
   * @param globalCheckpoint the shard's global checkpoint the poll read up to
   * @param documentsEmitted events emitted for this shard
   */
  public record ShardPoll(
      int shard,
      long previousCheckpoint,
      long newCheckpoint,
      long globalCheckpoint,
      long documentsEmitted) {

    /** Whether everything up to the global checkpoint read by this poll has been emitted. */
    public boolean caughtUp() {
      return newCheckpoint >= globalCheckpoint;
    }
  }
}
