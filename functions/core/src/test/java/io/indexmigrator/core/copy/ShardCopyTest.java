package io.indexmigrator.core.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.copy.ReaderCursor.Kind;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.search.ShardPages.SourceDocument;
import io.indexmigrator.core.state.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ShardCopy} against a source that behaves like a real one where it matters ({@link
 * FakeShardPages}: a scroll only moves forward, ids change between pages, contexts vanish) and an
 * in-memory destination with external versions.
 */
// A copy that never reaches the end of a shard (a cursor that does not advance) hangs otherwise.
@Timeout(30)
class ShardCopyTest {
  private static final String SOURCE = "records-v1";
  private static final String DEST = "records-v2";
  private static final int DOCS = 95;
  private static final int PAGE = 10;
  private static final Duration HOUR = Duration.ofHours(1);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<Duration> waits = new ArrayList<>();
  private final FakeShardPages source = new FakeShardPages();
  private final InMemorySearchCluster destination = new InMemorySearchCluster();
  private final RecordingCheckpoints checkpoints = new RecordingCheckpoints();
  private ShardCopy copy;

  private static final WorkItem SCROLL_ITEM = new WorkItem(SOURCE, 2, 4, DEST, false);
  private static final WorkItem PIT_ITEM = new WorkItem(SOURCE, 2, 4, DEST, true);

  /** Saves what the copy saves; can be made to die after a number of saves. */
  static final class RecordingCheckpoints implements Checkpoints {
    final List<ReaderCursor> saved = new ArrayList<>();
    final List<RefusedDocument> refused = new ArrayList<>();
    int dieAfterSaves = Integer.MAX_VALUE;

    @Override
    public void save(ReaderCursor cursor) {
      if (saved.size() >= dieAfterSaves) {
        throw new IllegalStateException("process died");
      }
      // Through the text form, as the state store keeps it.
      saved.add(ReaderCursor.fromJson(cursor.toJson()));
    }

    @Override
    public void refused(List<RefusedDocument> documents) {
      refused.addAll(documents);
    }

    Optional<ReaderCursor> last() {
      return saved.isEmpty() ? Optional.empty() : Optional.of(saved.getLast());
    }
  }

  @BeforeEach
  void setUp() {
    destination.withIndex(DEST, 1, null);
    source.withDocuments(SOURCE, 2, documents(DOCS));
    // Another shard's documents must never be read for this item.
    source.withDocuments(SOURCE, 1, List.of(new SourceDocument("other", null, 1, "{}")));
    copy = withOptions(new ShardCopy.Options(PAGE, Duration.ofMinutes(20), 4, ms(100), ms(350)));
  }

  private ShardCopy withOptions(ShardCopy.Options options) {
    // Read-ahead on the calling thread: the next page is read just before this one is written,
    // which leaves a scroll where a concurrent read-ahead leaves it, in a fixed order.
    return new ShardCopy(
        source, destination, options, clock, waits::add, maxJitter(), Runnable::run);
  }

  /** d0..d(n-1); every third with custom routing, versions 1..7. */
  private static List<SourceDocument> documents(int n) {
    return IntStream.range(0, n)
        .mapToObj(
            i ->
                new SourceDocument(
                    "d" + i, i % 3 == 0 ? "r" + (i % 5) : null, 1 + i % 7, "{\"n\":" + i + "}"))
        .toList();
  }

  /** Every document of the shard is in the destination with its source, version and routing. */
  private void assertCopiedExactly() {
    List<SourceDocument> expected = documents(DOCS);
    assertThat(destination.ids(DEST))
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(SourceDocument::id).toList());
    for (SourceDocument doc : expected) {
      assertThat(destination.document(DEST, doc.id())).as(doc.id()).isEqualTo(doc.sourceJson());
      assertThat(destination.version(DEST, doc.id())).as(doc.id()).isEqualTo(doc.version());
      assertThat(destination.routing(DEST, doc.id())).as(doc.id()).isEqualTo(doc.routing());
    }
  }

  private static void assertCountsOnePass(ReaderCursor cursor) {
    assertThat(cursor.read()).isEqualTo(DOCS);
    assertThat(cursor.written() + cursor.versionConflicts() + cursor.refused()).isEqualTo(DOCS);
    assertThat(cursor.pages()).isEqualTo((DOCS + PAGE - 1) / PAGE);
  }

  private Outcome runToEnd(WorkItem item, Optional<ReaderCursor> from, Duration budget) {
    Outcome outcome = copy.work(item, from, budget, checkpoints);
    for (int calls = 1; !outcome.finished(); calls++) {
      assertThat(calls).as("calls until finished").isLessThan(200);
      outcome = copy.work(item, Optional.of(outcome.cursor()), budget, checkpoints);
    }
    return outcome;
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  /** Always draws the top of the range asked for: waits are then the ceilings themselves. */
  private static RandomGenerator maxJitter() {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return Long.MAX_VALUE;
      }

      @Override
      public long nextLong(long bound) {
        return bound - 1;
      }
    };
  }

  // --- whole copies ---------------------------------------------------------------------------

  @Test
  void scroll_copiesTheShardExactly_andClosesItsScroll() {
    Outcome outcome = copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints);

    assertThat(outcome.finished()).isTrue();
    assertThat(outcome.restartReason()).isNull();
    assertThat(outcome.cursor().finished()).isTrue();
    assertThat(outcome.cursor().kind()).isEqualTo(Kind.SCROLL);
    assertCountsOnePass(outcome.cursor());
    assertThat(outcome.cursor().written()).isEqualTo(DOCS);
    assertCopiedExactly();
    assertThat(destination.document(DEST, "other")).isNull();
    assertThat(source.openContexts()).isZero();
    assertThat(checkpoints.saved.getLast()).isEqualTo(outcome.cursor());
    assertThat(source.calls()).doesNotContain("openPointInTime");
  }

  @Test
  void pointInTime_copiesTheShardExactly_andClosesIt() {
    Outcome outcome = copy.work(PIT_ITEM, Optional.empty(), HOUR, checkpoints);

    assertThat(outcome.finished()).isTrue();
    assertThat(outcome.cursor().kind()).isEqualTo(Kind.POINT_IN_TIME);
    assertCountsOnePass(outcome.cursor());
    assertCopiedExactly();
    assertThat(source.openContexts()).isZero();
    assertThat(source.calls()).doesNotContain("openScroll");
  }

  @Test
  void everyPageIsSavedAfterItIsWritten_notClean() {
    copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints);

    List<ReaderCursor> pages = checkpoints.saved.subList(0, checkpoints.saved.size() - 1);
    assertThat(pages).hasSize(10).noneMatch(ReaderCursor::clean);
    assertThat(pages)
        .extracting(ReaderCursor::pages)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(pages.get(3).written()).isEqualTo(40);
  }

  @Test
  void anEmptyShard_finishesAtOnce() {
    WorkItem empty = new WorkItem(SOURCE, 3, 4, DEST, false);

    Outcome outcome = copy.work(empty, Optional.empty(), HOUR, checkpoints);

    assertThat(outcome.finished()).isTrue();
    assertThat(outcome.cursor().read()).isZero();
    assertThat(source.openContexts()).isZero();
  }

  @Test
  void aFinishedCursor_doesNothing() {
    ReaderCursor done = copy.work(PIT_ITEM, Optional.empty(), HOUR, checkpoints).cursor();
    int callsBefore = source.calls().size();

    Outcome again = copy.work(PIT_ITEM, Optional.of(done), HOUR, checkpoints);

    assertThat(again.finished()).isTrue();
    assertThat(again.cursor()).isEqualTo(done);
    assertThat(source.calls()).hasSize(callsBefore);
  }

  // --- budget ---------------------------------------------------------------------------------

  @Test
  void aSpentBudget_stopsBeforeTheNextPage_withACleanCursor() {
    source.on("openScroll", id -> clock.advance(Duration.ofSeconds(1)));
    source.on("nextScroll", id -> clock.advance(Duration.ofSeconds(1)));

    // 3.5 s with pages of 1 s: after three, 0.5 s is left, less than a page takes.
    Outcome first = copy.work(SCROLL_ITEM, Optional.empty(), ms(3500), checkpoints);

    assertThat(first.finished()).isFalse();
    assertThat(first.cursor().clean()).isTrue();
    assertThat(first.cursor().pages()).isEqualTo(3);
    assertThat(first.cursor().read()).isEqualTo(30);
    assertThat(checkpoints.saved.getLast()).isEqualTo(first.cursor());
    assertThat(destination.ids(DEST)).hasSize(30);
  }

  @Test
  void aCleanScrollCursor_continuesTheSameScroll_acrossManyCalls() {
    source.on("nextScroll", id -> clock.advance(Duration.ofSeconds(1)));

    Outcome outcome = runToEnd(SCROLL_ITEM, Optional.empty(), ms(1500));

    assertThat(source.opened()).isEqualTo(1);
    assertThat(outcome.restartReason()).isNull();
    assertCountsOnePass(outcome.cursor());
    assertCopiedExactly();
  }

  @Test
  void evenANoBudget_readsOnePagePerCall() {
    Outcome first = copy.work(PIT_ITEM, Optional.empty(), Duration.ZERO, checkpoints);
    Outcome second = copy.work(PIT_ITEM, Optional.of(first.cursor()), Duration.ZERO, checkpoints);

    assertThat(first.cursor().pages()).isEqualTo(1);
    assertThat(second.cursor().pages()).isEqualTo(2);
    assertThat(runToEnd(PIT_ITEM, Optional.of(second.cursor()), Duration.ZERO).cursor().read())
        .isEqualTo(DOCS);
    assertCopiedExactly();
  }

  // --- crashes and resumption ----------------------------------------------------------------

  @Test
  void aScrollCursorNotClean_restartsTheItem_andCountsOnePass() {
    checkpoints.dieAfterSaves = 4;
    assertThatThrownBy(() -> copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints))
        .hasMessage("process died");
    ReaderCursor lastSaved = checkpoints.last().orElseThrow();
    assertThat(lastSaved.clean()).isFalse();
    checkpoints.dieAfterSaves = Integer.MAX_VALUE;

    Outcome outcome = copy.work(SCROLL_ITEM, Optional.of(lastSaved), HOUR, checkpoints);

    assertThat(outcome.restartReason()).contains("clean checkpoint");
    assertThat(source.opened()).isEqualTo(2);
    assertCountsOnePass(outcome.cursor());
    assertCopiedExactly();
    // The old scroll was cleared, not left to expire.
    assertThat(source.openContexts()).isZero();
  }

  @Test
  void aScrollAnswerLostAfterACleanResume_isNotSkipped() {
    Outcome first = copy.work(SCROLL_ITEM, Optional.empty(), Duration.ZERO, checkpoints);
    assertThat(first.cursor().clean()).isTrue();
    source.loseNextAnswerOf("nextScroll");

    // The scroll moved past page 2 but the page never arrived.
    assertThatThrownBy(() -> copy.work(SCROLL_ITEM, Optional.of(first.cursor()), HOUR, checkpoints))
        .isInstanceOf(RetryableMigrationException.class);
    ReaderCursor stored = checkpoints.last().orElseThrow();
    assertThat(stored.clean()).as("marked used before the scroll moved").isFalse();

    Outcome outcome = copy.work(SCROLL_ITEM, Optional.of(stored), HOUR, checkpoints);

    assertThat(outcome.restartReason()).isNotNull();
    assertCountsOnePass(outcome.cursor());
    assertCopiedExactly();
  }

  @Test
  void theFake_reallySkipsAPage_whenALostScrollAnswerIsContinued() {
    // Guards the test above: were the copy to continue the clean cursor, ten documents would be
    // missing, so that test can fail.
    var first = source.openScroll(SOURCE, 2, PAGE, HOUR);
    source.loseNextAnswerOf("nextScroll");
    catchThrowableOfType(
        SearchClusterException.class, () -> source.nextScroll(first.contextId(), HOUR));
    // The lost call changed the scroll's id; the engine still knows its context.
    String latest = source.idsUsed().getLast().replaceAll("\\.\\d+$", ".2");

    var third = source.nextScroll(latest, HOUR);

    assertThat(third.documents().getFirst().id()).isEqualTo("d20");
  }

  @Test
  void aPointInTimeCursor_resumesExactlyAfterACrash_cleanOrNot() {
    checkpoints.dieAfterSaves = 4;
    assertThatThrownBy(() -> copy.work(PIT_ITEM, Optional.empty(), HOUR, checkpoints))
        .hasMessage("process died");
    ReaderCursor lastSaved = checkpoints.last().orElseThrow();
    assertThat(lastSaved.clean()).isFalse();
    assertThat(lastSaved.searchAfterJson()).isEqualTo("[39]");
    checkpoints.dieAfterSaves = Integer.MAX_VALUE;

    Outcome outcome = copy.work(PIT_ITEM, Optional.of(lastSaved), HOUR, checkpoints);

    assertThat(outcome.restartReason()).isNull();
    assertThat(source.opened()).isEqualTo(1);
    assertCountsOnePass(outcome.cursor());
    assertCopiedExactly();
  }

  @Test
  void aPointInTimePage_lostOnTheWay_isAskedForAgainNextCall() {
    Outcome first = copy.work(PIT_ITEM, Optional.empty(), Duration.ZERO, checkpoints);
    source.loseNextAnswerOf("pointInTimePage");
    assertThatThrownBy(() -> copy.work(PIT_ITEM, Optional.of(first.cursor()), HOUR, checkpoints))
        .isInstanceOf(RetryableMigrationException.class);

    Outcome outcome = runToEnd(PIT_ITEM, checkpoints.last(), HOUR);

    assertThat(outcome.restartReason()).isNull();
    assertCountsOnePass(outcome.cursor());
    assertCopiedExactly();
  }

  @Test
  void theLatestPointInTimeId_isAlwaysSent() {
    copy.work(PIT_ITEM, Optional.empty(), HOUR, checkpoints);

    List<String> used = source.idsUsed();
    // pit-1.0 from opening, then each page's answer: pit-1.1, pit-1.2, ...
    for (int i = 0; i < 11; i++) {
      assertThat(used.get(i)).isEqualTo("pit-1." + i);
    }
  }

  @Test
  void aScrollGoneBetweenCalls_restartsTheItem() {
    Outcome first = copy.work(SCROLL_ITEM, Optional.empty(), Duration.ZERO, checkpoints);
    source.killContexts();

    Outcome outcome = runToEnd(SCROLL_ITEM, Optional.of(first.cursor()), HOUR);

    assertThat(outcome.restartReason()).contains("gone on the source");
    assertCountsOnePass(outcome.cursor());
    assertCopiedExactly();
  }

  @Test
  void aPointInTimeGoneMidCall_restartsTheItemWithANewOne() {
    source.on(
        "pointInTimePage",
        id -> {
          if (id.equals("pit-1.5")) {
            source.killContexts();
          }
        });

    Outcome outcome = copy.work(PIT_ITEM, Optional.empty(), HOUR, checkpoints);

    assertThat(outcome.finished()).isTrue();
    assertThat(outcome.restartReason()).contains("point in time was gone");
    assertThat(source.opened()).isEqualTo(2);
    assertCountsOnePass(outcome.cursor());
    assertCopiedExactly();
  }

  @Test
  void aContextLostAgain_inTheSameCall_isLeftToTheNextCall() {
    source.on("pointInTimePage", id -> source.killContexts());

    assertThatThrownBy(() -> copy.work(PIT_ITEM, Optional.empty(), HOUR, checkpoints))
        .isInstanceOf(RetryableMigrationException.class);
  }

  @Test
  void aCursorOfTheOtherKind_restartsTheItem() {
    Outcome scrolled = copy.work(SCROLL_ITEM, Optional.empty(), Duration.ZERO, checkpoints);

    Outcome outcome = runToEnd(PIT_ITEM, Optional.of(scrolled.cursor()), HOUR);

    assertThat(outcome.restartReason()).contains("point in time").contains("scroll");
    assertThat(outcome.cursor().kind()).isEqualTo(Kind.POINT_IN_TIME);
    assertCountsOnePass(outcome.cursor());
    assertThat(source.openContexts()).isZero();
  }

  @Test
  void abandon_closesTheContext() {
    Outcome scrolled = copy.work(SCROLL_ITEM, Optional.empty(), Duration.ZERO, checkpoints);
    Outcome pit = copy.work(PIT_ITEM, Optional.empty(), Duration.ZERO, checkpoints);
    assertThat(source.openContexts()).isEqualTo(2);

    copy.abandon(scrolled.cursor());
    copy.abandon(pit.cursor());
    copy.abandon(pit.cursor());

    assertThat(source.openContexts()).isZero();
  }

  // --- read-ahead -----------------------------------------------------------------------------

  @Test
  void theNextPage_isReadWhileThisOneIsWritten() throws Exception {
    java.util.concurrent.CountDownLatch secondReadBegun =
        new java.util.concurrent.CountDownLatch(1);
    source.on("nextScroll", id -> secondReadBegun.countDown());
    List<Boolean> readBeganBeforeWriteEnded = new ArrayList<>();
    io.indexmigrator.core.search.BulkWrites waiting =
        (index, writes) -> {
          if (readBeganBeforeWriteEnded.isEmpty()) {
            try {
              // The first page's write holds until the second page's read has begun elsewhere.
              readBeganBeforeWriteEnded.add(
                  secondReadBegun.await(10, java.util.concurrent.TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
          return destination.bulk(index, writes);
        };
    var executor = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      copy =
          new ShardCopy(
              source,
              waiting,
              new ShardCopy.Options(PAGE, HOUR, 4, ms(100), ms(350)),
              clock,
              waits::add,
              maxJitter(),
              executor);

      Outcome outcome = copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints);

      assertThat(readBeganBeforeWriteEnded).containsExactly(true);
      assertThat(outcome.finished()).isTrue();
      assertCountsOnePass(outcome.cursor());
      assertCopiedExactly();
      assertThat(checkpoints.saved.subList(0, checkpoints.saved.size() - 1))
          .as("a cursor saved while a page is read ahead is never clean")
          .noneMatch(ReaderCursor::clean);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void aWriteFailing_waitsForThePageReadAhead_andLeavesTheCursorNotClean() throws Exception {
    List<String> readsFinished = java.util.Collections.synchronizedList(new ArrayList<>());
    source.on(
        "nextScroll",
        id -> {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          readsFinished.add(id);
        });
    destination.failingWritesOf(DEST, "d14", 100, 429, "es_rejected_execution_exception", "full");
    var executor = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      copy =
          new ShardCopy(
              source,
              destination,
              new ShardCopy.Options(PAGE, HOUR, 2, ms(0), ms(0)),
              clock,
              waits::add,
              maxJitter(),
              executor);

      assertThatThrownBy(() -> copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints))
          .isInstanceOf(RetryableMigrationException.class);

      assertThat(readsFinished).as("no read of the call still running").hasSize(2);
      assertThat(checkpoints.last().orElseThrow().clean()).isFalse();
      assertThat(checkpoints.last().orElseThrow().pages()).isEqualTo(1);
    } finally {
      executor.shutdownNow();
    }
  }

  // --- writes ---------------------------------------------------------------------------------

  @Test
  void throttledAndFailedItems_alone_areSentAgain_withJitteredBackoff() {
    destination.failingWritesOf(
        DEST, "d3", 2, 429, "es_rejected_execution_exception", "queue full");
    destination.failingWritesOf(DEST, "d5", 1, 503, "unavailable_shards_exception", "primary");

    Outcome outcome = copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints);

    assertThat(destination.bulkRequests().subList(0, 3))
        .containsExactly(
            List.of("d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9"),
            List.of("d3", "d5"),
            List.of("d3"));
    // Ceilings 100 ms, then 200 ms; maxJitter draws the top of each range.
    assertThat(waits).containsExactly(ms(100), ms(200));
    assertThat(outcome.cursor().written()).isEqualTo(DOCS);
    assertCopiedExactly();
  }

  @Test
  void aDestinationThrottlingLargeBulks_getsSmallerOnes_andTheShardIsCopied() {
    // Resending the same 10 documents would be refused on every attempt and fail the item.
    destination.throttlingBulksOver(3);

    Outcome outcome = copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints);

    assertThat(outcome.cursor().written()).isEqualTo(DOCS);
    assertCopiedExactly();
    List<Integer> sizes = destination.bulkRequests().stream().map(List::size).toList();
    assertThat(sizes.subList(0, 4))
        .as("halved after each throttled request")
        .containsExactly(10, 5, 2, 3);
    assertThat(sizes).as("never below a sixteenth of a page").allMatch(n -> n >= 1);
    long throttled = sizes.stream().filter(n -> n > 3).count();
    assertThat(throttled)
        .as("after the first page, a probe above what the destination takes now and then")
        .isLessThan(sizes.size() / 2);
  }

  @Test
  void theWindowGrowsBack_toAWholePage_onceTheDestinationTakesItAgain() {
    destination.throttlingBulksOver(3);
    copy.work(SCROLL_ITEM, Optional.empty(), Duration.ZERO, checkpoints);
    destination.throttlingBulksOver(Integer.MAX_VALUE);
    int before = destination.bulkRequests().size();

    copy.work(SCROLL_ITEM, checkpoints.last(), HOUR, checkpoints);

    List<Integer> later =
        destination.bulkRequests().subList(before, destination.bulkRequests().size()).stream()
            .map(List::size)
            .toList();
    assertThat(later).contains(PAGE);
    assertCopiedExactly();
  }

  @Test
  void backoff_isFullJitter_cappedAtTheMaximum() {
    List<Long> bounds = new ArrayList<>();
    RandomGenerator recording =
        new RandomGenerator() {
          @Override
          public long nextLong() {
            return 0;
          }

          @Override
          public long nextLong(long bound) {
            bounds.add(bound);
            return 0;
          }
        };
    copy =
        new ShardCopy(
            source,
            destination,
            new ShardCopy.Options(PAGE, HOUR, 6, ms(100), ms(350)),
            clock,
            waits::add,
            recording,
            Runnable::run);
    destination.failingWritesOf(DEST, "d1", 5, 429, "es_rejected_execution_exception", "busy");

    copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints);

    // Draws from [0, ceiling]: 100, 200, 350 (capped), 350.
    assertThat(bounds).containsExactly(101L, 201L, 351L, 351L, 351L);
    assertThat(waits).hasSize(5).allMatch(Duration.ZERO::equals);
  }

  @Test
  void itemsStillThrottledAfterTheLastAttempt_failRetryably_withThePageNotSaved() {
    destination.failingWritesOf(DEST, "d14", 100, 429, "es_rejected_execution_exception", "full");

    RetryableMigrationException e =
        catchThrowableOfType(
            RetryableMigrationException.class,
            () -> copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints));

    assertThat(e).hasMessageContaining("1 documents").hasMessageContaining("4 attempts");
    assertThat(e.getMessage()).contains("es_rejected_execution_exception");
    assertThat(waits).hasSize(3);
    assertThat(checkpoints.last().orElseThrow().pages()).isEqualTo(1);
    assertThat(checkpoints.refused).isEmpty();
  }

  @Test
  void aWholeBulkRequestFailingRetryably_isSentAgain() {
    int[] bulks = {0};
    destination.on(
        "bulk",
        () -> {
          if (bulks[0]++ == 2) {
            throw new SearchClusterException("bulk", 503, "cluster_block_exception", "recovering");
          }
        });

    Outcome outcome = copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints);

    assertThat(waits).hasSize(1);
    assertThat(outcome.cursor().written()).isEqualTo(DOCS);
    assertCopiedExactly();
  }

  @Test
  void aBulkRequestRefusedOutright_failsTheItem() {
    destination.on(
        "bulk",
        () -> {
          throw new SearchClusterException("bulk", 413, "http_413", "request entity too large");
        });

    assertThatThrownBy(() -> copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("413");
  }

  @Test
  void refusedDocuments_areReportedWithTheirReason_andTheRestIsCopied() {
    destination.failingWritesOf(
        DEST, "d7", 1, 400, "mapper_parsing_exception", "failed to parse field [n] of type [long]");

    Outcome outcome = copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints);

    assertThat(checkpoints.refused)
        .containsExactly(
            new RefusedDocument(
                DEST,
                "d7",
                400,
                "mapper_parsing_exception",
                "failed to parse field [n] of type [long]"));
    assertThat(outcome.cursor().refused()).isEqualTo(1);
    assertThat(outcome.cursor().written()).isEqualTo(DOCS - 1);
    assertThat(destination.document(DEST, "d7")).isNull();
    assertThat(destination.ids(DEST)).hasSize(DOCS - 1);
    assertThat(waits).isEmpty();
  }

  @Test
  void aDocumentWithoutSource_isReported_notWrittenEmpty() {
    source.withDocuments(SOURCE, 0, List.of(new SourceDocument("bare", null, 3, null)));

    Outcome outcome =
        copy.work(new WorkItem(SOURCE, 0, 4, DEST, true), Optional.empty(), HOUR, checkpoints);

    assertThat(checkpoints.refused)
        .extracting(RefusedDocument::errorType)
        .containsExactly("source_missing");
    assertThat(outcome.cursor().refused()).isEqualTo(1);
    assertThat(destination.document(DEST, "bare")).isNull();
  }

  @Test
  void aNewerVersionInTheDestination_isKept_andCountsAsAConflict() {
    destination.bulk(
        DEST,
        List.of(
            io.indexmigrator.core.search.SearchCluster.BulkWrite.index(
                "d4", null, "{\"synced\":true}", 50L)));

    Outcome outcome = copy.work(PIT_ITEM, Optional.empty(), HOUR, checkpoints);

    assertThat(destination.document(DEST, "d4")).isEqualTo("{\"synced\":true}");
    assertThat(destination.version(DEST, "d4")).isEqualTo(50);
    assertThat(outcome.cursor().versionConflicts()).isEqualTo(1);
    assertThat(outcome.cursor().written()).isEqualTo(DOCS - 1);
    assertThat(checkpoints.refused).isEmpty();
  }

  @Test
  void aSourceErrorThatWillNotPass_failsTheItem_oneThatMay_isRetryable() {
    source.on(
        "openScroll",
        id -> {
          throw new SearchClusterException(
              "open", 404, "index_not_found_exception", "no such index");
        });
    assertThatThrownBy(() -> copy.work(SCROLL_ITEM, Optional.empty(), HOUR, checkpoints))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("index_not_found_exception");

    source.on(
        "openPointInTime",
        id -> {
          throw new SearchClusterException("open", 429, "too_many_pits", "300 open");
        });
    assertThatThrownBy(() -> copy.work(PIT_ITEM, Optional.empty(), HOUR, checkpoints))
        .isInstanceOf(RetryableMigrationException.class);
  }
}
