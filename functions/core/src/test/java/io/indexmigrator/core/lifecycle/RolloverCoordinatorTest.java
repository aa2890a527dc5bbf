package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.MutableClock;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.state.RolloverRecord;
import io.indexmigrator.core.sync.SyncApplier;
import io.indexmigrator.core.sync.SyncControl;
import io.indexmigrator.core.sync.poll.InMemoryPollCheckpoints;
import io.indexmigrator.core.verify.Verifier;
import io.indexmigrator.events.ChangeEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RolloverCoordinatorTest {
  private static final RolloverCoordinator.Timing FAST =
      new RolloverCoordinator.Timing(
          Duration.ofMillis(1), Duration.ofMillis(300), Duration.ofMillis(300));

  private final List<java.util.function.Consumer<RolloverRecord>> beforeSaveRollover =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** The state table; a test may act just before a rollover record is written. */
  private final InMemoryStateStore store =
      new InMemoryStateStore() {
        @Override
        public RolloverRecord saveRollover(RolloverRecord rollover) {
          beforeSaveRollover.forEach(hook -> hook.accept(rollover));
          return super.saveRollover(rollover);
        }
      };

  private final InMemorySearchCluster cluster = new InMemorySearchCluster();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

  /** What the rollover had recorded, and where the alias pointed, each time it read the queue. */
  private record QueueRead(RolloverPhase phase, String aliasTarget, long backlog) {}

  private final List<QueueRead> reads = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger batchesInFlightAfterFence = new AtomicInteger();
  private final AtomicReference<Runnable> beforeBacklog = new AtomicReference<>(() -> {});

  /** How many queue reads after the first (the check at the start) find the consumer behind. */
  private final AtomicInteger behindReads = new AtomicInteger();

  private final AtomicInteger backlogReads = new AtomicInteger();

  /** Depths the queue reads at given reads (1 is the check at the start), before any other rule. */
  private final Map<Integer, Long> scriptedBacklog = new java.util.concurrent.ConcurrentHashMap<>();

  private RecipeRef ref;

  /**
   * The sync queue as the rollover sees it: it reads empty (a stale depth), although batches may
   * still be in flight after the fence.
   */
  private final SyncControl queue =
      new SyncControl() {
        @Override
        public void enableConsumer() {}

        @Override
        public long backlog() {
          beforeBacklog.get().run();
          RolloverPhase phase = store.getRollover(ref).map(r -> r.phase()).orElse(null);
          int read = backlogReads.incrementAndGet();
          long backlog =
              scriptedBacklog.containsKey(read)
                  ? scriptedBacklog.get(read)
                  : phase == RolloverPhase.VERIFIED && batchesInFlightAfterFence.get() > 0
                      ? batchesInFlightAfterFence.getAndDecrement()
                      : read > 1 && read <= 1 + behindReads.get() ? 5_000 : 0;
          reads.add(new QueueRead(phase, aliasTarget(), backlog));
          return backlog;
        }
      };

  @BeforeEach
  void aSyncingRecipe() {
    cluster.withIndex("records-v1", 1, null).withAlias(AliasInfo.plain("records", "records-v1"));
    for (int i = 0; i < 5; i++) {
      cluster.withDocument("records-v1", "r" + i, "{\"n\":" + i + "}");
    }
    new Initializer(lifecycle())
        .init(
            new RecipeLoader()
                .parse(
                    """
                    name: r
                    indexes: [{source: records, destination: records-v2}]
                    sync: {mode: events}
                    """),
            false);
    ref = store.getRecipe("r").orElseThrow().ref();
    for (IndexRecord index : store.listIndexes(ref)) {
      store.updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
    }
    for (int i = 0; i < 5; i++) {
      cluster.withDocument("records-v2", "r" + i, "{\"n\":" + i + "}");
    }
    store.transition("r", EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
  }

  private Lifecycle lifecycle() {
    return new Lifecycle(store, cluster, cluster, clock, queue, new InMemoryPollCheckpoints());
  }

  private RolloverCoordinator coordinator() {
    // The cluster double is single-threaded: the reads that run at once in production run in turn.
    return new RolloverCoordinator(lifecycle(), 1, FAST, ConcurrentReads.IN_TURN);
  }

  private static SearchCluster serialized(SearchCluster cluster) {
    return (SearchCluster)
        java.lang.reflect.Proxy.newProxyInstance(
            SearchCluster.class.getClassLoader(),
            new Class<?>[] {SearchCluster.class},
            (proxy, method, args) -> {
              synchronized (cluster) {
                try {
                  return method.invoke(cluster, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
              }
            });
  }

  private String aliasTarget() {
    ResolvedExpression resolved;
    synchronized (cluster) {
      resolved = cluster.resolve("records");
    }
    return resolved.indexes().stream().map(i -> i.name()).reduce((a, b) -> a + "," + b).get();
  }

  private Map<String, String> documents(String index) {
    Map<String, String> docs = new TreeMap<>();
    cluster.scan(index, 0, 1, 100, d -> docs.put(d.id(), d.sourceJson()));
    return docs;
  }

  /** What every fault must leave: writes flow, readers see exactly one side, nothing held. */
  private void assertLeftSafe(String expectedAlias) {
    assertThat(cluster.writeBlocked("records-v1")).as("source write-blocked").isFalse();
    assertThat(aliasTarget()).isEqualTo(expectedAlias);
    RolloverRecord rollover = store.getRollover(ref).orElseThrow();
    assertThat(rollover.owner()).as("lease released").isNull();
    assertThat(store.listIndexes(ref)).noneMatch(IndexRecord::writeBlockSetByUs);
  }

  @Test
  void aConsumerBehindBeforeTheBlock_isWaitedFor_withoutBlocking() {
    // GIVEN the queue reads 5,000 events three times after the start check (a full comparison
    // loaded the cluster and the consumer fell behind)
    behindReads.set(3);

    RolloverReport report = coordinator().rollover("r", Verifier.Mode.COUNT);

    // THEN the rollover waited for it before blocking, then rolled over
    assertThat(report.passed()).as(report.message()).isTrue();
    List<QueueRead> behind = reads.stream().filter(r -> r.backlog() == 5_000).toList();
    assertThat(behind).hasSize(3);
    assertThat(behind).extracting(QueueRead::phase).containsOnly(RolloverPhase.PREPARING);
    assertThat(behind).extracting(QueueRead::aliasTarget).containsOnly("records-v1");
    assertLeftSafe("records-v2");
  }

  @Test
  void aConsumerThatFellBehindDuringTheCatchUp_isWaitedForAgain_beforeTheBlock() {
    // GIVEN the consumer kept up when the catch-up started (read 2) but had 1,000 events queued
    // when it ended (read 3): the passes loaded the cores
    scriptedBacklog.put(2, 0L);
    scriptedBacklog.put(3, 1_000L);
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    beforeBacklog.set(() -> order.add("backlog"));
    cluster.on("shardCheckpoints", () -> order.add("mark"));
    cluster.on("setWriteBlock", () -> order.add("block"));

    RolloverReport report = coordinator().rollover("r", Verifier.Mode.COUNT);

    // THEN it waited for the queue again and renewed its marks, all before the block: what was
    // queued at the block was the consumer's at most 200, not 1,000
    assertThat(report.passed()).as(report.message()).isTrue();
    assertThat(report.drainedBacklog()).isZero();
    List<String> beforeBlock = order.subList(0, order.indexOf("block"));
    int behind = 2; // the third backlog read, counting from 0
    int thirdRead = indexOfNth(beforeBlock, "backlog", behind);
    assertThat(thirdRead).as("the backlog read after the catch-up").isNotNegative();
    assertThat(beforeBlock.subList(thirdRead, beforeBlock.size()))
        .as("reads and marks after the behind read")
        .contains("backlog", "mark");
    assertLeftSafe("records-v2");
  }

  private static int indexOfNth(List<String> list, String value, int n) {
    int seen = -1;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).equals(value) && ++seen == n) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aConsumerThatCatchesUpSlowly_isWaitedForPastTheStallTimeout_withoutBlocking() {
    // GIVEN a queue 5,000 events deep that shrinks by 10 per read: reaching 500 takes about
    // 450 reads, far longer than the 300 ms without progress after which the wait gives up
    for (int read = 2; read <= 452; read++) {
      scriptedBacklog.put(read, 5_000L - 10L * (read - 2));
    }
    AtomicInteger blocksWhileBehind = new AtomicInteger();
    cluster.on(
        "setWriteBlock",
        () -> {
          if (backlogReads.get() < 452) {
            blocksWhileBehind.incrementAndGet();
          }
        });
    long started = System.nanoTime();

    RolloverReport report = coordinator().rollover("r", Verifier.Mode.COUNT);

    // THEN the rollover waited for as long as the queue kept shrinking, then rolled over
    assertThat(report.passed()).as(report.message()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("longer than the stall timeout")
        .isGreaterThan(FAST.drainTimeout());
    assertThat(blocksWhileBehind).as("blocks while the queue was deep").hasValue(0);
    assertLeftSafe("records-v2");
  }

  @Test
  void aConsumerThatStaysBehind_failsTheRollover_beforeAnyBlock() {
    behindReads.set(Integer.MAX_VALUE - 1);
    AtomicInteger blocks = new AtomicInteger();
    cluster.on("setWriteBlock", blocks::incrementAndGet);

    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("fell behind before the write block")
        .hasMessageContaining("5000 events still queued")
        .hasMessageContaining("no write was blocked");
    assertThat(blocks).as("write-block calls").hasValue(0);
    assertLeftSafe("records-v1");
  }

  @Test
  void rollover_shouldFenceTheConsumers_andWaitForBatchesInFlight_beforeMovingTheAlias() {
    batchesInFlightAfterFence.set(2);

    RolloverReport report = coordinator().rollover("r", Verifier.Mode.COUNT);

    assertThat(report.passed()).isTrue();
    assertThat(aliasTarget()).isEqualTo("records-v2");
    List<QueueRead> afterFence =
        reads.stream().filter(r -> r.phase() == RolloverPhase.VERIFIED).toList();
    // Read until empty after the fence was recorded, all while the alias still named the source.
    assertThat(afterFence).extracting(QueueRead::backlog).containsExactly(2L, 1L, 0L);
    assertThat(afterFence).extracting(QueueRead::aliasTarget).containsOnly("records-v1");
    assertThat(store.getRollover(ref).orElseThrow().phase()).isEqualTo(RolloverPhase.UNBLOCKED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"count", "checksum"})
  void undeliveredEvents_atTheBlock_areFoundInTheData_andNoPostSwapWriteIsUndone(String verify) {
    // A consumer that saw the recipe while it synced: its routes are cached.
    SyncApplier lateConsumer = new SyncApplier(store, cluster, cluster, clock);
    lateConsumer.apply(List.of(ChangeEvent.indexed("records-v1", "r0")));
    // GIVEN writes acknowledged just before the block whose events the queue does not show yet:
    // an update, an insert and a delete. Only the delete's event arrives, late, under the block.
    AtomicBoolean written = new AtomicBoolean();
    cluster.on(
        "setWriteBlock",
        () -> {
          if (!written.getAndSet(true)) {
            cluster.withDocument("records-v1", "r1", "{\"n\":100}");
            cluster.withDocument("records-v1", "r9", "{\"n\":9}");
            cluster.withoutDocument("records-v1", "r2");
          }
        });
    AtomicInteger countsUnderBlock = new AtomicInteger();
    cluster.on(
        "count",
        () -> {
          if (cluster.writeBlocked("records-v1") && countsUnderBlock.incrementAndGet() == 5) {
            lateConsumer.apply(List.of(ChangeEvent.deleted("records-v1", "r2")));
          }
        });

    RolloverReport report =
        coordinator().rollover("r", Verifier.Mode.valueOf(verify.toUpperCase()), "op-1");

    // THEN the destination holds exactly the source's documents, found by _seq_no, not by queue
    assertThat(report.passed()).as(report.message()).isTrue();
    assertThat(documents("records-v2")).isEqualTo(documents("records-v1"));
    assertThat(documents("records-v2")).containsEntry("r1", "{\"n\":100}").containsKey("r9");
    assertThat(aliasTarget()).isEqualTo("records-v2");
    assertLeftSafe("records-v2");

    // AND the application's first write to the destination survives the late events
    cluster.clearHooks().withDocument("records-v2", "r1", "{\"n\":200}");
    lateConsumer.apply(
        List.of(
            ChangeEvent.indexed("records-v1", "r1"),
            ChangeEvent.indexed("records-v1", "r9"),
            ChangeEvent.deleted("records-v1", "r2")));
    assertThat(cluster.document("records-v2", "r1")).isEqualTo("{\"n\":200}");
    assertThat(cluster.document("records-v2", "r9")).isEqualTo("{\"n\":9}");
  }

  @Test
  void checksum_findsADifferenceOlderThanTheMarks_andMendsItUnderTheBlock() {
    // A write whose event was lost long ago: only the full comparison before the block sees it.
    cluster.withDocument("records-v2", "r3", "{\"n\":\"stale\"}");

    RolloverReport report = coordinator().rollover("r", Verifier.Mode.CHECKSUM);

    assertThat(report.passed()).as(report.message()).isTrue();
    assertThat(documents("records-v2")).isEqualTo(documents("records-v1"));
  }

  @Test
  void withSeveralIndexes_everyLastMarkIsTakenAfterEveryFullComparison() {
    // GIVEN a recipe of two indexes, each with a difference only the full comparison finds
    for (String name : List.of("papers", "people")) {
      cluster.withIndex(name + "-v1", 1, null).withAlias(AliasInfo.plain(name, name + "-v1"));
      for (int i = 0; i < 3; i++) {
        cluster.withDocument(name + "-v1", "d" + i, "{\"n\":" + i + "}");
      }
    }
    new Initializer(lifecycle())
        .init(
            new RecipeLoader()
                .parse(
                    """
                    name: two
                    indexes:
                      - {source: papers, destination: papers-v2}
                      - {source: people, destination: people-v2}
                    sync: {mode: events}
                    """),
            false);
    ref = store.getRecipe("two").orElseThrow().ref();
    for (IndexRecord index : store.listIndexes(ref)) {
      store.updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
    }
    for (String name : List.of("papers", "people")) {
      for (int i = 0; i < 3; i++) {
        cluster.withDocument(
            name + "-v2", "d" + i, i == 1 ? "{\"n\":\"stale\"}" : "{\"n\":" + i + "}");
      }
    }
    store.transition("two", EnumSet.allOf(RecipeStatus.class), RecipeStatus.SYNCING);
    List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    SearchCluster recorded = recording(cluster, calls);
    Lifecycle lifecycle =
        new Lifecycle(store, recorded, recorded, clock, queue, new InMemoryPollCheckpoints());

    RolloverReport report =
        new RolloverCoordinator(lifecycle, 1, FAST, ConcurrentReads.IN_TURN)
            .rollover("two", Verifier.Mode.CHECKSUM);

    // THEN before the block, no full comparison ran after any index's last mark: a mark taken
    // early would leave the block what was written during the other index's comparison
    assertThat(report.passed()).as(report.message()).isTrue();
    List<String> beforeBlock = calls.subList(0, calls.indexOf("setWriteBlock papers-v1"));
    int lastScan =
        Math.max(
            beforeBlock.lastIndexOf("scan papers-v1"), beforeBlock.lastIndexOf("scan people-v1"));
    assertThat(lastScan).as("a full comparison ran").isPositive();
    assertThat(beforeBlock.lastIndexOf("shardCheckpoints papers-v1")).isGreaterThan(lastScan);
    assertThat(beforeBlock.lastIndexOf("shardCheckpoints people-v1")).isGreaterThan(lastScan);
    for (String name : List.of("papers", "people")) {
      assertThat(documents(name + "-v2")).isEqualTo(documents(name + "-v1"));
      assertThat(cluster.writeBlocked(name + "-v1")).isFalse();
    }
  }

  /** Every call on {@code cluster}, as its method name and first argument, in the order made. */
  private static SearchCluster recording(SearchCluster cluster, List<String> calls) {
    return (SearchCluster)
        java.lang.reflect.Proxy.newProxyInstance(
            SearchCluster.class.getClassLoader(),
            new Class<?>[] {SearchCluster.class},
            (proxy, method, args) -> {
              calls.add(method.getName() + (args == null ? "" : " " + args[0]));
              try {
                return method.invoke(cluster, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void aDeleteThatNeverArrives_failsTheRollover_andLiftsTheBlocks() {
    cluster.on(
        "setWriteBlock",
        new Runnable() {
          boolean done;

          @Override
          public void run() {
            if (!done) {
              done = true;
              cluster.withoutDocument("records-v1", "r4");
            }
          }
        });

    RolloverReport report = coordinator().rollover("r", Verifier.Mode.COUNT);

    assertThat(report.passed()).isFalse();
    assertThat(report.message()).contains("verification failed").contains("source 4");
    assertLeftSafe("records-v1");
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.SYNCING);
    assertThat(store.getRollover(ref).orElseThrow().phase()).isEqualTo(RolloverPhase.FAILED);
  }

  /** Each step under the block that can fail: a cluster error there must leave the source free. */
  @ParameterizedTest
  @ValueSource(strings = {"count", "multiGet", "searchBySeqNo", "updateAliases", "refresh"})
  void aClusterErrorUnderTheBlock_liftsTheBlocks_andChangesNoAlias(String operation) {
    // A write acknowledged just before the block, its event still queued: the delta under the
    // block has something to read.
    AtomicBoolean written = new AtomicBoolean();
    cluster.on(
        "setWriteBlock",
        () -> {
          if (!cluster.writeBlocked("records-v1") && !written.getAndSet(true)) {
            cluster.withDocument("records-v1", "r5", "{\"n\":5}");
          }
        });
    cluster.on(
        operation,
        () -> {
          if (cluster.writeBlocked("records-v1")) {
            throw new SearchClusterException(operation, 503, "unavailable", "injected");
          }
        });

    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.CHECKSUM, "op-1"))
        .isInstanceOf(SearchClusterException.class);

    assertLeftSafe("records-v1");
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.SYNCING);
    assertThat(store.getRecipe("r").orElseThrow().failure()).contains("injected");
    assertThat(store.getRollover(ref).orElseThrow().phase()).isEqualTo(RolloverPhase.FAILED);
    // AND the operator can simply try again
    cluster.clearHooks();
    assertThat(coordinator().rollover("r", Verifier.Mode.CHECKSUM).passed()).isTrue();
    assertThat(aliasTarget()).isEqualTo("records-v2");
  }

  @Test
  void aFailureBetweenSwapAndUnblock_finishesTheRollover_sinceTheSwapCommitted() {
    AtomicBoolean failed = new AtomicBoolean();
    cluster.on(
        "setWriteBlock",
        () -> {
          if (cluster.writeBlocked("records-v1")
              && aliasTarget().equals("records-v2")
              && !failed.getAndSet(true)) {
            throw new SearchClusterException("unblock", 503, "unavailable", "injected");
          }
        });

    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT, "op-1"))
        .isInstanceOf(SearchClusterException.class);

    assertLeftSafe("records-v2");
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.ROLLED_OVER);
  }

  @Test
  void aDestinationStillMerging_isWaitedFor_beforeTheBlock() {
    AtomicInteger merging = new AtomicInteger(3);
    List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
    cluster.on("mergesRunning", () -> order.add("merges " + merging.get()));
    cluster.on("setWriteBlock", () -> order.add("block"));
    cluster.withMergesRunning("records-v2", () -> Math.max(0, merging.getAndDecrement()));

    assertThat(coordinator().rollover("r", Verifier.Mode.COUNT).passed()).isTrue();

    assertThat(order).startsWith("merges 3", "merges 2", "merges 1", "merges 0", "block");
  }

  @Test
  void aDestinationThatKeepsMerging_isBlockedAnyway_afterTheWait() {
    cluster.withMergesRunning("records-v2", () -> 1);

    long started = System.nanoTime();
    assertThat(coordinator().rollover("r", Verifier.Mode.COUNT).passed()).isTrue();

    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(300);
  }

  // ---- a function killed at a step: its thread stops there for good, as a killed process does
  // ----

  /** A rollover whose function "dies" (stops forever) at the first call of {@code operation}. */
  private final class Victim {
    final CountDownLatch stopped = new CountDownLatch(1);
    final AtomicReference<Thread> thread = new AtomicReference<>();

    Victim(String operation, java.util.function.BooleanSupplier when) {
      cluster.on(
          operation,
          () -> {
            if (Thread.currentThread() == thread.get() && when.getAsBoolean()) {
              stopped.countDown();
              parkForever();
            }
          });
      Thread t =
          new Thread(
              () -> {
                try {
                  coordinator().rollover("r", Verifier.Mode.COUNT, "execution-1");
                } catch (RuntimeException | Error ignored) {
                  // Interrupted at the end of the test; a dead function reports nothing.
                }
              });
      t.setDaemon(true);
      thread.set(t);
      t.start();
    }

    void awaitStopped() throws InterruptedException {
      assertThat(stopped.await(10, TimeUnit.SECONDS)).as("reached the step").isTrue();
    }

    private static void parkForever() {
      while (true) {
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          // A dead process does not wake up.
        }
      }
    }
  }

  @Test
  void killedUnderTheBlock_isCleanedUpByTheStateMachinesAbort() throws Exception {
    Victim victim = new Victim("count", () -> cluster.writeBlocked("records-v1"));
    victim.awaitStopped();
    assertThat(cluster.writeBlocked("records-v1")).isTrue();

    RolloverReport aborted =
        coordinator().abort("r", "execution-1", "the rollover stopped with Runtime.ExitError");

    assertThat(aborted.passed()).isFalse();
    assertThat(aborted.message())
        .contains("Runtime.ExitError")
        .contains("write blocks were lifted");
    assertLeftSafe("records-v1");
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.SYNCING);
    assertThat(store.getRollover(ref).orElseThrow().failure()).contains("Runtime.ExitError");
    // Writes are accepted again, and a new rollover goes through.
    cluster.clearHooks().withDocument("records-v1", "r7", "{}");
    cluster.withDocument("records-v2", "r7", "{}");
    assertThat(coordinator().rollover("r", Verifier.Mode.COUNT).passed()).isTrue();
  }

  @Test
  void killedBetweenSwapAndUnblock_theAbortFinishesTheRollover() throws Exception {
    Victim victim =
        new Victim(
            "setWriteBlock",
            () -> cluster.writeBlocked("records-v1") && aliasTarget().equals("records-v2"));
    victim.awaitStopped();

    RolloverReport aborted = coordinator().abort("r", "execution-1", "Sandbox.Timedout");

    assertThat(aborted.passed()).isTrue();
    assertLeftSafe("records-v2");
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.ROLLED_OVER);
  }

  @Test
  void killedAfterTheFence_beforeTheSwap_isRolledBackByTheNextRollover_notByCancel()
      throws Exception {
    Victim victim = new Victim("updateAliases", () -> true);
    victim.awaitStopped();
    assertThat(store.getRollover(ref).orElseThrow().phase()).isEqualTo(RolloverPhase.VERIFIED);

    // cancel is refused past the fence, even once the dead owner's lease has expired
    clock.advance(RolloverCoordinator.LEASE.plusMinutes(1));
    assertThatThrownBy(() -> new Canceller(lifecycle(), arn -> {}, () -> {}).cancel("r", false))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("point of no return")
        .hasMessageContaining("migrator rollover r");
    assertThat(cluster.indexExists("records-v2")).isTrue();

    // the next rollover takes the expired lease over, settles (no swap happened) and completes
    RolloverReport report = coordinator().rollover("r", Verifier.Mode.COUNT, "execution-2");

    assertThat(report.passed()).as(report.message()).isTrue();
    assertLeftSafe("records-v2");
  }

  @Test
  void aSecondRollover_whileOneRuns_isRefused_namingTheRunningOne() throws Exception {
    Victim victim = new Victim("count", () -> cluster.writeBlocked("records-v1"));
    victim.awaitStopped();

    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT, "execution-2"))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("already running")
        .hasMessageContaining("execution-1");
    // The refusal changed nothing: the running one still holds the lease and its block.
    assertThat(store.getRollover(ref).orElseThrow().owner()).isEqualTo("execution-1");
    assertThat(cluster.writeBlocked("records-v1")).isTrue();
  }

  @Test
  void twoRolloversStartedTogether_onlyOneRuns() throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      List<java.util.concurrent.Future<Object>> runs = new ArrayList<>();
      for (String owner : List.of("a", "b")) {
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    // The cluster double is not thread-safe: each call runs alone, in any order.
                    SearchCluster serial = serialized(cluster);
                    Lifecycle both =
                        new Lifecycle(
                            store, serial, serial, clock, queue, new InMemoryPollCheckpoints());
                    return new RolloverCoordinator(both, 1, FAST, ConcurrentReads.IN_TURN)
                        .rollover("r", Verifier.Mode.COUNT, owner);
                  } catch (RuntimeException e) {
                    return e;
                  }
                }));
      }
      start.countDown();
      List<Object> outcomes = new ArrayList<>();
      for (var run : runs) {
        outcomes.add(run.get(10, TimeUnit.SECONDS));
      }

      assertThat(outcomes).filteredOn(o -> o instanceof RolloverReport r && r.passed()).hasSize(1);
      // The other was refused: by the lease while the first ran, or as already rolled over.
      assertThat(outcomes)
          .filteredOn(o -> o instanceof MigrationFailedException)
          .singleElement()
          .satisfies(
              e ->
                  assertThat(((Exception) e).getMessage())
                      .containsAnyOf("already running", "already rolled over"));
      assertLeftSafe("records-v2");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRolloverThatFinishesWhileASecondStarts_isNotRunOrSettledAgain() throws Exception {
    // GIVEN rollover a is running (the recipe reads ROLLING_OVER), paused before its block
    CountDownLatch aPaused = new CountDownLatch(1);
    CountDownLatch aResume = new CountDownLatch(1);
    AtomicReference<Thread> aThread = new AtomicReference<>();
    beforeSaveRollover.add(
        r -> {
          if (Thread.currentThread() == aThread.get() && r.phase() == RolloverPhase.BLOCKED) {
            aPaused.countDown();
            awaitQuietly(aResume);
          }
        });
    java.util.concurrent.FutureTask<RolloverReport> a =
        new java.util.concurrent.FutureTask<>(
            () -> coordinator().rollover("r", Verifier.Mode.COUNT, "a"));
    Thread t = new Thread(a);
    aThread.set(t);
    t.start();
    assertThat(aPaused.await(10, TimeUnit.SECONDS)).isTrue();
    // AND b reads the recipe now, but a finishes (and gives up its lease) before b takes it
    Runnable finishA =
        () -> {
          aResume.countDown();
          try {
            a.get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        };
    AtomicBoolean once = new AtomicBoolean();
    beforeBacklog.set(
        () -> {
          if (Thread.currentThread() != aThread.get() && !once.getAndSet(true)) {
            finishA.run();
          }
        });

    // WHEN b goes on
    // THEN it is refused as already rolled over: not resumed, settled or run a second time
    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT, "b"))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("already rolled over");
    assertThat(a.get().passed()).isTrue();
    assertThat(a.get().aliasesMoved()).isNotEmpty();
    assertThat(store.getRollover(ref).orElseThrow().owner()).isNull();
    assertLeftSafe("records-v2");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aSecondRolloverRacingForTheLease_isRefused() {
    // GIVEN the other operator's rollover takes the lease between our read and our write
    AtomicBoolean raced = new AtomicBoolean();
    beforeSaveRollover.add(
        r -> {
          if (!raced.getAndSet(true)) {
            store.saveRollover(
                RolloverRecord.blocked(ref, clock.instant())
                    .restarted(RolloverPhase.PREPARING)
                    .withLease("other-operator", clock.instant().plusSeconds(600)));
          }
        });

    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT, "me"))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("already running")
        .hasMessageContaining("other-operator");
    assertThat(cluster.writeBlocked("records-v1")).isFalse();
    assertThat(store.getRecipe("r").orElseThrow().status()).isEqualTo(RecipeStatus.SYNCING);
  }

  @Test
  void cancel_whileARolloverRuns_isRefused_andAfterItsOwnerDied_liftsTheBlocks() throws Exception {
    Victim victim = new Victim("count", () -> cluster.writeBlocked("records-v1"));
    victim.awaitStopped();
    Canceller canceller = new Canceller(lifecycle(), arn -> {}, () -> {});

    assertThatThrownBy(() -> canceller.cancel("r", false))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("already running");
    assertThat(cluster.indexExists("records-v2")).isTrue();

    clock.advance(RolloverCoordinator.LEASE.plusMinutes(1));
    CancelReport cancelled = canceller.cancel("r", false);

    assertThat(cancelled.blocksLifted()).containsExactly("records-v1");
    assertThat(cluster.writeBlocked("records-v1")).isFalse();
    assertThat(aliasTarget()).isEqualTo("records-v1");
    assertThat(documents("records-v1")).hasSize(5);
    // A rollover after that is refused: the recipe is cancelled.
    assertThatThrownBy(() -> coordinator().rollover("r", Verifier.Mode.COUNT))
        .isInstanceOf(MigrationFailedException.class);
  }
}
