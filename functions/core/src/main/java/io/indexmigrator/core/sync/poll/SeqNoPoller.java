package io.indexmigrator.core.sync.poll;

import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.SearchCluster.SeqNoHit;
import io.indexmigrator.events.ChangeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Captures writes to a source index without the application's help, by reading each shard's
 * documents in {@code _seq_no} order above a stored checkpoint, and hands them to the sync as
 * {@link ChangeEvent.Op#INDEX} events. See docs/poll-mode.md.
 *
 * <p>A shard is read only up to its global checkpoint: every operation at or below it is persisted
 * on all in-sync copies, and no lower {@code _seq_no} can appear later, so once a range has been
 * read it never needs reading again. Before reading, the index is refreshed (after the global
 * checkpoints are taken), so every document at or below them is visible to search; without that,
 * unrefreshed documents would be skipped for good when the checkpoint moves past them.
 *
 * <p>Deletes leave no document behind and are invisible; an updated document is seen once, at its
 * latest {@code _seq_no}. Emission is at-least-once: a checkpoint is advanced only after the sink
 * accepted the page, so a failed poll re-emits the page next time.
 *
 * <p>Thread-safe if the source and checkpoints are; concurrent polls of one index may emit a
 * document twice but never lose one.
 */
public final class SeqNoPoller {

  private final SeqNoSource source;
  private final PollCheckpoints checkpoints;
  private final int pageSize;
  private final LongSupplier nanoTime;

  /**
   * @param pageSize documents per search request, 1 to 10,000 (the default {@code
   *     index.max_result_window})
   */
  public SeqNoPoller(SearchCluster cluster, PollCheckpoints checkpoints, int pageSize) {
    this(SeqNoSource.of(cluster), checkpoints, pageSize, System::nanoTime);
  }

  /** For tests: a fake source and a controllable clock ({@link System#nanoTime()}-like). */
  public SeqNoPoller(
      SeqNoSource source, PollCheckpoints checkpoints, int pageSize, LongSupplier nanoTime) {
    if (pageSize < 1 || pageSize > 10_000) {
      throw new IllegalArgumentException(
          "pageSize must be between 1 and 10000 (index.max_result_window), got " + pageSize);
    }
    this.source = Objects.requireNonNull(source, "source");
    this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
    this.pageSize = pageSize;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** The global checkpoint of every shard of {@code index} now, by shard number. */
  public Map<Integer, Long> currentGlobalCheckpoints(String index) {
    return source.shardCheckpoints(index);
  }

  /**
   * Starts polling {@code index}: stores the current global checkpoints as the shards' starting
   * points. Call it just before the bulk copy of the index starts, so writes made during the copy
   * are polled afterwards. Shards that already have a checkpoint keep it, so a retried call does
   * not skip writes.
   *
   * <p>The index is refreshed after the checkpoints are read, so the bulk copy that follows sees
   * every document at or below them: the poller will never read those again.
   *
   * @return the checkpoints now stored, by shard number
   */
  public Map<Integer, Long> begin(String recipe, int generation, String index) {
    Map<Integer, Long> stored = checkpoints.load(recipe, generation, index);
    Map<Integer, Long> current = source.shardCheckpoints(index);
    current.forEach(
        (shard, seqNo) -> {
          if (!stored.containsKey(shard)) {
            checkpoints.advance(recipe, generation, index, shard, seqNo);
          }
        });
    source.refresh(index);
    return checkpoints.load(recipe, generation, index);
  }

  /**
   * Emits, as INDEX events, the documents of {@code index} written since the stored checkpoints, in
   * {@code _seq_no} order per shard, one page (of one shard) per sink call, and advances the
   * checkpoints after each accepted page. Shards take turns page by page, so a busy shard cannot
   * starve the others within one poll.
   *
   * @param maxDocs stop after this many events (at least 1)
   * @param maxTime stop starting new pages after this long (a page already started finishes)
   * @param sink receives each page; if it throws, that page's checkpoint is not advanced and the
   *     exception propagates
   * @throws IllegalStateException if {@link #begin} was not called for the index, or a stored
   *     checkpoint is above the shard's global checkpoint (the index was replaced)
   */
  public PollResult poll(
      String recipe,
      int generation,
      String index,
      int maxDocs,
      Duration maxTime,
      Consumer<List<ChangeEvent>> sink) {
    if (maxDocs < 1) {
      throw new IllegalArgumentException("maxDocs must be at least 1, got " + maxDocs);
    }
    Objects.requireNonNull(sink, "sink");
    long started = nanoTime.getAsLong();
    long deadline = started + maxTime.toNanos();

    Map<Integer, Long> stored = checkpoints.load(recipe, generation, index);
    // Global checkpoints first, refresh second: everything at or below them is then searchable.
    Map<Integer, Long> global = source.shardCheckpoints(index);
    Map<Integer, ShardCursor> cursors = new TreeMap<>();
    for (Map.Entry<Integer, Long> entry : global.entrySet()) {
      int shard = entry.getKey();
      Long checkpoint = stored.get(shard);
      if (checkpoint == null) {
        throw new IllegalStateException(
            "no poll checkpoint for shard "
                + shard
                + " of '"
                + index
                + "' (recipe "
                + recipe
                + ", generation "
                + generation
                + "): call begin() before the bulk copy starts");
      }
      if (checkpoint > entry.getValue()) {
        throw new IllegalStateException(
            "poll checkpoint "
                + checkpoint
                + " of shard "
                + shard
                + " of '"
                + index
                + "' is above its global checkpoint "
                + entry.getValue()
                + ": the index was deleted and recreated or restored since polling began");
      }
      cursors.put(shard, new ShardCursor(shard, checkpoint, entry.getValue()));
    }
    if (cursors.values().stream().anyMatch(c -> !c.done())) {
      source.refresh(index);
    }

    long emitted = 0;
    boolean budgetLeft = true;
    while (budgetLeft && cursors.values().stream().anyMatch(c -> !c.done())) {
      for (ShardCursor cursor : cursors.values()) {
        if (cursor.done()) {
          continue;
        }
        if (emitted >= maxDocs || nanoTime.getAsLong() - deadline >= 0) {
          budgetLeft = false;
          break;
        }
        emitted += readPage(recipe, generation, index, cursor, maxDocs - emitted, sink);
      }
    }

    List<PollResult.ShardPoll> shards = new ArrayList<>();
    for (ShardCursor c : cursors.values()) {
      shards.add(new PollResult.ShardPoll(c.shard, c.initial, c.position, c.global, c.emitted));
    }
    return new PollResult(
        index,
        shards,
        emitted,
        cursors.values().stream().anyMatch(c -> !c.done()),
        Duration.ofNanos(nanoTime.getAsLong() - started));
  }

  /** Reads and emits one page of one shard; returns the number of events emitted. */
  private int readPage(
      String recipe,
      int generation,
      String index,
      ShardCursor cursor,
      long budget,
      Consumer<List<ChangeEvent>> sink) {
    int size = (int) Math.min(pageSize, budget);
    List<SeqNoHit> hits =
        source.searchBySeqNo(index, cursor.shard, cursor.position, cursor.global, size);
    List<ChangeEvent> events = new ArrayList<>(hits.size());
    long previous = cursor.position;
    for (SeqNoHit hit : hits) {
      if (hit.seqNo() <= previous || hit.seqNo() > cursor.global) {
        // Emitting out of order or out of range would let the checkpoint skip documents.
        throw new IllegalStateException(
            "shard "
                + cursor.shard
                + " of '"
                + index
                + "' returned _seq_no "
                + hit.seqNo()
                + " after "
                + previous
                + " for the range ("
                + cursor.position
                + ", "
                + cursor.global
                + "]");
      }
      previous = hit.seqNo();
      events.add(
          new ChangeEvent(
              index,
              hit.id(),
              ChangeEvent.Op.INDEX,
              hit.seqNo(),
              hit.primaryTerm(),
              hit.routing()));
    }
    // A short page means nothing live is left up to the global checkpoint: the gaps above the
    // last hit are deletes or older versions of updated documents, so jump to the checkpoint.
    long next = hits.size() < size ? cursor.global : previous;
    if (!events.isEmpty()) {
      sink.accept(List.copyOf(events));
    }
    if (next > cursor.position) {
      checkpoints.advance(recipe, generation, index, cursor.shard, next);
      cursor.position = next;
    }
    cursor.emitted += events.size();
    return events.size();
  }

  private static final class ShardCursor {
    final int shard;
    final long initial;
    final long global;
    long position;
    long emitted;

    ShardCursor(int shard, long checkpoint, long global) {
      this.shard = shard;
      this.initial = checkpoint;
      this.position = checkpoint;
      this.global = global;
    }

    boolean done() {
      return position >= global;
    }
  }
}
