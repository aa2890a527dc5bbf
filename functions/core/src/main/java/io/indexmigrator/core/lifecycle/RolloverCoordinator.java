package io.indexmigrator.core.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.SyncOptions;
import io.indexmigrator.core.search.AliasAction;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.state.RolloverRecord;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.core.state.SliceStatus;
import io.indexmigrator.core.sync.PollSync;
import io.indexmigrator.core.verify.VerificationResult;
import io.indexmigrator.core.verify.Verifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rollover}: block writes on the sources, verify, move every alias to the destinations in
 * one atomic {@code _aliases} call, lift the blocks. The sources stay, for rollback. A failed
 * verification changes no alias and lifts the blocks. A rollover that died half-way resumes: blocks
 * we set are known from the state table, and aliases already moved are not moved twice.
 */
public final class RolloverCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(RolloverCoordinator.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final long MAX_BACKLOG_TO_START = 500;
  private static final long DRAIN_GRACE_MILLIS = 150;
  private static final long DRAIN_POLL_MILLIS = 40;
  private static final int DRAIN_EMPTY_READS = 3;
  private static final long DRAIN_TIMEOUT_MILLIS = 30_000;

  private final Lifecycle lifecycle;
  private final int verifySlices;

  public RolloverCoordinator(Lifecycle lifecycle, int verifySlices) {
    this.lifecycle = lifecycle;
    this.verifySlices = verifySlices;
  }

  /**
   * Rolls recipe {@code name} over.
   *
   * @param requestedMode the verification to run, or null for the recipe's {@code rollover.verify}
   */
  public RolloverReport rollover(String name, Verifier.Mode requestedMode) {
    RecipeRecord recipe = lifecycle.recipe(name);
    RecipeRef ref = recipe.ref();
    if (recipe.status() == RecipeStatus.ROLLED_OVER) {
      throw new MigrationFailedException("recipe '" + name + "' is already rolled over");
    }
    if (!Set.of(RecipeStatus.COPIED, RecipeStatus.SYNCING, RecipeStatus.ROLLING_OVER)
        .contains(recipe.status())) {
      throw new MigrationFailedException(notReady(recipe));
    }
    Recipe parsed = lifecycle.parsedRecipe(recipe);
    if (parsed.sync().mode() == SyncOptions.SyncMode.POLL && !parsed.sync().acceptMissedDeletes()) {
      throw new MigrationFailedException(
          "recipe '"
              + name
              + "' syncs by polling, which cannot see deletions: documents deleted from the source"
              + " during the migration may remain in the destination. Set sync.acceptMissedDeletes:"
              + " true in the recipe to accept that, or use sync.mode: events");
    }
    if (parsed.sync().mode() == SyncOptions.SyncMode.EVENTS) {
      // Writes stay blocked until the backlog is applied: refuse while it is large, rather than
      // pause the application for as long as the consumer needs.
      long backlog = lifecycle.sync().backlog();
      if (backlog > MAX_BACKLOG_TO_START) {
        throw new MigrationFailedException(
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
    lifecycle
        .store()
        .transition(
            name, Set.of(RecipeStatus.COPIED, RecipeStatus.SYNCING), RecipeStatus.ROLLING_OVER);
    List<IndexRecord> indexes = lifecycle.store().listIndexes(ref);

    // The state table is written before and after the write-blocked window, never inside it:
    // first the intent to block (so a cancel or a resumed rollover lifts only our blocks).
    List<IndexRecord> blocked = new ArrayList<>();
    for (IndexRecord index : indexes) {
      blocked.add(markBlock(index));
    }
    RolloverRecord record =
        lifecycle
            .store()
            .getRollover(ref)
            .orElseGet(() -> RolloverRecord.blocked(ref, lifecycle.clock().instant()));
    record = lifecycle.store().saveRollover(record.withPhase(RolloverPhase.BLOCKED));
    long blockedAt = System.nanoTime();
    BlockedWindow window = new BlockedWindow(blockedAt);
    for (IndexRecord index : blocked) {
      if (index.writeBlockSetByUs()) {
        lifecycle.source().setWriteBlock(index.source(), true);
      }
    }
    window.step("block");
    long drained = 0;
    if (parsed.sync().mode() != SyncOptions.SyncMode.NONE) {
      try {
        drained =
            parsed.sync().mode() == SyncOptions.SyncMode.EVENTS
                ? drain(indexes)
                : new PollSync(lifecycle, lifecycle.pollCheckpoints())
                    .drain(ref, java.time.Duration.ofMillis(DRAIN_TIMEOUT_MILLIS));
      } catch (MigrationFailedException e) {
        liftBlocks(blocked);
        forgetBlocks(blocked);
        lifecycle
            .store()
            .transition(
                name,
                Set.of(RecipeStatus.ROLLING_OVER),
                RecipeStatus.SYNCING,
                r -> r.withFailure(e.getMessage()));
        throw e;
      }
    }

    window.step("drain");
    Verifier verifier =
        new Verifier(lifecycle.source(), lifecycle.destination(), verifySlices, 1000);
    List<VerificationResult> results = new ArrayList<>();
    for (IndexRecord index : indexes) {
      boolean transformed =
          parsed.indexes().get(RecipeEntries.indexOf(index.recipeEntry())).transform() != null;
      results.add(verifier.verify(index.source(), index.destination(), mode, !transformed));
    }
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
      if (!batchesDone) {
        passed = false;
        notSwapped =
            "sync batches were still in flight "
                + DRAIN_TIMEOUT_MILLIS / 1000
                + " s after verification";
      } else {
        moved = swapAliases(indexes, parsed.rollover().moveAliases());
        window.step("swap");
      }
    }
    liftBlocks(blocked);
    window.step("unblock");
    long writeBlockedMillis = (System.nanoTime() - blockedAt) / 1_000_000;
    forgetBlocks(blocked);
    if (passed && parsed.rollover().deleteSourceAfter()) {
      for (IndexRecord index : indexes) {
        lifecycle.source().deleteIndex(index.source());
      }
    }
    RolloverRecord unblocked =
        record
            .withVerification(toJson(results))
            .withUnblocked(lifecycle.clock().instant(), drained)
            .withWriteBlockedMillis(writeBlockedMillis);
    RolloverReport report;
    if (passed) {
      lifecycle.store().saveRollover(unblocked.withPhase(RolloverPhase.UNBLOCKED));
      lifecycle
          .store()
          .transition(name, Set.of(RecipeStatus.ROLLING_OVER), RecipeStatus.ROLLED_OVER);
      report =
          new RolloverReport(
              name,
              true,
              mode.name().toLowerCase(),
              results,
              writeBlockedMillis,
              moved,
              drained,
              window.steps(),
              moved.isEmpty()
                  ? "verified; the sources had no aliases to move: point readers at the destinations"
                  : "verified and rolled over");
    } else {
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
      lifecycle
          .store()
          .saveRollover(unblocked.withFailure(failure).withPhase(RolloverPhase.FAILED));
      // Back to where it was: the operator may fix the cause and roll over again.
      RecipeStatus back =
          parsed.sync().mode() == SyncOptions.SyncMode.NONE
              ? RecipeStatus.COPIED
              : RecipeStatus.SYNCING;
      lifecycle
          .store()
          .transition(name, Set.of(RecipeStatus.ROLLING_OVER), back, r -> r.withFailure(failure));
      report =
          new RolloverReport(
              name,
              false,
              mode.name().toLowerCase(),
              results,
              writeBlockedMillis,
              List.of(),
              drained,
              window.steps(),
              failure + "; no alias was changed and the write blocks were lifted");
    }
    LOG.info(
        "rollover of {}: {} ({} ms write-blocked)", name, report.message(), writeBlockedMillis);
    return report;
  }

  /**
   * Waits, under the write block, until the sync consumer has applied every queued event: no new
   * event can be produced (writes are refused), so an empty queue with nothing in flight, seen
   * several times in a row, means the destinations caught up. The first pause lets events of writes
   * acknowledged just before the block reach the queue.
   *
   * @return the backlog found when the block was set
   */
  private long drain(List<IndexRecord> indexes) {
    sleep(DRAIN_GRACE_MILLIS);
    long first = lifecycle.sync().backlog();
    long deadline = System.nanoTime() + DRAIN_TIMEOUT_MILLIS * 1_000_000L;
    int emptyReads = first == 0 ? 1 : 0;
    // Queue depths are approximate (SQS says so; a FIFO queue may not count messages of groups
    // in flight), so an empty queue must also show in the data: equal counts on both sides.
    while (emptyReads < DRAIN_EMPTY_READS || !countsAgree(indexes)) {
      if (System.nanoTime() > deadline) {
        throw new MigrationFailedException(
            "the sync backlog did not drain within "
                + DRAIN_TIMEOUT_MILLIS / 1000
                + " s (still "
                + lifecycle.sync().backlog()
                + " events); no alias was changed and the write blocks were lifted");
      }
      sleep(DRAIN_POLL_MILLIS);
      emptyReads = lifecycle.sync().backlog() == 0 ? emptyReads + 1 : 0;
    }
    return first;
  }

  /** Where the write-blocked time goes, step by step, so an operator can see what to tune. */
  private static final class BlockedWindow {
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
    long deadline = System.nanoTime() + DRAIN_TIMEOUT_MILLIS * 1_000_000L;
    while (lifecycle.sync().backlog() != 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(DRAIN_POLL_MILLIS);
    }
    return true;
  }

  private boolean countsAgree(List<IndexRecord> indexes) {
    for (IndexRecord index : indexes) {
      lifecycle.source().refresh(index.source());
      lifecycle.destination().refresh(index.destination());
      if (lifecycle.source().count(index.source())
          != lifecycle.destination().count(index.destination())) {
        return false;
      }
    }
    return true;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MigrationFailedException("interrupted while draining the sync backlog", e);
    }
  }

  /** Records that we are about to block the source, unless somebody else's block is there. */
  private IndexRecord markBlock(IndexRecord index) {
    if (index.writeBlockSetByUs()) {
      return index;
    }
    if (isWriteBlocked(index.source())) {
      // Somebody else's block: leave it, and never lift it.
      return index;
    }
    return lifecycle.store().updateIndex(index, i -> i.withWriteBlockSetByUs(true));
  }

  private void liftBlocks(List<IndexRecord> blocked) {
    for (IndexRecord index : blocked) {
      if (index.writeBlockSetByUs()) {
        lifecycle.source().setWriteBlock(index.source(), false);
      }
    }
  }

  private void forgetBlocks(List<IndexRecord> blocked) {
    for (IndexRecord index : blocked) {
      if (index.writeBlockSetByUs()) {
        IndexRecord current =
            lifecycle.store().getIndex(index.recipe(), index.source()).orElse(index);
        lifecycle.store().updateIndex(current, i -> i.withWriteBlockSetByUs(false));
      }
    }
  }

  private boolean isWriteBlocked(String index) {
    var settings = lifecycle.source().getSettings(index);
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

  private static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (Exception e) {
      return "[]";
    }
  }
}
