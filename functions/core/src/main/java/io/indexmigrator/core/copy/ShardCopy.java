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

  public ShardCopy(
      ShardPages source,
      BulkWrites destination,
      Options options,
      Clock clock,
      Sleeper sleeper,
      RandomGenerator random) {
    this.source = Objects.requireNonNull(source, "source");
    this.destination = Objects.requireNonNull(destination, "destination");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Copies pages of {@code item} until the shard ends or {@code budget} is spent, saving the cursor
   * through {@code checkpoints} after every page.
   *
   * <p>At least one page is read per call, however small the budget, so repeated calls always
   * progress. Once a page has taken its time, no further page is started unless the budget left is
   * more than the slowest page of this call took.
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
    int pagesHere = 0;
    Duration slowest = Duration.ZERO;
    while (true) {
      Instant pageStart = clock.instant();
      if (pagesHere > 0 && Duration.between(pageStart, deadline).compareTo(slowest) <= 0) {
        ReaderCursor paused = cursor.withClean(true);
        checkpoints.save(paused);
        return new Outcome(paused, false, restartReason);
      }
      ShardPage page;
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
          page = next(item, cursor);
        }
      } catch (SearchClusterException e) {
        if (!e.contextLost() || lostHere) {
          // A second loss in one call is no chance event: a keep-alive shorter than a page takes,
          // contexts being cleared. Whatever it is, the next call starts afresh.
          throw failure("reading " + item, e);
        }
        lostHere = true;
        restartReason =
            "the "
                + describe(kind)
                + " was gone on the source (expired, cleared, or its node restarted): "
                + e.reason();
        cursor = null;
        continue;
      }
      if (page.isEmpty()) {
        ReaderCursor done = cursor.closed();
        // Saved before closing: should closing fail or this process die now, the item stays done
        // and the context expires on its own.
        checkpoints.save(done);
        closeQuietly(kind, page.contextId());
        return new Outcome(done, true, restartReason);
      }
      cursor = write(item, cursor, page, checkpoints);
      checkpoints.save(cursor);
      pagesHere++;
      Duration took = Duration.between(pageStart, clock.instant());
      if (took.compareTo(slowest) > 0) {
        slowest = took;
      }
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
          item.sourceIndex(), item.shard(), options.pageSize(), options.keepAlive());
    }
    // One point in time per shard: a point in time of the whole index would hold a context on
    // every shard for each of the index's items, shards squared in all.
    String pitId = source.openPointInTime(item.sourceIndex(), item.shard(), options.keepAlive());
    try {
      return source.pointInTimePage(pitId, 0, 1, null, options.pageSize(), options.keepAlive());
    } catch (RuntimeException e) {
      closeQuietly(kind, pitId);
      throw e;
    }
  }

  private ShardPage next(WorkItem item, ReaderCursor cursor) {
    if (cursor.kind() == Kind.SCROLL) {
      return source.nextScroll(cursor.contextId(), options.keepAlive());
    }
    return source.pointInTimePage(
        cursor.contextId(),
        0,
        1,
        cursor.searchAfterJson(),
        options.pageSize(),
        options.keepAlive());
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
      List<BulkItemResult> results;
      try {
        results = destination.bulk(item.destinationIndex(), pending);
      } catch (SearchClusterException e) {
        if (!e.isRetryable()) {
          throw failure("writing to '" + item.destinationIndex() + "'", e);
        }
        // Sending the same documents again is harmless: an external version at least as high as
        // the one already there is accepted again and changes nothing.
        results = null;
        lastFailure = e.getMessage();
        again = pending;
      }
      if (results != null) {
        if (results.size() != pending.size()) {
          throw new RetryableMigrationException(
              "bulk into '"
                  + item.destinationIndex()
                  + "' answered "
                  + results.size()
                  + " items for "
                  + pending.size());
        }
        for (int i = 0; i < results.size(); i++) {
          BulkItemResult result = results.get(i);
          if (result.succeeded()) {
            written++;
          } else if (result.versionConflict()) {
            conflicts++;
          } else if (result.retryable()) {
            again.add(pending.get(i));
            lastFailure = result.status() + " " + result.errorType() + ": " + result.reason();
          } else {
            refused.add(
                new RefusedDocument(
                    item.destinationIndex(),
                    pending.get(i).id(),
                    result.status(),
                    result.errorType(),
                    result.reason()));
          }
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
