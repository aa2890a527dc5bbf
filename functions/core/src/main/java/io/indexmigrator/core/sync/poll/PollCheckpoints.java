package io.indexmigrator.core.sync.poll;

import java.util.Map;

/**
 * Where {@link SeqNoPoller} keeps, per shard of a polled source index, the highest {@code _seq_no}
 * already emitted, between polls (each poll may run in a different Lambda invocation).
 *
 * <p>Implementations must be safe for concurrent use: two overlapping polls of the same index may
 * both advance a shard, and the higher value must win.
 */
public interface PollCheckpoints {

  /**
   * The stored checkpoint of every shard of {@code index} that has one, by shard number; empty if
   * polling of that index never began.
   */
  Map<Integer, Long> load(String recipe, int generation, String index);

  /**
   * Raises the shard's checkpoint to {@code seqNo}, or sets it if there is none. Never moves a
   * checkpoint backwards: a lower or equal {@code seqNo} leaves the stored value as it is.
   */
  void advance(String recipe, int generation, String index, int shard, long seqNo);
}
