package io.indexmigrator.core.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.recipe.CopyOptions;
import io.indexmigrator.core.recipe.IndexSpec;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.SyncOptions;
import io.indexmigrator.core.recipe.Transform;
import io.indexmigrator.core.search.ReindexRequest;
import io.indexmigrator.core.search.ReindexTaskStatus;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.state.ConflictException;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.SliceKey;
import io.indexmigrator.core.state.SliceProgress;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.core.state.SliceStatus;
import io.indexmigrator.core.sync.PollSync;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The steps of the copy state machine (statemachine/migration.asl.json). Each step reads its truth
 * from the state store and the cluster, never from the execution's input alone, so any step may be
 * repeated, and a new execution resumes what a stopped or crashed one left: running tasks are
 * re-attached, finished slices skipped.
 */
public final class CopyCoordinator {
  /** Slices handed to one execution round; bounds the round's history. */
  static final int MAX_ITEMS_PER_ROUND = 40;

  /** Polls of one slice per round before the round yields to a fresh execution. */
  static final int MAX_POLLS_PER_ROUND = 60;

  /**
   * How long one poll waits inside the engine for the task to finish ({@code _tasks/<id>?
   * wait_for_completion}), so the end of a copy is noticed when it happens, not at the next poll.
   * Below the transports' 30 s response timeout.
   */
  static final java.time.Duration TASK_WAIT = java.time.Duration.ofSeconds(15);

  /** Longest Wait state between polls of a task expected to run much longer. */
  static final int MAX_WAIT_SECONDS = 30;

  static final java.time.Duration POLL_BUDGET = java.time.Duration.ofSeconds(20);
  static final int POLL_IDLE_SECONDS = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Lifecycle lifecycle;

  public CopyCoordinator(Lifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  /** One work item of the Map state. */
  public record SliceItem(String recipe, int generation, String source, int sliceId) {
    SliceKey key() {
      return new SliceKey(new RecipeRef(recipe, generation), source, sliceId);
    }
  }

  /** Output of {@code plan}. */
  public record PlanResult(
      String recipe, int generation, int round, int itemCount, List<SliceItem> items) {}

  /**
   * Output of {@code startSlice} and {@code pollSlice}: whether the item's loop ends, and how long
   * to wait before the next poll otherwise.
   */
  public record SliceStep(boolean finished, String status, int waitSeconds, int polls) {}

  /**
   * Starts or resumes a round: marks the recipe RUNNING under this execution, and hands out the
   * slices that are not finished. Round 0 (a fresh {@code run}) also gives failed slices another
   * attempt.
   */
  public PlanResult plan(String recipeName, int round, String executionArn) {
    RecipeRecord current = lifecycle.recipe(recipeName);
    if (current.status() == RecipeStatus.SYNCING) {
      // Copied already: a new execution (continued, or a resumed run) goes straight to the sync.
      lifecycle.store().updateRecipe(current, r -> r.withExecutionArn(executionArn));
      return new PlanResult(recipeName, current.generation(), round, 0, List.of());
    }
    RecipeRecord recipe =
        lifecycle
            .store()
            .transition(
                recipeName,
                Set.of(RecipeStatus.INITIALIZED, RecipeStatus.RUNNING, RecipeStatus.FAILED),
                RecipeStatus.RUNNING,
                r -> r.withExecutionArn(executionArn).withFailure(null));
    if (!executionArn.equals(recipe.executionArn())) {
      recipe = lifecycle.store().updateRecipe(recipe, r -> r.withExecutionArn(executionArn));
    }
    RecipeRef ref = recipe.ref();
    for (IndexRecord index : lifecycle.store().listIndexes(ref)) {
      if (index.phase() == IndexPhase.PENDING || index.phase() == IndexPhase.FAILED) {
        lifecycle.store().updateIndex(index, i -> i.withPhase(IndexPhase.COPYING));
      }
    }
    if (lifecycle.parsedRecipe(recipe).sync().mode() == SyncOptions.SyncMode.POLL) {
      // Before any slice starts: operations after these checkpoints are polled after the copy.
      new PollSync(lifecycle, lifecycle.pollCheckpoints()).begin(ref);
    }
    List<SliceItem> items = new ArrayList<>();
    for (SliceRecord slice : lifecycle.store().listSlices(ref)) {
      if (slice.status() == SliceStatus.DONE) {
        continue;
      }
      if (slice.status() == SliceStatus.FAILED) {
        if (round > 0) {
          continue;
        }
        lifecycle.store().resetSlice(slice.key(), slice.version());
      }
      if (items.size() < MAX_ITEMS_PER_ROUND) {
        items.add(new SliceItem(ref.name(), ref.generation(), slice.source(), slice.sliceId()));
      }
    }
    return new PlanResult(ref.name(), ref.generation(), round, items.size(), items);
  }

  /**
   * Starts the slice's task, or re-attaches to the one already running for it, then polls it once
   * (waiting in the engine), so a small index is copied within this one invocation.
   */
  public SliceStep startSlice(SliceItem item) {
    SliceKey key = item.key();
    if (isCancelled(key)) {
      return new SliceStep(true, "CANCELLED", 0, 0);
    }
    SliceRecord slice = slice(key);
    switch (slice.status()) {
      case DONE, FAILED -> {
        return finished(slice);
      }
      case RUNNING -> {
        return pollSlice(item, 0);
      }
      case STARTING -> {
        // The claimer died between claiming and recording: its task may exist.
        Optional<String> orphan = findOurTask(key);
        if (orphan.isPresent()) {
          lifecycle.store().recordTask(key, orphan.get());
          return pollSlice(item, 0);
        }
        slice = lifecycle.store().resetSlice(key, slice.version());
      }
      default -> {
        // PENDING: claim below.
      }
    }
    SliceRecord claimed;
    try {
      claimed = lifecycle.store().claimSlice(key, slice.version());
    } catch (ConflictException lostRace) {
      throw new RetryableMigrationException(
          "slice " + key + " was claimed concurrently; retrying picks up the winner's task",
          lostRace);
    }
    String taskId = startTask(key, claimed);
    lifecycle.store().recordTask(key, taskId);
    if (isCancelled(key)) {
      // A cancel ran while this invocation was starting the task and may have missed it: a task
      // left running would re-create the destination the cancel deletes.
      lifecycle.destination().cancelTask(taskId);
      return new SliceStep(true, "CANCELLED", 0, 0);
    }
    return pollSlice(item, 0);
  }

  /**
   * Polls the slice's task once, waiting up to {@link #TASK_WAIT} for it to finish, and checkpoints
   * its progress.
   */
  public SliceStep pollSlice(SliceItem item, int polls) {
    SliceKey key = item.key();
    if (isCancelled(key)) {
      return new SliceStep(true, "CANCELLED", 0, polls);
    }
    SliceRecord slice = slice(key);
    if (slice.status() != SliceStatus.RUNNING) {
      return slice.status() == SliceStatus.DONE || slice.status() == SliceStatus.FAILED
          ? finished(slice)
          : startSlice(item);
    }
    ReindexTaskStatus task;
    try {
      task = lifecycle.destination().awaitTask(slice.taskId(), TASK_WAIT);
    } catch (SearchClusterException e) {
      if (e.status() == 404) {
        // The cluster lost the task (a restart): copy the slice again; writes are idempotent.
        lifecycle
            .store()
            .failSlice(key, "task " + slice.taskId() + " disappeared from the cluster");
        SliceRecord failed = slice(key);
        lifecycle.store().resetSlice(key, failed.version());
        return startSlice(item);
      }
      throw e;
    }
    SliceProgress progress = progress(task);
    if (!task.completed()) {
      lifecycle.store().recordProgress(key, slice.taskId(), progress);
      int next = nextWaitSeconds(task, slice);
      if (polls + 1 >= MAX_POLLS_PER_ROUND) {
        return new SliceStep(true, "YIELDED", next, polls + 1);
      }
      return new SliceStep(false, "RUNNING", next, polls + 1);
    }
    if (task.succeeded()) {
      lifecycle.store().completeSlice(key, slice.taskId(), progress);
      return new SliceStep(true, "DONE", 0, polls + 1);
    }
    lifecycle.store().recordProgress(key, slice.taskId(), progress);
    String reason =
        task.cancelled()
            ? "task was cancelled"
            : task.error() != null
                ? task.error()
                : task.failures().size() + " documents failed, first: " + task.failures().get(0);
    lifecycle.store().failSlice(key, reason);
    return new SliceStep(true, "FAILED", 0, polls + 1);
  }

  /**
   * Seconds of Wait state before the next poll of a running task: none while the task may end
   * within about one more {@link #TASK_WAIT} (the poll waits in the engine instead), otherwise half
   * of the time the task's own rate says is left beyond that, so the wake-up comes early rather
   * than late even if the rate drops, and no Lambda runs while a long copy goes on.
   */
  int nextWaitSeconds(ReindexTaskStatus task, SliceRecord slice) {
    if (slice.startedAt() == null || task.total() <= 0 || task.processed() <= 0) {
      return 0;
    }
    double elapsed =
        java.time.Duration.between(slice.startedAt(), lifecycle.clock().instant()).toMillis()
            / 1000.0;
    double rate = task.processed() / Math.max(elapsed, 0.001);
    double left = Math.max(0, task.total() - task.processed()) / rate;
    double wait = (left - 2 * TASK_WAIT.toSeconds()) / 2;
    return (int) Math.max(0, Math.min(MAX_WAIT_SECONDS, wait));
  }

  /**
   * After a round's slices: whether the copy can be finished in this execution, i.e. every slice of
   * the recipe's generation is done or failed while the recipe still runs. Otherwise (slices
   * yielded or not handed out, a cancel, a re-init) the round continues as a new execution, whose
   * plan decides; a finished copy saves that execution and its Lambda invocations.
   */
  public boolean copyRoundsOver(String recipeName, int generation) {
    RecipeRecord recipe = lifecycle.recipe(recipeName);
    if (recipe.generation() != generation || recipe.status() != RecipeStatus.RUNNING) {
      return false;
    }
    return lifecycle.store().listSlices(recipe.ref()).stream()
        .allMatch(s -> s.status() == SliceStatus.DONE || s.status() == SliceStatus.FAILED);
  }

  /**
   * Ends the copy when every slice is done: restores the destinations' refresh interval and
   * replicas, refreshes them, and marks the recipe COPIED. A failed slice fails the recipe, with
   * the reasons, and leaves the destinations for inspection.
   */
  public Map<String, Object> finishCopy(String recipeName, int generation) {
    RecipeRecord recipe = lifecycle.recipe(recipeName);
    RecipeRef ref = recipe.ref();
    if (ref.generation() != generation) {
      throw new MigrationFailedException(
          "recipe '" + recipeName + "' was re-initialized (generation " + ref.generation() + ")");
    }
    List<SliceRecord> slices = lifecycle.store().listSlices(ref);
    List<String> failures = new ArrayList<>();
    long notDone = 0;
    for (SliceRecord slice : slices) {
      if (slice.status() == SliceStatus.FAILED) {
        failures.add(slice.source() + " slice " + slice.sliceId() + ": " + slice.lastError());
      } else if (slice.status() != SliceStatus.DONE) {
        notDone++;
      }
    }
    if (!failures.isEmpty()) {
      String message = failures.size() + " slices failed: " + String.join("; ", failures);
      for (IndexRecord index : lifecycle.store().listIndexes(ref)) {
        lifecycle.store().updateIndex(index, i -> i.withPhase(IndexPhase.FAILED));
      }
      lifecycle
          .store()
          .transition(
              recipeName,
              Set.of(RecipeStatus.RUNNING),
              RecipeStatus.FAILED,
              r -> r.withFailure(message));
      throw new MigrationFailedException(message);
    }
    if (notDone > 0) {
      throw new RetryableMigrationException(notDone + " slices are still copying");
    }
    long copied = 0;
    for (IndexRecord index : lifecycle.store().listIndexes(ref)) {
      if (index.phase() != IndexPhase.COPIED) {
        lifecycle.destination().putSettings(index.destination(), restoreSettings(index));
        lifecycle.destination().refresh(index.destination());
        lifecycle.store().updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
      }
    }
    for (SliceRecord slice : slices) {
      copied += copiedDocuments(slice.progress());
    }
    SyncOptions.SyncMode mode = lifecycle.parsedRecipe(recipe).sync().mode();
    RecipeStatus next =
        mode == SyncOptions.SyncMode.NONE ? RecipeStatus.COPIED : RecipeStatus.SYNCING;
    lifecycle.store().transition(recipeName, Set.of(RecipeStatus.RUNNING), next);
    if (mode == SyncOptions.SyncMode.EVENTS) {
      // Events queued since init (during the copy) are applied now, after the snapshot copy.
      lifecycle.sync().enableConsumer();
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("recipe", recipeName);
    result.put("status", next.name());
    result.put("syncMode", mode.name().toLowerCase());
    result.put("docsCopied", copied);
    return result;
  }

  /** Output of {@code pollChanges}: whether to poll again, and after how long. */
  public record PollStep(boolean again, int polls, int waitSeconds, long applied) {}

  /**
   * One round of {@code sync: poll}, while the recipe is SYNCING. Stops the loop once it is not
   * (rollover takes over the last poll under its write block; cancel ends it).
   */
  public PollStep pollChanges(String recipeName, int generation, int polls) {
    RecipeRecord recipe = lifecycle.recipe(recipeName);
    if (recipe.generation() != generation || recipe.status() != RecipeStatus.SYNCING) {
      return new PollStep(false, polls, 0, 0);
    }
    long started = System.nanoTime();
    PollSync.Round round =
        new PollSync(lifecycle, lifecycle.pollCheckpoints()).pollOnce(recipe.ref(), POLL_BUDGET);
    if (round.applied() > 0) {
      lifecycle
          .store()
          .recordSyncBatch(
              recipe.ref(),
              round.applied(),
              0,
              0,
              (System.nanoTime() - started) / 1_000_000,
              lifecycle.clock().instant());
    }
    return new PollStep(true, polls + 1, round.caughtUp() ? POLL_IDLE_SECONDS : 0, round.applied());
  }

  /** Marks the recipe FAILED with the error a state caught. */
  public void recordFailure(String recipeName, String error, String cause) {
    String message = (error == null ? "error" : error) + (cause == null ? "" : ": " + cause);
    try {
      lifecycle
          .store()
          .transition(
              recipeName,
              Set.of(RecipeStatus.INITIALIZED, RecipeStatus.RUNNING),
              RecipeStatus.FAILED,
              r -> r.withFailure(message));
    } catch (ConflictException alreadyElsewhere) {
      // A cancel or a finished copy came first; its status stands.
    }
  }

  /** Whether the slice's recipe generation is being (or was) cancelled or replaced. */
  private boolean isCancelled(SliceKey key) {
    return lifecycle
        .store()
        .getRecipe(key.recipe().name())
        .map(
            r ->
                r.generation() != key.recipe().generation()
                    || r.status() == RecipeStatus.CANCELLING
                    || r.status() == RecipeStatus.CANCELLED)
        .orElse(true);
  }

  static long copiedDocuments(SliceProgress progress) {
    return progress.created() + progress.updated() + progress.versionConflicts();
  }

  private String startTask(SliceKey key, SliceRecord slice) {
    RecipeRecord recipeRecord = lifecycle.recipe(key.recipe().name());
    Recipe recipe = lifecycle.parsedRecipe(recipeRecord);
    IndexRecord index =
        lifecycle
            .store()
            .getIndex(key.recipe(), key.source())
            .orElseThrow(() -> new MigrationFailedException("no index record for " + key));
    IndexSpec spec = specOf(recipe, index);
    // The entry's effective options: the recipe's, overridden by the entry's own copy section.
    CopyOptions copy = spec.copy();
    Transform transform = spec.transform();
    // Slice records of one per index (today's plans) leave the slicing to the engine; a state
    // written by an older version has one record per manual slice, which is resumed as such.
    boolean manualSlice = slice.sliceCount() > 1;
    Integer engineSlices = !manualSlice && index.sliceCount() > 1 ? index.sliceCount() : null;
    ReindexRequest request =
        new ReindexRequest(
            index.source(),
            index.destination(),
            null,
            manualSlice ? slice.sliceId() : null,
            manualSlice ? slice.sliceCount() : null,
            engineSlices,
            copy.batchSize(),
            copy.requestsPerSecond(),
            transform instanceof Transform.Script s ? s.source() : null,
            transform instanceof Transform.Script s ? s.lang() : null,
            transform instanceof Transform.Script s ? s.params() : null,
            transform instanceof Transform.Pipeline p ? p.name() : null,
            null,
            null,
            // External versions carry the source's _version: a re-copied slice or a late copy can
            // never overwrite a newer document written by sync.
            "external",
            true);
    return lifecycle
        .destination()
        .startReindex(request, TaskTag.ofSlice(key.recipe(), key.source(), key.sliceId()));
  }

  private static IndexSpec specOf(Recipe recipe, IndexRecord index) {
    return recipe.indexes().get(RecipeEntries.indexOf(index.recipeEntry()));
  }

  private Optional<String> findOurTask(SliceKey key) {
    String tag = TaskTag.ofSlice(key.recipe(), key.source(), key.sliceId());
    return lifecycle.destination().findTasks(tag).stream()
        .filter(t -> tag.equals(t.opaqueId()))
        .map(t -> t.taskId())
        .findFirst();
  }

  private ObjectNode restoreSettings(IndexRecord index) {
    try {
      return (ObjectNode) JSON.readTree(index.restoreSettingsJson());
    } catch (Exception e) {
      throw new MigrationFailedException(
          "stored restore settings of " + index.source() + " are not JSON", e);
    }
  }

  private SliceRecord slice(SliceKey key) {
    return lifecycle
        .store()
        .getSlice(key)
        .orElseThrow(() -> new MigrationFailedException("no slice " + key + " in the state table"));
  }

  private static SliceStep finished(SliceRecord slice) {
    return new SliceStep(true, slice.status().name(), 0, 0);
  }

  private static SliceProgress progress(ReindexTaskStatus task) {
    return new SliceProgress(
        task.total(),
        task.created(),
        task.updated(),
        task.deleted(),
        task.versionConflicts(),
        task.batches(),
        task.failures().size(),
        task.failures());
  }
}
