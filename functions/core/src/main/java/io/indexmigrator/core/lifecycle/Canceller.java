package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.state.ConflictException;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.state.RolloverRecord;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.core.state.SliceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code cancel}: stops the execution, cancels our reindex tasks (found by their tag, so only
 * ours), lifts write blocks we set, deletes the destination indexes this recipe created (unless
 * kept), and marks the recipe CANCELLED so {@code init} may start over. Source data is never
 * touched. Safe to repeat: a half-done cancel is finished by the next one.
 */
public final class Canceller {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Canceller.class);
  private static final Duration TASK_STOP_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How long after deleting the destinations a cancel looks again for a late writer re-creating
   * one: a reader step's page already on its way when the cancel fenced the shard, or a sync batch
   * that resolved its route (cached for 5 s) before the cancel.
   */
  static final Duration LATE_WRITE_GRACE = Duration.ofSeconds(6);

  private final Lifecycle lifecycle;
  private final Consumer<String> executionStopper;
  private final Runnable lateWriteWait;

  /**
   * @param executionStopper stops a Step Functions execution by ARN (a no-op if it has finished)
   */
  public Canceller(Lifecycle lifecycle, Consumer<String> executionStopper) {
    this(lifecycle, executionStopper, () -> sleep(LATE_WRITE_GRACE));
  }

  /**
   * @param lateWriteWait waits for late writers before the second look (tests: no waiting)
   */
  Canceller(Lifecycle lifecycle, Consumer<String> executionStopper, Runnable lateWriteWait) {
    this.lifecycle = lifecycle;
    this.executionStopper = executionStopper;
    this.lateWriteWait = lateWriteWait;
  }

  public CancelReport cancel(String name, boolean keepDestinations) {
    RecipeRecord recipe = lifecycle.recipe(name);
    if (recipe.status() == RecipeStatus.ROLLED_OVER) {
      throw new MigrationFailedException(
          "recipe '"
              + name
              + "' is already rolled over: the destinations are live, so there is nothing to cancel");
    }
    if (recipe.status() == RecipeStatus.SWITCHED) {
      throw new MigrationFailedException(
          "recipe '"
              + name
              + "' has switched the application to cluster '"
              + lifecycle.parsedRecipe(recipe).destination().cluster()
              + "': cancel would delete the indexes it now uses. Run 'migrator rollback "
              + name
              + "' to switch back to the source (it refuses if the destination was written), or"
              + " 'migrator commit "
              + name
              + "' to keep the switch");
    }
    String previous = recipe.status().name();
    boolean syncMayWrite = syncConsumerMayRun(recipe.status());
    if (recipe.status() == RecipeStatus.CANCELLED) {
      return new CancelReport(name, previous, false, List.of(), List.of(), List.of(), List.of());
    }
    if (recipe.status() == RecipeStatus.ROLLING_OVER) {
      takeOverRollover(recipe.ref());
    }
    // Only from the status just checked: a rollover that started since must not be cancelled
    // under it (its transition and this one are conditional on the same record).
    try {
      recipe =
          lifecycle.store().transition(name, EnumSet.of(recipe.status()), RecipeStatus.CANCELLING);
    } catch (ConflictException e) {
      throw new MigrationFailedException(
          "recipe '"
              + name
              + "' changed while cancelling ("
              + e.getMessage()
              + "); run cancel again to see its state",
          e);
    }
    RecipeRef ref = recipe.ref();

    boolean stopped = false;
    if (recipe.executionArn() != null) {
      executionStopper.accept(recipe.executionArn());
      stopped = true;
    }
    boolean lateWritersPossible = fenceReaderPasses(ref) || syncMayWrite;
    List<String> cancelled = cancelTasks(ref);

    List<String> lifted = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    List<IndexRecord> indexes = lifecycle.store().listIndexes(ref);
    for (IndexRecord index : indexes) {
      if (index.writeBlockSetByUs()) {
        lifecycle.source().setWriteBlock(index.source(), false);
        lifecycle.store().updateIndex(index, i -> i.withWriteBlockSetByUs(false));
        lifted.add(index.source());
      }
      if (!index.createdByUs()) {
        continue;
      }
      if (keepDestinations) {
        kept.add(index.destination());
      } else if (lifecycle.destination().deleteIndex(index.destination())) {
        deleted.add(index.destination());
      }
    }
    if (lateWritersPossible && !deleted.isEmpty()) {
      sweepLateWrites(deleted);
    }
    lifecycle.store().transition(name, Set.of(RecipeStatus.CANCELLING), RecipeStatus.CANCELLED);
    return new CancelReport(name, previous, stopped, cancelled, lifted, deleted, kept);
  }

  /**
   * A rollover under way is never cancelled: once its consumers are fenced or its aliases moved,
   * the destination may already serve the application, and deleting it would lose data. A rollover
   * that stopped before that point (its lease expired) is taken over: the cancel then lifts its
   * blocks like any other.
   */
  private void takeOverRollover(RecipeRef ref) {
    RolloverRecord rollover = lifecycle.store().getRollover(ref).orElse(null);
    if (rollover == null) {
      return;
    }
    if (EnumSet.of(RolloverPhase.VERIFIED, RolloverPhase.SWAPPED, RolloverPhase.UNBLOCKED)
        .contains(rollover.phase())) {
      throw new MigrationFailedException(
          "recipe '"
              + ref.name()
              + "' is past the point of no return of its rollover (phase "
              + rollover.phase()
              + "): the destinations may already serve the application, so cancel would lose"
              + " data. Run 'migrator rollover "
              + ref.name()
              + "' to finish it (or to roll it back if the aliases did not move)");
    }
    Instant now = lifecycle.clock().instant();
    if (rollover.leaseHeld(now)) {
      throw new MigrationFailedException(
          RolloverCoordinator.runningMessage(ref.name(), rollover)
              + "; cancel once it has finished or failed");
    }
    try {
      lifecycle
          .store()
          .saveRollover(
              rollover
                  .withFailure("cancelled")
                  .withLease("cancel", now.plus(RolloverCoordinator.LEASE)));
    } catch (ConflictException e) {
      throw new MigrationFailedException(
          "a rollover of '" + ref.name() + "' changed while cancelling; run cancel again", e);
    }
  }

  /**
   * Cancels every task tagged for this recipe and waits until they are gone: a reindex still
   * running after its destination is deleted would create the index again with dynamic mappings.
   */
  private List<String> cancelTasks(RecipeRef ref) {
    String tag = TaskTag.ofRecipe(ref);
    Set<String> ids = new LinkedHashSet<>();
    lifecycle.destination().findTasks(tag).forEach(t -> ids.add(t.taskId()));
    for (SliceRecord slice : lifecycle.store().listSlices(ref)) {
      if (slice.taskId() != null
          && slice.status() == SliceStatus.RUNNING
          && !ReaderCopyEngine.isPass(slice.taskId())) {
        ids.add(slice.taskId());
      }
    }
    for (String id : ids) {
      try {
        lifecycle.destination().cancelTask(id);
      } catch (SearchClusterException e) {
        if (e.status() != 404) {
          throw e;
        }
      }
    }
    long deadline = System.nanoTime() + TASK_STOP_TIMEOUT.toNanos();
    while (!lifecycle.destination().findTasks(tag).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new RetryableMigrationException(
            "reindex tasks of '"
                + ref.name()
                + "' did not stop within "
                + TASK_STOP_TIMEOUT.toSeconds()
                + " s; run cancel again");
      }
      sleep(Duration.ofMillis(250));
    }
    return List.copyOf(ids);
  }

  /**
   * Fails every shard the reader engine is copying: their next checkpoint is refused, so a step
   * still running (a stopped execution does not stop its Lambda invocation) stops at its next page.
   *
   * @return whether any was running
   */
  private boolean fenceReaderPasses(RecipeRef ref) {
    boolean any = false;
    for (SliceRecord slice : lifecycle.store().listSlices(ref)) {
      if (slice.status() == SliceStatus.RUNNING && ReaderCopyEngine.isPass(slice.taskId())) {
        try {
          lifecycle.store().failSlice(slice.key(), "cancelled");
        } catch (ConflictException finishedMeanwhile) {
          // Done in the meantime: nothing left to stop.
        }
        any = true;
      }
    }
    return any;
  }

  /** Whether the sync consumer may be applying events (it is enabled once the copy is over). */
  private static boolean syncConsumerMayRun(RecipeStatus status) {
    return status == RecipeStatus.SYNCING || status == RecipeStatus.ROLLING_OVER;
  }

  /**
   * Deletes again what a late write re-created after the first delete. Such an index holds only
   * what that write carried, under dynamic mappings, and this recipe made it: leaving it would
   * block the next init with a destination that exists.
   */
  private void sweepLateWrites(List<String> deleted) {
    lateWriteWait.run();
    for (String destination : deleted) {
      if (lifecycle.destination().deleteIndex(destination)) {
        LOG.warn(
            "{} was re-created by a late write after cancel deleted it; deleted again",
            destination);
      }
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableMigrationException("interrupted while cancelling", e);
    }
  }
}
