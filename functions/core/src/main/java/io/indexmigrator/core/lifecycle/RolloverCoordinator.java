package io.indexmigrator.core.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.publish.SwitchPublisher;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.SyncOptions;
import io.indexmigrator.core.search.AliasAction;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.state.ConflictException;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.state.RolloverRecord;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.core.state.SliceStatus;
import io.indexmigrator.core.sync.PollSync;
import io.indexmigrator.core.sync.SyncApplier;
import io.indexmigrator.core.verify.VerificationResult;
import io.indexmigrator.core.verify.Verifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rollover}: prove the destinations equal to the sources, move every alias to the
 * destinations in one atomic {@code _aliases} call, and keep the sources' write block as short as
 * that proof allows. The sources stay, for rollback.
 *
 * <p>Equality is proven by the data, never by the sync queue's depth. Before the block, while the
 * sync runs, each source shard's {@code _seq_no} checkpoint is recorded and (with {@code checksum})
 * every document of both sides is compared; catch-up passes then re-check only what was written
 * since the previous pass, so the remaining window shrinks. Under the block, every document written
 * since the last marks and every id that still differed is re-read on both sides and what differs
 * is written by the rollover itself (the sync consumer's re-read and external-version write). Exact
 * counts after that prove that no delete is missing: the queue depth only decides how long to wait
 * for the consumer to apply deletes.
 *
 * <p>One rollover at a time: a lease (owner and expiry, conditional writes) on the rollover record.
 * Whatever fails after the block is set (an exception here, or a crash or timeout of the function,
 * which the rollover state machine catches and reports to {@link #abort}), the blocks we set are
 * lifted unless the alias swap committed, in which case the rollover is finished instead.
 */
public final class RolloverCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(RolloverCoordinator.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final long MAX_BACKLOG_TO_START = 500;

  /**
   * Under the block, how long the exact counts may wait for the consumer: a sync that needs longer
   * has fallen behind, and the rollover gives up (lifting the block) rather than keep the
   * application's writes refused.
   */
  private static final Duration MAX_DRAIN_UNDER_BLOCK = Duration.ofSeconds(10);

  /**
   * Longer than any Lambda invocation can run (15 minutes): once it has passed, the owner is known
   * to have stopped, and the next rollover or cancel may clean up after it.
   */
  static final Duration LEASE = Duration.ofMinutes(20);

  /**
   * Before the block, rounds of passes (one per index) re-check what was written since the previous
   * round; this many rounds at most.
   */
  private static final int MAX_CATCH_UP_ROUNDS = 12;

  /**
   * Events queued as the catch-up ends above which the consumer is waited for again before the
   * block: a warm consumer drains this many in about 0.2 s once writes stop.
   */
  private static final long MAX_BACKLOG_AT_BLOCK = 200;

  /** How often, and how long each time, a backlog at the block is waited for before blocking. */
  private static final int MAX_QUEUE_REWAITS = 3;

  private static final Duration QUEUE_REWAIT = Duration.ofSeconds(10);

  /**
   * The longest wait for the sync queue before the block while the consumer still makes progress:
   * well inside the control function's 15 minutes, with a full comparison before it.
   */
  private static final Duration MAX_QUEUE_WAIT = Duration.ofMinutes(5);

  /** A round that re-checks fewer documents than this leaves a window short enough to block. */
  private static final int SMALL_WINDOW = 200;

  /** A round this short leaves the next one little to find, whatever the write rate. */
  private static final long QUICK_PASS_MILLIS = 400;

  /** More differing documents than this before the block means the sync is behind. */
  private static final int MAX_DIFFERING_TO_BLOCK = 20_000;

  private final Lifecycle lifecycle;
  private final int verifySlices;
  private final Timing timing;
  private final ConcurrentReads reads;
  private final SwitchPublisher publisher;

  /**
   * How often and how long the rollover polls (counts, the queue after the fence); shorter in
   * tests. There is no wait for the queue before the delta: the delta applies queued updates
   * itself, and only deletes need the consumer, which the exact counts wait for.
   */
  record Timing(Duration poll, Duration drainTimeout, Duration mergeWait) {
    static final Timing DEFAULT =
        new Timing(Duration.ofMillis(40), Duration.ofSeconds(30), Duration.ofSeconds(60));
  }

  /** In-cluster only: a cross-cluster cut-over is refused, having nowhere to publish. */
  public RolloverCoordinator(Lifecycle lifecycle, int verifySlices) {
    this(lifecycle, verifySlices, SwitchPublisher.NONE);
  }

  /**
   * @param publisher where a cross-cluster cut-over tells applications to use the new cluster
   */
  public RolloverCoordinator(Lifecycle lifecycle, int verifySlices, SwitchPublisher publisher) {
    this(lifecycle, verifySlices, Timing.DEFAULT, ConcurrentReads.VIRTUAL, publisher);
  }

  RolloverCoordinator(Lifecycle lifecycle, int verifySlices, Timing timing, ConcurrentReads reads) {
    this(lifecycle, verifySlices, timing, reads, SwitchPublisher.NONE);
  }

  RolloverCoordinator(
      Lifecycle lifecycle,
      int verifySlices,
      Timing timing,
      ConcurrentReads reads,
      SwitchPublisher publisher) {
    this.lifecycle = lifecycle;
    this.verifySlices = verifySlices;
    this.timing = timing;
    this.reads = reads;
    this.publisher = publisher;
  }

  private ClusterSwitch clusterSwitch() {
    return new ClusterSwitch(lifecycle, publisher, this);
  }

  /** {@link #rollover(String, Verifier.Mode, String)} with an owner of its own. */
  public RolloverReport rollover(String name, Verifier.Mode requestedMode) {
    return rollover(name, requestedMode, "call:" + UUID.randomUUID());
  }

  /**
   * Rolls recipe {@code name} over.
   *
   * @param requestedMode the verification to run, or null for the recipe's {@code rollover.verify}
   * @param owner who runs it (the rollover execution's ARN): the lease's holder; the same owner may
   *     resume its own rollover
   */
  public RolloverReport rollover(String name, Verifier.Mode requestedMode, String owner) {
    RecipeRecord recipe;
    try {
      recipe = lifecycle.recipe(name);
    } catch (MigrationFailedException e) {
      throw new RolloverRefusedException(e.getMessage(), e);
    }
    RecipeRef ref = recipe.ref();
    if (recipe.status() == RecipeStatus.ROLLED_OVER) {
      throw new RolloverRefusedException("recipe '" + name + "' is already rolled over");
    }
    if (recipe.status() == RecipeStatus.SWITCHED) {
      throw new RolloverRefusedException(
          "recipe '"
              + name
              + "' has already switched to cluster '"
              + lifecycle.parsedRecipe(recipe).destination().cluster()
              + "': run 'migrator commit "
              + name
              + "' to keep the switch or 'migrator rollback "
              + name
              + "' to undo it");
    }
    if (!Set.of(RecipeStatus.COPIED, RecipeStatus.SYNCING, RecipeStatus.ROLLING_OVER)
        .contains(recipe.status())) {
      throw new RolloverRefusedException(notReady(recipe));
    }
    Recipe parsed = lifecycle.parsedRecipe(recipe);
    if (parsed.isCrossCluster()) {
      // Applications learn of the new cluster only from the published switch: without somewhere
      // to publish it, the cut-over would block the source and tell nobody.
      if (!publisher.configured()) {
        throw new RolloverRefusedException(
            "recipe '"
                + name
                + "' moves indexes to another cluster, and its cut-over publishes the new endpoint,"
                + " but "
                + SwitchPublisher.notConfigured().getMessage());
      }
      if (parsed.rollover().deleteSourceAfter()) {
        throw new RolloverRefusedException(
            "recipe '"
                + name
                + "' sets rollover.deleteSourceAfter, but across clusters the source is kept"
                + " (write-blocked) as the rollback point until 'migrator commit'; remove the"
                + " setting, and delete the old indexes yourself after the commit");
      }
    }
    if (parsed.sync().mode() == SyncOptions.SyncMode.POLL && !parsed.sync().acceptMissedDeletes()) {
      throw new RolloverRefusedException(
          "recipe '"
              + name
              + "' syncs by polling, which cannot see deletions: documents deleted from the source"
              + " during the migration may remain in the destination. Set sync.acceptMissedDeletes:"
              + " true in the recipe to accept that, or use sync.mode: events");
    }
    if (parsed.sync().mode() == SyncOptions.SyncMode.EVENTS) {
      // The consumer must keep up for the catch-up passes to converge: refuse while it is far
      // behind, rather than verify against a destination that is minutes old.
      long backlog = lifecycle.sync().backlog();
      if (backlog > MAX_BACKLOG_TO_START) {
        throw new RolloverRefusedException(
            "the sync is behind: "
                + backlog
                + " events queued (at most "
                + MAX_BACKLOG_TO_START
                + " to start a rollover); wait until 'migrator status' shows the queue near 0");
      }
    }
    Verifier.Mode mode =
        requestedMode != null
            ? requestedMode
            : Verifier.Mode.valueOf(parsed.rollover().verify().name());

    RolloverRecord record = acquireLease(ref, owner);
    try {
      // What was read before the lease may be stale: a rollover that ran meanwhile has finished
      // (it gives up its lease only after recording the recipe's new status).
      recipe = lifecycle.recipe(name);
      if (recipe.status() == RecipeStatus.ROLLED_OVER || recipe.status() == RecipeStatus.SWITCHED) {
        throw new RolloverRefusedException(
            "recipe '"
                + name
                + "' is already "
                + recipe.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
      }
      if (recipe.status() == RecipeStatus.ROLLING_OVER) {
        // An earlier attempt stopped half-way (its lease expired, or it was ours): settle it first.
        Settled settled = settle(ref, parsed, "resumed by a new rollover");
        if (settled.committed()) {
          return settled.finished();
        }
        record = settled.record();
      } else {
        try {
          lifecycle
              .store()
              .transition(
                  name,
                  Set.of(RecipeStatus.COPIED, RecipeStatus.SYNCING),
                  RecipeStatus.ROLLING_OVER);
        } catch (ConflictException e) {
          // Another rollover may have finished between our first read and the lease.
          boolean done =
              lifecycle
                  .store()
                  .getRecipe(name)
                  .map(r -> r.status() == RecipeStatus.ROLLED_OVER)
                  .orElse(false);
          throw new RolloverRefusedException(
              done
                  ? "recipe '" + name + "' is already rolled over"
                  : "recipe '"
                      + name
                      + "' changed before the rollover could start: "
                      + e.getMessage(),
              e);
        }
      }
      record = lifecycle.store().saveRollover(record.restarted(RolloverPhase.PREPARING));
      return cutOver(ref, parsed, mode, record);
    } catch (RuntimeException | Error e) {
      abortAfter(ref, parsed, owner, e);
      throw e;
    }
  }

  /**
   * Cleans up after a rollover that failed in a way its own code could not catch (a crash, a
   * timeout): lifts our blocks unless the alias swap committed, in which case it finishes the
   * rollover. Acts only on a rollover {@code owner} holds; repeating it is harmless.
   */
  public RolloverReport abort(String name, String owner, String cause) {
    RecipeRecord recipe = lifecycle.recipe(name);
    RecipeRef ref = recipe.ref();
    RolloverRecord record = lifecycle.store().getRollover(ref).orElse(null);
    if (record == null || !owner.equals(record.owner())) {
      String what;
      if (record == null) {
        what = "nothing to clean up: the rollover never started";
      } else if (record.owner() != null) {
        what = "nothing to clean up here: the rollover belongs to " + record.owner();
      } else if (record.phase() == RolloverPhase.FAILED) {
        what = "the rollover had already lifted its write blocks (" + record.failure() + ")";
      } else {
        what = "nothing to clean up: the rollover is " + record.phase();
      }
      return new RolloverReport(
          name, false, null, List.of(), 0, List.of(), 0, Map.of(), what + " (" + cause + ")");
    }
    if (recipe.status() != RecipeStatus.ROLLING_OVER) {
      // It stopped before it blocked anything (or after it finished): record why, free the lease.
      RolloverRecord released = record.withLease(null, null);
      // Switched across clusters counts as done: the source stays blocked as the rollback point.
      boolean done =
          recipe.status() == RecipeStatus.ROLLED_OVER || recipe.status() == RecipeStatus.SWITCHED;
      lifecycle.store().saveRollover(done ? released : released.withFailure(cause));
      return new RolloverReport(
          name,
          done,
          null,
          List.of(),
          valueOr(record.writeBlockedMillis()),
          List.of(),
          0,
          Map.of(),
          "nothing to clean up: recipe is " + recipe.status() + " (" + cause + ")");
    }
    Settled settled = settle(ref, lifecycle.parsedRecipe(recipe), cause);
    if (settled.committed()) {
      return settled.finished();
    }
    fail(ref, lifecycle.parsedRecipe(recipe), settled.record(), cause);
    return new RolloverReport(
        name,
        false,
        null,
        List.of(),
        valueOr(record.writeBlockedMillis()),
        List.of(),
        0,
        Map.of(),
        cause + "; no alias was changed and the write blocks were lifted");
  }

  /**
   * Keeps a cross-cluster switch: releases the source (lifts its write block unless {@code
   * keepSourceBlocked}; never deletes it) and finishes the recipe.
   */
  public RolloverReport commit(String name, boolean keepSourceBlocked, String owner) {
    return clusterSwitch().commit(name, keepSourceBlocked, owner);
  }

  /**
   * Undoes a cross-cluster switch before commit: publishes the source cluster again, removes the
   * aliases the switch created and lifts the source's block; refused if the destination has been
   * written since the switch.
   */
  public RolloverReport rollback(String name, String owner) {
    return clusterSwitch().rollback(name, owner);
  }

  private RolloverRecord acquireLease(RecipeRef ref, String owner) {
    Instant now = lifecycle.clock().instant();
    var current = lifecycle.store().getRollover(ref);
    if (current.isPresent()
        && current.get().leaseHeld(now)
        && !owner.equals(current.get().owner())) {
      throw new RolloverRefusedException(runningMessage(ref.name(), current.get()));
    }
    RolloverRecord base =
        current.orElseGet(
            () -> RolloverRecord.blocked(ref, now).restarted(RolloverPhase.PREPARING));
    try {
      return lifecycle.store().saveRollover(base.withLease(owner, now.plus(LEASE)));
    } catch (ConflictException e) {
      RolloverRecord winner = lifecycle.store().getRollover(ref).orElse(base);
      throw new RolloverRefusedException(runningMessage(ref.name(), winner), e);
    }
  }

  static String runningMessage(String name, RolloverRecord holder) {
    return "a rollover of '"
        + name
        + "' is already running ("
        + holder.owner()
        + ", phase "
        + holder.phase()
        + ", lease until "
        + holder.leaseUntil()
        + "); wait for it to finish: migrator status "
        + name;
  }

  private RolloverReport cutOver(
      RecipeRef ref, Recipe parsed, Verifier.Mode mode, RolloverRecord record) {
    String name = ref.name();
    SearchCluster source = lifecycle.sourceOf(parsed);
    SearchCluster destination = lifecycle.destinationOf(parsed);
    List<IndexRecord> indexes = lifecycle.store().listIndexes(ref);
    boolean synced = parsed.sync().mode() != SyncOptions.SyncMode.NONE;
    CutoverDelta delta =
        new CutoverDelta(
            source,
            destination,
            new SyncApplier(lifecycle.store(), lifecycle.clusters(), lifecycle.clock()),
            reads,
            parsed.source().cluster());
    Verifier verifier = new Verifier(source, destination, verifySlices, 1000);

    // A destination just copied is still merging; a block set meanwhile lasts longer (its
    // refreshes and cluster-state updates wait for the cores). The wait is before the marks, so
    // the passes below still see every write made during it.
    awaitMergesSettled(destination, indexes);
    // Before the block: every index's marks and full comparison first, then one wait for the
    // consumer, then catch-up rounds over all indexes. Done index by index, the first index's
    // last mark aged while the others were compared, and the block met all it missed.
    Map<String, CutoverDelta.Marks> marks = new HashMap<>();
    Map<String, Map<String, String>> carried = new HashMap<>();
    long preparedAt = System.nanoTime();
    for (IndexRecord index : indexes) {
      marks.put(index.source(), delta.mark(index.source()));
      carried.put(
          index.source(),
          mode == Verifier.Mode.CHECKSUM
              ? differingBeforeTheBlock(verifier, index, comparesContents(parsed, index))
              : Map.of());
    }
    boolean events = parsed.sync().mode() == SyncOptions.SyncMode.EVENTS;
    if (events) {
      awaitConsumerNearlyCaughtUp(name);
    }
    long markedAt = catchUp(name, parsed, delta, indexes, marks, carried, synced);
    long backlogAtBlock = 0;
    if (events) {
      // Read before the block: under it every round trip is the application's wait. The passes
      // load the cores, and a consumer only just keeping up falls behind meanwhile; what is queued
      // now is what the exact counts will wait for under the block (deletes above all), so a
      // large backlog is waited for here, with writes flowing, and the marks renewed after it.
      backlogAtBlock = lifecycle.sync().backlog();
      for (int wait = 1;
          backlogAtBlock > MAX_BACKLOG_AT_BLOCK && wait <= MAX_QUEUE_REWAITS;
          wait++) {
        long waitStarted = System.nanoTime();
        long before = backlogAtBlock;
        backlogAtBlock = awaitBacklogAtMost(MAX_BACKLOG_AT_BLOCK, timing.poll(), QUEUE_REWAIT);
        LOG.info(
            "rollover of {}: {} events queued after the catch-up (at most {} to block), waited {}"
                + " ms for the consumer ({} queued), then caught up again",
            name,
            before,
            MAX_BACKLOG_AT_BLOCK,
            (System.nanoTime() - waitStarted) / 1_000_000,
            backlogAtBlock);
        markedAt = catchUp(name, parsed, delta, indexes, marks, carried, synced);
        backlogAtBlock = lifecycle.sync().backlog();
      }
    }
    long preparedMillis = (System.nanoTime() - preparedAt) / 1_000_000;
    // The state table is written before and after the write-blocked window, and once inside it
    // (the fence): first the intent to block, so a cancel or a resumed rollover lifts only ours.
    List<IndexRecord> blocked = new ArrayList<>();
    for (IndexRecord index : indexes) {
      blocked.add(markBlock(source, index));
    }
    record =
        lifecycle
            .store()
            .saveRollover(
                record.withBlockedAt(lifecycle.clock().instant()).withPhase(RolloverPhase.BLOCKED));
    long blockedAt = System.nanoTime();
    LOG.info(
        "rollover of {}: blocking writes {} ms after the last mark",
        name,
        (blockedAt - markedAt) / 1_000_000);
    BlockedWindow window = new BlockedWindow(blockedAt);
    for (IndexRecord index : blocked) {
      if (index.writeBlockSetByUs()) {
        source.setWriteBlock(index.source(), true);
      }
    }
    window.step("block");
    if (parsed.sync().mode() == SyncOptions.SyncMode.POLL) {
      backlogAtBlock =
          new PollSync(lifecycle, lifecycle.pollCheckpoints()).drain(ref, timing.drainTimeout());
    }
    window.step("drain");
    long applied = 0;
    Map<String, Map<String, CutoverDelta.Kind>> stillDiffering = new LinkedHashMap<>();
    Map<String, Long> sourceCounts = new HashMap<>();
    for (IndexRecord index : indexes) {
      // Without a sync nothing may have been written since the copy: what differs is reported.
      CutoverDelta.Pass pass =
          delta.pass(
              index,
              marks.get(index.source()),
              carried.get(index.source()),
              comparesContents(parsed, index),
              synced,
              false);
      applied += pass.applied();
      sourceCounts.put(index.source(), pass.sourceCount());
      if (!pass.differing().isEmpty()) {
        stillDiffering.put(index.source(), pass.kinds());
      }
      LOG.info(
          "rollover of {}: under the block, {} documents of '{}' checked, {} written (search {} ms:"
              + " source refresh {}, shard searches {}, destination refresh {}; compare {} ms,"
              + " apply {} ms)",
          name,
          pass.checked(),
          index.source(),
          pass.applied(),
          pass.timings().search(),
          pass.timings().sourceRefresh(),
          pass.timings().searches(),
          pass.timings().destinationRefresh(),
          pass.timings().compare(),
          pass.timings().apply());
    }
    window.step("delta");
    // Only a consumer applying change events can still bring the counts together.
    List<VerificationResult> results =
        countsAgree(
            name,
            source,
            destination,
            indexes,
            mode,
            stillDiffering,
            sourceCounts,
            parsed.sync().mode() == SyncOptions.SyncMode.EVENTS
                ? min(timing.drainTimeout(), MAX_DRAIN_UNDER_BLOCK)
                : Duration.ZERO);
    boolean passed = results.stream().allMatch(VerificationResult::passed);
    window.step("verify");

    List<String> moved = new ArrayList<>();
    String notSwapped = null;
    if (passed) {
      // The fence: from here on a sync consumer neither deletes nor overwrites in the destinations
      // (a late event could otherwise undo what the application writes there after the swap).
      // This one state-table write sits inside the block because nothing else can order the
      // consumers' checks before the swap; batches that checked earlier are waited for.
      record = lifecycle.store().saveRollover(record.withPhase(RolloverPhase.VERIFIED));
      boolean batchesDone =
          parsed.sync().mode() != SyncOptions.SyncMode.EVENTS || awaitBatchesPastFence();
      window.step("fence");
      if (batchesDone && parsed.isCrossCluster()) {
        return clusterSwitch()
            .switchOver(
                ref,
                parsed,
                record,
                indexes,
                results,
                window,
                backlogAtBlock,
                blockedAt,
                mode.name().toLowerCase());
      }
      if (!batchesDone) {
        passed = false;
        notSwapped =
            "sync batches were still in flight "
                + timing.drainTimeout().toSeconds()
                + " s after verification";
      } else {
        moved = swapAliases(indexes, parsed.rollover().moveAliases());
        record = lifecycle.store().saveRollover(record.withPhase(RolloverPhase.SWAPPED));
        window.step("swap");
      }
    }
    if (!passed) {
      String failure =
          notSwapped != null
              ? notSwapped
              : "verification failed: "
                  + String.join(
                      "; ",
                      results.stream()
                          .filter(r -> !r.passed())
                          .map(VerificationResult::summary)
                          .toList());
      record = record.withVerification(toJson(results)).withDrained(backlogAtBlock);
      fail(ref, parsed, record, failure);
      RolloverRecord failed = lifecycle.store().getRollover(ref).orElse(record);
      return new RolloverReport(
          name,
          false,
          mode.name().toLowerCase(),
          results,
          valueOr(failed.writeBlockedMillis()),
          List.of(),
          backlogAtBlock,
          window.steps(),
          failure + "; no alias was changed and the write blocks were lifted");
    }
    liftBlocks(source, blocked);
    window.step("unblock");
    long writeBlockedMillis = (System.nanoTime() - blockedAt) / 1_000_000;
    forgetBlocks(blocked);
    if (parsed.rollover().deleteSourceAfter()) {
      for (IndexRecord index : indexes) {
        source.deleteIndex(index.source());
      }
    }
    RolloverRecord unblocked =
        lifecycle
            .store()
            .saveRollover(
                record
                    .withVerification(toJson(results))
                    .withUnblocked(lifecycle.clock().instant(), backlogAtBlock)
                    .withWriteBlockedMillis(writeBlockedMillis)
                    .withPhase(RolloverPhase.UNBLOCKED));
    finish(ref, unblocked, RecipeStatus.ROLLED_OVER);
    Map<String, Long> steps = new LinkedHashMap<>(window.steps());
    RolloverReport report =
        new RolloverReport(
            name,
            true,
            mode.name().toLowerCase(),
            results,
            writeBlockedMillis,
            moved,
            backlogAtBlock,
            steps,
            (moved.isEmpty()
                    ? "verified; the sources had no aliases to move: point readers at the destinations"
                    : "verified and rolled over")
                + " ("
                + applied
                + " documents made equal under the block; "
                + preparedMillis
                + " ms of verification before it)");
    LOG.info(
        "rollover of {}: {} ({} ms write-blocked)", name, report.message(), writeBlockedMillis);
    return report;
  }

  /**
   * Catch-up rounds before the block, one pass over every index each, until a round is small and
   * quick; renews {@code marks} and {@code carried}.
   *
   * @return when the last round took its marks ({@link System#nanoTime()})
   */
  private long catchUp(
      String name,
      Recipe parsed,
      CutoverDelta delta,
      List<IndexRecord> indexes,
      Map<String, CutoverDelta.Marks> marks,
      Map<String, Map<String, String>> carried,
      boolean synced) {
    long markedAt = System.nanoTime();
    for (int round = 0; round < MAX_CATCH_UP_ROUNDS; round++) {
      markedAt = System.nanoTime();
      long checked = 0;
      long millis = 0;
      for (IndexRecord index : indexes) {
        // What differs is written now too (as the consumer would, later): less is left for the
        // block, and the applier's routes are warm when it comes.
        CutoverDelta.Pass done =
            delta.pass(
                index,
                marks.get(index.source()),
                carried.get(index.source()),
                comparesContents(parsed, index),
                synced,
                true);
        LOG.info(
            "rollover of {}: before the block, pass {} over '{}': {} documents checked, {} written"
                + " (search {} ms, compare {} ms, apply {} ms)",
            name,
            round + 1,
            index.source(),
            done.checked(),
            done.applied(),
            done.timings().search(),
            done.timings().compare(),
            done.timings().apply());
        marks.put(index.source(), done.next());
        carried.put(index.source(), done.differing());
        checked += done.checked();
        millis += done.timings().search() + done.timings().compare() + done.timings().apply();
      }
      // The pass under the block will meet what was written while this round ran: stop only
      // after a round that was small and quick, not one that found little but took seconds.
      if (checked < SMALL_WINDOW && millis < QUICK_PASS_MILLIS) {
        break;
      }
    }
    return markedAt;
  }

  private static Map<String, String> differingBeforeTheBlock(
      Verifier verifier, IndexRecord index, boolean contents) {
    Verifier.Comparison full =
        verifier.compare(index.source(), index.destination(), Verifier.Mode.CHECKSUM, contents);
    if (!full.complete() || full.differing().size() > MAX_DIFFERING_TO_BLOCK) {
      throw new MigrationFailedException(
          "'"
              + index.destination()
              + "' differs from '"
              + index.source()
              + "' in "
              + (full.complete() ? "" : "at least ")
              + full.result().differenceCount()
              + " documents before the write block (at most "
              + MAX_DIFFERING_TO_BLOCK
              + "): the sync is behind or documents were lost; no write was blocked");
    }
    return full.differing();
  }

  /**
   * Before the block: until the sync queue holds at most {@link #MAX_BACKLOG_TO_START} events, for
   * as long as the consumer makes progress: the rollover fails (nothing blocked) once the depth has
   * not reached a new low for {@link Timing#drainTimeout()}, or after {@link #MAX_QUEUE_WAIT} in
   * all. Deletes still queued at the block leave nothing for the delta to find: the exact counts
   * then wait under the block for the consumer to apply them, so a consumer that fell behind during
   * a full comparison (which loads the cluster for minutes on a large index) would keep writes
   * blocked for as long as it needs. A consumer only a little faster than the writes catches up
   * slowly but surely, and nothing is blocked meanwhile. The depth decides only when to block,
   * never whether the data is equal; it is approximate, and the counts under the block still
   * decide.
   */
  private void awaitConsumerNearlyCaughtUp(String name) {
    long started = System.nanoTime();
    long deadline = started + MAX_QUEUE_WAIT.toNanos();
    long backlog = lifecycle.sync().backlog();
    long lowest = backlog;
    long lowestAt = started;
    // Every read is a queue-attributes call: a few a second are enough for a wait of seconds.
    Duration pause = timing.poll().multipliedBy(5);
    while (backlog > MAX_BACKLOG_TO_START) {
      long now = System.nanoTime();
      if (now - lowestAt > timing.drainTimeout().toNanos() || now > deadline) {
        throw new MigrationFailedException(
            "the sync fell behind before the write block: "
                + backlog
                + " events still queued after "
                + (now - started) / 1_000_000_000
                + " s of waiting"
                + (now > deadline
                    ? ""
                    : ", and no fewer than "
                        + lowest
                        + " for "
                        + timing.drainTimeout().toSeconds()
                        + " s")
                + " (at most "
                + MAX_BACKLOG_TO_START
                + " to block writes); no write was blocked: run the rollover again once 'migrator"
                + " status' shows the queue near 0");
      }
      sleep(pause);
      backlog = lifecycle.sync().backlog();
      if (backlog < lowest) {
        lowest = backlog;
        lowestAt = System.nanoTime();
      }
    }
    long waited = (System.nanoTime() - started) / 1_000_000;
    if (waited >= 100) {
      LOG.info(
          "rollover of {}: waited {} ms before the block for the sync queue ({} events queued)",
          name,
          waited,
          backlog);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Until no merge runs on the destinations, for at most {@link Timing#mergeWait()}. */
  private void awaitMergesSettled(SearchCluster destination, List<IndexRecord> indexes) {
    long deadline = System.nanoTime() + timing.mergeWait().toNanos();
    for (IndexRecord index : indexes) {
      while (destination.mergesRunning(index.destination()) > 0) {
        if (System.nanoTime() > deadline) {
          LOG.info("'{}' still merging; blocking anyway", index.destination());
          return;
        }
        sleep(Duration.ofMillis(Math.max(1, Math.min(500, timing.mergeWait().toMillis() / 10))));
      }
    }
  }

  private static boolean comparesContents(Recipe parsed, IndexRecord index) {
    return parsed.indexes().get(RecipeEntries.indexOf(index.recipeEntry())).transform() == null;
  }

  /**
   * Exact counts on both sides, waited for up to {@code wait}: after the delta, a difference can
   * only be a delete the consumer has not applied yet.
   */
  private List<VerificationResult> countsAgree(
      String name,
      SearchCluster source,
      SearchCluster destination,
      List<IndexRecord> indexes,
      Verifier.Mode mode,
      Map<String, Map<String, CutoverDelta.Kind>> differing,
      Map<String, Long> sourceCounts,
      Duration wait) {
    long started = System.nanoTime();
    long deadline = started + wait.toNanos();
    long firstGap = -1;
    for (int read = 1; ; read++) {
      List<VerificationResult> results = new ArrayList<>();
      boolean equal = true;
      long gap = 0;
      for (IndexRecord index : indexes) {
        // Under the block the source changes no more: its count from the delta pass stands.
        Long known = sourceCounts.get(index.source());
        var sourceSide =
            known != null
                ? java.util.concurrent.CompletableFuture.completedFuture(known)
                : reads.start(
                    () -> {
                      source.refresh(index.source());
                      return source.count(index.source());
                    });
        var destinationSide =
            reads.start(
                () -> {
                  destination.refresh(index.destination());
                  return destination.count(index.destination());
                });
        long sourceCount = ConcurrentReads.join(sourceSide);
        long destinationCount = ConcurrentReads.join(destinationSide);
        Map<String, CutoverDelta.Kind> kinds = differing.getOrDefault(index.source(), Map.of());
        equal &= sourceCount == destinationCount && kinds.isEmpty();
        gap += Math.abs(destinationCount - sourceCount);
        results.add(
            new VerificationResult(
                index.source(),
                index.destination(),
                mode.name().toLowerCase(),
                sourceCount,
                destinationCount,
                listed(kinds, CutoverDelta.Kind.MISSING),
                listed(kinds, CutoverDelta.Kind.UNEXPECTED),
                listed(kinds, CutoverDelta.Kind.DIFFERENT),
                kinds.size(),
                (System.nanoTime() - started) / 1_000_000));
      }
      if (firstGap < 0) {
        firstGap = gap;
      }
      if (equal || !differing.isEmpty() || System.nanoTime() > deadline) {
        if (read > 1) {
          // Only the consumer's queued events close a gap here (deletes above all): how long it
          // took and how large it was tell a slow consumer from a stuck one.
          LOG.info(
              "rollover of {}: under the block the counts {} after {} reads in {} ms (documents"
                  + " apart: {} at the first read, {} at the last)",
              name,
              equal ? "agreed" : "still differed",
              read,
              (System.nanoTime() - started) / 1_000_000,
              firstGap,
              gap);
        }
        return results;
      }
      sleep(timing.poll());
    }
  }

  private static List<String> listed(Map<String, CutoverDelta.Kind> kinds, CutoverDelta.Kind kind) {
    return kinds.entrySet().stream()
        .filter(e -> e.getValue() == kind)
        .map(Map.Entry::getKey)
        .sorted()
        .limit(Verifier.MAX_LISTED)
        .toList();
  }

  /** The outcome of settling a rollover that stopped half-way. */
  record Settled(boolean committed, RolloverRecord record, RolloverReport finished) {}

  /**
   * Settles what an earlier attempt left: if its alias swap committed (the cluster says so,
   * whatever the record says), finishes the rollover; otherwise lifts our blocks so writes flow
   * again.
   */
  private Settled settle(RecipeRef ref, Recipe parsed, String cause) {
    if (parsed.isCrossCluster()) {
      return clusterSwitch().settle(ref, parsed, cause);
    }
    List<IndexRecord> indexes = lifecycle.store().listIndexes(ref);
    RolloverRecord record = lifecycle.store().getRollover(ref).orElseThrow();
    boolean committed =
        EnumSet.of(RolloverPhase.SWAPPED, RolloverPhase.UNBLOCKED).contains(record.phase())
            || (record.phase() == RolloverPhase.VERIFIED && swapVisible(indexes));
    if (!committed) {
      // Unfenced before unblocked: once writes flow, the consumers must apply deletes again.
      record = unfence(record, "stopped before the alias swap: " + cause);
      liftBlocks(lifecycle.source(), indexes);
      forgetBlocks(indexes);
      return new Settled(false, record, null);
    }
    liftBlocks(lifecycle.source(), indexes);
    forgetBlocks(indexes);
    Instant now = lifecycle.clock().instant();
    finish(
        ref,
        lifecycle
            .store()
            .saveRollover(
                record
                    .withPhase(RolloverPhase.UNBLOCKED)
                    .withUnblocked(now, valueOr(record.drainedBacklog()))),
        RecipeStatus.ROLLED_OVER);
    RolloverRecord finished = lifecycle.store().getRollover(ref).orElseThrow();
    LOG.warn(
        "rollover of {} had swapped the aliases before it stopped ({}): finished it", ref, cause);
    return new Settled(
        true,
        finished,
        new RolloverReport(
            ref.name(),
            true,
            null,
            List.of(),
            valueOr(finished.writeBlockedMillis()),
            List.of(),
            valueOr(finished.drainedBacklog()),
            Map.of(),
            "the aliases had been swapped before the rollover stopped ("
                + cause
                + "): finished it and lifted the write blocks"));
  }

  /** Whether some destination now carries an alias its source no longer has: the swap ran. */
  private boolean swapVisible(List<IndexRecord> indexes) {
    for (IndexRecord index : indexes) {
      Set<String> onDestination = aliasesOn(index.destination());
      if (onDestination.isEmpty()) {
        continue;
      }
      Set<String> onSource =
          lifecycle.source().indexExists(index.source()) ? aliasesOn(index.source()) : Set.of();
      for (String alias : onDestination) {
        if (!onSource.contains(alias)) {
          return true;
        }
      }
    }
    return false;
  }

  private Set<String> aliasesOn(String index) {
    Set<String> names = new java.util.HashSet<>();
    ResolvedExpression resolved = lifecycle.destination().resolve(index);
    for (ResolvedExpression.ConcreteIndex concrete : resolved.indexes()) {
      if (concrete.name().equals(index)) {
        concrete.aliases().forEach(a -> names.add(a.alias()));
      }
    }
    return names;
  }

  /**
   * After an exception: lifts our blocks unless the swap committed, records the failure, releases
   * the lease. Never hides the original exception; a failure here is logged and added to it.
   */
  private void abortAfter(RecipeRef ref, Recipe parsed, String owner, Throwable cause) {
    try {
      RecipeRecord recipe = lifecycle.store().getRecipe(ref.name()).orElse(null);
      RolloverRecord record = lifecycle.store().getRollover(ref).orElse(null);
      if (record == null || !owner.equals(record.owner())) {
        return;
      }
      if (recipe == null || recipe.status() != RecipeStatus.ROLLING_OVER) {
        lifecycle.store().saveRollover(record.withLease(null, null));
        return;
      }
      Settled settled = settle(ref, parsed, String.valueOf(cause.getMessage()));
      if (!settled.committed()) {
        fail(ref, parsed, settled.record(), "rollover failed: " + cause.getMessage());
      }
    } catch (RuntimeException cleanup) {
      LOG.error("rollover of {} failed, and so did lifting its write blocks", ref, cleanup);
      cause.addSuppressed(cleanup);
    }
  }

  /**
   * Records a failed rollover whose aliases did not move: our blocks lifted, the recipe back to
   * where it was (the operator may fix the cause and roll over again), the lease released.
   */
  private void fail(RecipeRef ref, Recipe parsed, RolloverRecord record, String failure) {
    List<IndexRecord> indexes = lifecycle.store().listIndexes(ref);
    RolloverRecord current = lifecycle.store().getRollover(ref).orElse(record);
    Instant now = lifecycle.clock().instant();
    RolloverRecord failed =
        current
            .withVerification(record.verificationJson())
            .withUnblocked(now, valueOr(record.drainedBacklog()))
            .withFailure(failure)
            .withLease(null, null);
    if (current.blockedAt() == null) {
      failed = failed.withWriteBlockedMillis(0);
    }
    // Unfenced (FAILED) before unblocked: once writes flow, the consumers must apply deletes again.
    try {
      lifecycle.store().saveRollover(failed);
    } finally {
      liftBlocks(lifecycle.sourceOf(parsed), indexes);
    }
    forgetBlocks(indexes);
    RecipeStatus back =
        parsed.sync().mode() == SyncOptions.SyncMode.NONE
            ? RecipeStatus.COPIED
            : RecipeStatus.SYNCING;
    lifecycle
        .store()
        .transition(
            ref.name(), Set.of(RecipeStatus.ROLLING_OVER), back, r -> r.withFailure(failure));
  }

  /**
   * Records that the fence is down, before writes flow again. If the state table cannot be written
   * the blocks are lifted all the same: a consumer that cannot read the table cannot apply either,
   * and the application's writes matter more than an event the queue will offer again.
   */
  RolloverRecord unfence(RolloverRecord record, String why) {
    try {
      return lifecycle.store().saveRollover(record.withFailure(why));
    } catch (RuntimeException e) {
      LOG.error(
          "could not record the end of the fence of {}; lifting the blocks anyway", record, e);
      return record;
    }
  }

  static long valueOr(Long value) {
    return value == null ? 0 : value;
  }

  /** Where the write-blocked time goes, step by step, so an operator can see what to tune. */
  static final class BlockedWindow {
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private long last;

    BlockedWindow(long startNanos) {
      last = startNanos;
    }

    void step(String name) {
      long now = System.nanoTime();
      steps.put(name, (now - last) / 1_000_000);
      last = now;
    }

    Map<String, Long> steps() {
      return Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }
  }

  /**
   * Waits until the sync queue holds nothing visible or in flight: a batch received before the
   * fence has then finished its writes, and any later one sees the fence.
   */
  private boolean awaitBatchesPastFence() {
    return awaitBacklogAtMost(0, timing.poll(), timing.drainTimeout()) == 0;
  }

  /**
   * Reads the sync queue's depth every {@code pause} until it is at most {@code limit}, for at most
   * {@code atMost} (and never longer than {@link Timing#drainTimeout()}); returns the last depth
   * read.
   */
  private long awaitBacklogAtMost(long limit, Duration pause, Duration atMost) {
    long deadline = System.nanoTime() + min(atMost, timing.drainTimeout()).toNanos();
    long backlog = lifecycle.sync().backlog();
    while (backlog > limit && System.nanoTime() <= deadline) {
      sleep(pause);
      backlog = lifecycle.sync().backlog();
    }
    return backlog;
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MigrationFailedException("interrupted while draining the sync backlog", e);
    }
  }

  /**
   * Records the recipe's final status, then gives up the lease: in the other order a rollover
   * started meanwhile could take the lease while the recipe still reads as rolling over, and run
   * (or settle) a cut-over that has already finished.
   */
  void finish(RecipeRef ref, RolloverRecord done, RecipeStatus status) {
    lifecycle.store().transition(ref.name(), Set.of(RecipeStatus.ROLLING_OVER), status);
    lifecycle.store().saveRollover(done.withLease(null, null));
  }

  /** Records that we are about to block the source, unless somebody else's block is there. */
  private IndexRecord markBlock(SearchCluster source, IndexRecord index) {
    if (index.writeBlockSetByUs()) {
      return index;
    }
    if (isWriteBlocked(source, index.source())) {
      // Somebody else's block: leave it, and never lift it.
      return index;
    }
    return lifecycle.store().updateIndex(index, i -> i.withWriteBlockSetByUs(true));
  }

  static void liftBlocks(SearchCluster source, List<IndexRecord> blocked) {
    for (IndexRecord index : blocked) {
      if (index.writeBlockSetByUs()) {
        source.setWriteBlock(index.source(), false);
      }
    }
  }

  void forgetBlocks(List<IndexRecord> blocked) {
    for (IndexRecord index : blocked) {
      if (index.writeBlockSetByUs()) {
        IndexRecord current =
            lifecycle.store().getIndex(index.recipe(), index.source()).orElse(index);
        lifecycle.store().updateIndex(current, i -> i.withWriteBlockSetByUs(false));
      }
    }
  }

  static boolean isWriteBlocked(SearchCluster source, String index) {
    var settings = source.getSettings(index);
    return settings.path("index.blocks.write").asBoolean(false);
  }

  /**
   * Moves the aliases in one atomic call, keeping filters, routing and is_write_index: every alias
   * the sources carry now (the application may have added some since init), or with {@code
   * moveAliases: false} only those the recipe named as sources.
   */
  private List<String> swapAliases(List<IndexRecord> indexes, boolean moveAll) {
    List<AliasAction> actions = new ArrayList<>();
    List<String> moved = new ArrayList<>();
    for (IndexRecord index : indexes) {
      ResolvedExpression current = lifecycle.source().resolve(index.source());
      for (ResolvedExpression.ConcreteIndex concrete : current.indexes()) {
        if (!concrete.name().equals(index.source())) {
          continue;
        }
        for (AliasInfo alias : concrete.aliases()) {
          if (!moveAll && index.aliases().stream().noneMatch(a -> a.name().equals(alias.alias()))) {
            continue;
          }
          actions.add(new AliasAction.Remove(index.source(), alias.alias()));
          actions.add(new AliasAction.Add(alias.onIndex(index.destination())));
          moved.add(alias.alias() + ": " + index.source() + " -> " + index.destination());
        }
      }
    }
    if (!actions.isEmpty()) {
      lifecycle.destination().updateAliases(actions);
    }
    return moved;
  }

  private String notReady(RecipeRecord recipe) {
    List<SliceRecord> slices = lifecycle.store().listSlices(recipe.ref());
    long done = slices.stream().filter(s -> s.status() == SliceStatus.DONE).count();
    return "recipe '"
        + recipe.name()
        + "' is not ready for rollover: status "
        + recipe.status()
        + ", "
        + done
        + " of "
        + slices.size()
        + " slices copied"
        + (recipe.failure() != null ? " (" + recipe.failure() + ")" : "")
        + "; rollover needs a finished copy";
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (Exception e) {
      return "[]";
    }
  }
}
