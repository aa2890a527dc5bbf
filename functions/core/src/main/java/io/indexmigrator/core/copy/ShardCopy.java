package io.indexmigrator.core.copy;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.copy.ReaderCursor.Kind;
import io.indexmigrator.core.search.BulkWrites;
import io.indexmigrator.core.search.SearchCluster.BulkItemResult;
import io.indexmigrator.core.search.SearchCluster.BulkWrite;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.search.ShardPages;
import io.indexmigrator.core.search.ShardPages.ShardPage;
import io.indexmigrator.core.search.ShardPages.SourceDocument;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * Copies one primary shard of a source index into a destination index, page by page, within a time
 * budget per call, so a short-lived process (a Lambda invocation) can copy a shard of any size over
 * many calls.
 *
 * <p>Every page is written with external versions ({@code external_gte} at the source version), so
 * a copy never overwrites what a live sync wrote meanwhile, and writing a page twice changes
 * nothing. What the counters of the cursor report covers the current pass over the shard only: a
 * restart from the first document starts them at zero, so no document is counted twice.
 *
 * <p>Not thread-safe per work item: the caller makes sure one item is worked by one call at a time.
 */
public final class ShardCopy {

  /**
   * @param pageSize documents per page and per bulk request
   * @param keepAlive how long the engine keeps the scroll or point in time between two pages; must
   *     cover the gap between two calls, not only between two pages of one call
   * @param maxBulkAttempts how often a page's throttled or failed (429/5xx) documents are sent
   *     before the call gives up with a {@link RetryableMigrationException}
   * @param backoffBase the longest wait before the second attempt; doubled for each further one
   * @param backoffMax the longest wait before any attempt
   */
  public record Options(
      int pageSize,
      Duration keepAlive,
      int maxBulkAttempts,
      Duration backoffBase,
      Duration backoffMax) {
    public Options {
      if (pageSize < 1 || maxBulkAttempts < 1) {
        throw new IllegalArgumentException("pageSize and maxBulkAttempts must be at least 1");
      }
      if (keepAlive.isNegative() || keepAlive.isZero()) {
        throw new IllegalArgumentException("keepAlive must be positive");
      }
      if (backoffBase.isNegative() || backoffMax.compareTo(backoffBase) < 0) {
        throw new IllegalArgumentException("need 0 <= backoffBase <= backoffMax");
      }
    }

    /**
     * 1,000 documents a page; contexts kept 20 minutes, twice a 10-minute budget, so a call that
     * uses its whole budget and a prompt next call find it; 6 bulk attempts with waits of up to
     * 0.25, 0.5, 1, 2, 4 s.
     */
    public static Options defaults() {
      return new Options(
          1000, Duration.ofMinutes(20), 6, Duration.ofMillis(250), Duration.ofSeconds(15));
    }
  }

  private final ShardPages source;
  private final BulkWrites destination;
  private final Options options;
  private final Clock clock;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  // Kept across the pages and calls of this writer: what the destination took last is the best
  // guess for the next page.
  private final BulkWindow window;
  private final Executor readAhead;

  /** Reads ahead on a virtual thread of its own per page. */
  public ShardCopy(
      ShardPages source,
      BulkWrites destination,
      Options options,
      Clock clock,
      Sleeper sleeper,
      RandomGenerator random) {
    this(
        source,
        destination,
        options,
        clock,
        sleeper,
        random,
        task -> Thread.ofVirtual().name("read-ahead").start(task));
  }

  /**
   * @param readAhead runs the read of the next page while the current one is written; a direct
   *     executor ({@code Runnable::run}) reads it just before, which is slower but deterministic
   */
  public ShardCopy(
      ShardPages source,
      BulkWrites destination,
      Options options,
      Clock clock,
      Sleeper sleeper,
      RandomGenerator random,
      Executor readAhead) {
    this.readAhead = Objects.requireNonNull(readAhead, "readAhead");
    this.source = Objects.requireNonNull(source, "source");
    this.destination = Objects.requireNonNull(destination, "destination");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.random = Objects.requireNonNull(random, "random");
    this.window = new BulkWindow(options.pageSize());
  }

  /**
   * Copies pages of {@code item} until the shard ends or {@code budget} is spent, saving the cursor
   * through {@code checkpoints} after every page.
   *
   * <p>The next page is read while this one is written (on the read-ahead executor), so an item
   * takes about the longer of its reads and its writes rather than their sum. That changes nothing
   * in what a saved cursor means: every cursor saved after a page is marked not clean (a scroll may
   * have moved past it), and only the cursor saved when the call pauses, with nothing read ahead,
   * is clean.
   *
   * <p>At least one page is read per call, however small the budget, so repeated calls always
   * progress. A page is read ahead only while the budget left is more than the longest interval
   * between two pages of this call.
   *
   * @param resumeFrom the cursor the last call saved, or empty for the first call
   * @throws RetryableMigrationException when the source or destination failed in a way that may
   *     pass (429, 5xx, no answer); call again with the last cursor saved
   * @throws MigrationFailedException when they refused the request itself (a missing index, a bulk
   *     request too large); calling again fails the same way
   */
  public Outcome work(
      WorkItem item, Optional<ReaderCursor> resumeFrom, Duration budget, Checkpoints checkpoints) {
    Instant deadline = clock.instant().plus(budget);
    Kind kind = item.pointInTime() ? Kind.POINT_IN_TIME : Kind.SCROLL;
    ReaderCursor cursor = null;
    String restartReason = null;
    if (resumeFrom.isPresent()) {
      ReaderCursor saved = resumeFrom.get();
      if (saved.finished()) {
        return new Outcome(saved, true, null);
      }
      if (saved.kind() != kind) {
        restartReason =
            "the item is now read with a "
                + describe(kind)
                + " but its cursor is a "
                + describe(saved.kind());
      } else if (kind == Kind.SCROLL && !saved.clean()) {
        restartReason =
            "the last call stopped without a clean checkpoint, after reading a scroll page it may"
                + " not have written; a scroll cannot go back to it";
      } else {
        cursor = saved;
      }
      if (cursor == null) {
        abandonQuietly(saved);
      }
    }

    boolean lostHere = false;
    Instant lastInHand = clock.instant();
    Duration slowest = Duration.ZERO;
    ShardPage page = null;
    while (page == null) {
      try {
        if (cursor == null) {
          page = open(item, kind);
          cursor = ReaderCursor.start(kind, page.contextId());
        } else {
          if (kind == Kind.SCROLL && cursor.clean()) {
            // Mark the cursor used before the scroll moves: should this process die before the
            // page is written, the next call must not take the scroll for being at this page.
            cursor = cursor.withClean(false);
            checkpoints.save(cursor);
          }
          page = next(item, cursor.kind(), cursor.contextId(), cursor.searchAfterJson());
        }
      } catch (SearchClusterException e) {
        lostHere = onReadFailure(item, kind, e, lostHere);
        restartReason = lostReason(kind, e);
        cursor = null;
      }
    }
    while (true) {
      if (page.isEmpty()) {
        ReaderCursor done = cursor.closed();
        // Saved before closing: should closing fail or this process die now, the item stays done
        // and the context expires on its own.
        checkpoints.save(done);
        closeQuietly(kind, page.contextId());
        return new Outcome(done, true, restartReason);
      }
      Instant inHand = clock.instant();
      Duration interval = Duration.between(lastInHand, inHand);
      if (interval.compareTo(slowest) > 0) {
        slowest = interval;
      }
      lastInHand = inHand;
      CompletableFuture<ShardPage> ahead = null;
      if (Duration.between(inHand, deadline).compareTo(slowest) > 0) {
        ShardPage current = page;
        ahead =
            CompletableFuture.supplyAsync(
                () ->
                    next(
                        item,
                        kind,
                        current.contextId(),
                        kind == Kind.POINT_IN_TIME ? current.lastSortJson() : null),
                readAhead);
      }
      try {
        cursor = write(item, cursor, page, checkpoints);
        checkpoints.save(cursor);
      } catch (RuntimeException | Error e) {
        awaitQuietly(ahead);
        throw e;
      }
      if (ahead == null) {
        ReaderCursor paused = cursor.withClean(true);
        checkpoints.save(paused);
        return new Outcome(paused, false, restartReason);
      }
      try {
        page = join(ahead);
      } catch (SearchClusterException e) {
        lostHere = onReadFailure(item, kind, e, lostHere);
        restartReason = lostReason(kind, e);
        page = reopen(item, kind);
        cursor = ReaderCursor.start(kind, page.contextId());
      }
    }
  }

  /**
   * Decides about a failed read: a context lost for the first time in this call is read again from
   * the shard's start (returns true); anything else ends the call.
   */
  private static boolean onReadFailure(
      WorkItem item, Kind kind, SearchClusterException e, boolean lostBefore) {
    if (!e.contextLost() || lostBefore) {
      // A second loss in one call is no chance event: a keep-alive shorter than a page takes,
      // contexts being cleared. Whatever it is, the next call starts afresh.
      throw failure("reading " + item, e);
    }
    return true;
  }

  private static String lostReason(Kind kind, SearchClusterException e) {
    return "the "
        + describe(kind)
        + " was gone on the source (expired, cleared, or its node restarted): "
        + e.reason();
  }

  private ShardPage reopen(WorkItem item, Kind kind) {
    try {
      return open(item, kind);
    } catch (SearchClusterException e) {
      throw failure("reading " + item, e);
    }
  }

  private static ShardPage join(CompletableFuture<ShardPage> ahead) {
    try {
      return ahead.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * Waits for a page read ahead that will not be written, so no request of this call is still
   * running when it returns; its scroll position is covered by the cursor saved not clean.
   */
  private static void awaitQuietly(CompletableFuture<ShardPage> ahead) {
    if (ahead == null) {
      return;
    }
    try {
      ahead.join();
    } catch (RuntimeException e) {
      // The call is failing already; this read's outcome changes nothing.
    }
  }

  /**
   * Frees the scroll or point in time of a cursor: when the item is cancelled, or was finished by
   * another call. A context already gone is fine.
   */
  public void abandon(ReaderCursor cursor) {
    if (cursor.finished()) {
      return;
    }
    try {
      close(cursor.kind(), cursor.contextId());
    } catch (SearchClusterException e) {
      throw failure("closing a " + describe(cursor.kind()), e);
    }
  }

  private ShardPage open(WorkItem item, Kind kind) {
    if (kind == Kind.SCROLL) {
      return source.openScroll(
          item.sourceIndex(), item.shard(), item.query(), options.pageSize(), options.keepAlive());
    }
    // One point in time per shard: a point in time of the whole index would hold a context on
    // every shard for each of the index's items, shards squared in all.
    String pitId = source.openPointInTime(item.sourceIndex(), item.shard(), options.keepAlive());
    try {
      return source.pointInTimePage(
          pitId, 0, 1, item.query(), null, options.pageSize(), options.keepAlive());
    } catch (RuntimeException e) {
      closeQuietly(kind, pitId);
      throw e;
    }
  }

  private ShardPage next(WorkItem item, Kind kind, String contextId, String searchAfterJson) {
    if (kind == Kind.SCROLL) {
      return source.nextScroll(contextId, options.keepAlive());
    }
    return source.pointInTimePage(
        contextId, 0, 1, item.query(), searchAfterJson, options.pageSize(), options.keepAlive());
  }

  /** Writes one page and returns the cursor after it; refused documents are reported first. */
  private ReaderCursor write(
      WorkItem item, ReaderCursor cursor, ShardPage page, Checkpoints checkpoints) {
    List<RefusedDocument> refused = new ArrayList<>();
    List<BulkWrite> pending = new ArrayList<>();
    for (SourceDocument document : page.documents()) {
      if (document.sourceJson() == null) {
        refused.add(
            new RefusedDocument(
                item.sourceIndex(),
                document.id(),
                0,
                "source_missing",
                "the source index does not store _source; there is nothing to copy"));
      } else {
        pending.add(
            BulkWrite.index(
                document.id(), document.routing(), document.sourceJson(), document.version()));
      }
    }
    long written = 0;
    long conflicts = 0;
    String lastFailure = null;
    for (int attempt = 1; !pending.isEmpty(); attempt++) {
      if (attempt > 1) {
        backoff(attempt - 1);
      }
      List<BulkWrite> again = new ArrayList<>();
      for (int from = 0; from < pending.size(); ) {
        List<BulkWrite> chunk =
            pending.subList(from, Math.min(pending.size(), from + window.size()));
        from += chunk.size();
        List<BulkItemResult> results;
        try {
          results = destination.bulk(item.destinationIndex(), chunk);
        } catch (SearchClusterException e) {
          if (!e.isRetryable()) {
            throw failure("writing to '" + item.destinationIndex() + "'", e);
          }
          // Sending the same documents again is harmless: an external version at least as high
          // as the one already there is accepted again and changes nothing.
          window.throttled();
          lastFailure = e.getMessage();
          again.addAll(chunk);
          continue;
        }
        if (results.size() != chunk.size()) {
          throw new RetryableMigrationException(
              "bulk into '"
                  + item.destinationIndex()
                  + "' answered "
                  + results.size()
                  + " items for "
                  + chunk.size());
        }
        boolean throttled = false;
        for (int i = 0; i < results.size(); i++) {
          BulkItemResult result = results.get(i);
          if (result.succeeded()) {
            written++;
          } else if (result.versionConflict()) {
            conflicts++;
          } else if (result.retryable()) {
            throttled = true;
            again.add(chunk.get(i));
            lastFailure = result.status() + " " + result.errorType() + ": " + result.reason();
          } else {
            refused.add(
                new RefusedDocument(
                    item.destinationIndex(),
                    chunk.get(i).id(),
                    result.status(),
                    result.errorType(),
                    result.reason()));
          }
        }
        if (throttled) {
          window.throttled();
        } else {
          window.clean();
        }
      }
      if (!again.isEmpty() && attempt >= options.maxBulkAttempts()) {
        // Nothing of this page is reported or saved: the next call reads it again and gives every
        // document of it one outcome.
        throw new RetryableMigrationException(
            again.size()
                + " documents of "
                + item
                + " were still refused for now after "
                + attempt
                + " attempts; last: "
                + lastFailure);
      }
      pending = again;
    }
    if (!refused.isEmpty()) {
      checkpoints.refused(List.copyOf(refused));
    }
    return cursor.afterPage(
        page.contextId(),
        cursor.kind() == Kind.POINT_IN_TIME ? page.lastSortJson() : null,
        page.documents().size(),
        written,
        conflicts,
        refused.size());
  }

  /** Full jitter: a wait between zero and a ceiling doubling per attempt, up to backoffMax. */
  private void backoff(int failedAttempts) {
    long base = options.backoffBase().toMillis();
    long ceiling =
        Math.min(
            options.backoffMax().toMillis(),
            failedAttempts >= 31 ? Long.MAX_VALUE : base << (failedAttempts - 1));
    Duration wait = Duration.ofMillis(ceiling <= 0 ? 0 : random.nextLong(ceiling + 1));
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableMigrationException("interrupted while backing off", e);
    }
  }

  private void close(Kind kind, String contextId) {
    if (contextId == null) {
      return;
    }
    if (kind == Kind.SCROLL) {
      source.clearScroll(contextId);
    } else {
      source.closePointInTime(contextId);
    }
  }

  /** Closes a context the copy no longer needs; one left open expires after the keep-alive. */
  private void closeQuietly(Kind kind, String contextId) {
    try {
      close(kind, contextId);
    } catch (RuntimeException e) {
      // Only resources are at stake, and only until the keep-alive runs out.
    }
  }

  private void abandonQuietly(ReaderCursor cursor) {
    if (!cursor.finished()) {
      closeQuietly(cursor.kind(), cursor.contextId());
    }
  }

  private static RuntimeException failure(String what, SearchClusterException e) {
    String message = what + " failed: " + e.getMessage();
    return e.isRetryable() || e.contextLost()
        ? new RetryableMigrationException(message, e)
        : new MigrationFailedException(message, e);
  }

  private static String describe(Kind kind) {
    return kind == Kind.SCROLL ? "scroll" : "point in time";
  }
}
