package io.indexmigrator.core.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.recipe.IndexSpec;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.SyncOptions;
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

  /**
   * The copy Map's {@code MaxConcurrency} in migration.asl.json (a test pins the two together). A
   * round with reader items hands out no more than this, started items first: a reader item holds a
   * scroll or point in time between its steps, and in a round larger than the Map's concurrency an
   * item that yielded would wait for every later wave of the round, hours at scale, far beyond the
   * context's keep-alive, and start again from its first document each round.
   */
  public static final int MAP_CONCURRENCY = 8;

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

  /**
   * Indexes finished at once by {@code finishCopy}: refreshes run in the destination's refresh
   * pool, so more at once only queue there, and a recipe's many small indexes still end in a few
   * waves.
   */
  static final int FINISH_CONCURRENCY = 8;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Lifecycle lifecycle;
  private final ReindexCopyEngine reindexEngine;
  private final ReindexCopyEngine remoteReindexEngine;
  private final ReaderCopyEngine readerEngine;
  private final ConcurrentReads concurrent;

  public CopyCoordinator(Lifecycle lifecycle) {
    this(lifecycle, ReaderCopyEngine.standard(lifecycle), ConcurrentReads.VIRTUAL);
  }

  /**
   * @param concurrent where the finishing calls of several indexes run at once; {@link
   *     ConcurrentReads#IN_TURN} for single-threaded cluster doubles
   */
  CopyCoordinator(Lifecycle lifecycle, ReaderCopyEngine readerEngine, ConcurrentReads concurrent) {
    this.lifecycle = lifecycle;
    this.concurrent = concurrent;
    this.reindexEngine = new ReindexCopyEngine(lifecycle, false);
    this.remoteReindexEngine = new ReindexCopyEngine(lifecycle, true);
    this.readerEngine = readerEngine;
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
    Recipe parsed = lifecycle.parsedRecipe(recipe);
    Set<String> readerSources = new java.util.HashSet<>();
    for (IndexRecord index : lifecycle.store().listIndexes(ref)) {
      if (index.phase() == IndexPhase.PENDING || index.phase() == IndexPhase.FAILED) {
        lifecycle.store().updateIndex(index, i -> i.withPhase(IndexPhase.COPYING));
      }
      IndexSpec spec = parsed.indexes().get(RecipeEntries.indexOf(index.recipeEntry()));
      if (spec.copy().mode() == io.indexmigrator.core.recipe.CopyOptions.CopyMode.READER) {
        readerSources.add(index.source());
      }
    }
    if (parsed.sync().mode() == SyncOptions.SyncMode.POLL) {
      // Before any slice starts: operations after these checkpoints are polled after the copy.
      new PollSync(lifecycle, lifecycle.pollCheckpoints()).begin(ref);
    }
    List<SliceRecord> started = new ArrayList<>();
    List<SliceRecord> waiting = new ArrayList<>();
    boolean readers = false;
    for (SliceRecord slice : lifecycle.store().listSlices(ref)) {
      if (slice.status() == SliceStatus.DONE) {
        continue;
      }
      if (slice.status() == SliceStatus.FAILED) {
        if (round > 0) {
          continue;
        }
        lifecycle.store().resetSlice(slice.key(), slice.version());
        waiting.add(slice);
      } else if (slice.status() == SliceStatus.PENDING) {
        waiting.add(slice);
      } else {
        started.add(slice);
      }
      readers |= readerSources.contains(slice.source());
    }
    int limit = readers ? MAP_CONCURRENCY : MAX_ITEMS_PER_ROUND;
    List<SliceItem> items = new ArrayList<>();
    for (List<SliceRecord> group : List.of(started, waiting)) {
      for (SliceRecord slice : group) {
        if (items.size() < limit) {
          items.add(new SliceItem(ref.name(), ref.generation(), slice.source(), slice.sliceId()));
        }
      }
    }
    return new PlanResult(ref.name(), ref.generation(), round, items.size(), items);
  }

  /**
   * Starts the slice's work, or re-attaches to the work already begun for it, then steps it once
   * (the reindex engine waits in the cluster), so a small index is copied within this invocation.
   */
  public SliceStep startSlice(SliceItem item) {
    SliceKey key = item.key();
    if (isCancelled(key)) {
      return new SliceStep(true, "CANCELLED", 0, 0);
    }
    SliceRecord slice = slice(key);
    CopyEngine engine = engineFor(key);
    switch (slice.status()) {
      case DONE, FAILED -> {
        return finished(slice);
      }
      case RUNNING -> {
        return pollSlice(item, 0);
      }
      case STARTING -> {
        // The claimer died between claiming and recording: its work may exist.
        Optional<String> orphan = engine.findStarted(key);
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
          "slice " + key + " was claimed concurrently; retrying picks up the winner's work",
          lostRace);
    }
    String work = engine.start(key, claimed);
    lifecycle.store().recordTask(key, work);
    if (isCancelled(key)) {
      // A cancel ran while this invocation was starting the work and may have missed it: work
      // left running would re-create the destination the cancel deletes.
      engine.stop(key, work);
      return new SliceStep(true, "CANCELLED", 0, 0);
    }
    return pollSlice(item, 0);
  }

  /** Steps the slice's work once (see {@link CopyEngine#step}). */
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
    try {
      return engineFor(key).step(key, slice, polls);
    } catch (CopyEngine.WorkLostException lost) {
      // Copy the slice again; every engine's writes are idempotent.
      lifecycle.store().failSlice(key, lost.getMessage());
      SliceRecord failed = slice(key);
      lifecycle.store().resetSlice(key, failed.version());
      return startSlice(item);
    }
  }

  /** The engine that copies this item: the one its recipe entry's copy mode names. */
  CopyEngine engineFor(SliceKey key) {
    IndexRecord index = index(lifecycle, key);
    Recipe recipe = lifecycle.parsedRecipe(lifecycle.recipe(key.recipe().name()));
    IndexSpec spec = recipe.indexes().get(RecipeEntries.indexOf(index.recipeEntry()));
    return switch (spec.copy().mode()) {
      case REINDEX -> reindexEngine;
      case READER -> readerEngine;
      case REMOTE_REINDEX -> remoteReindexEngine;
    };
  }

  /** The index record a slice belongs to. */
  static IndexRecord index(Lifecycle lifecycle, SliceKey key) {
    return lifecycle
        .store()
        .getIndex(key.recipe(), key.source())
        .orElseThrow(() -> new MigrationFailedException("no index record for " + key));
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
    finishIndexes(
        lifecycle.store().listIndexes(ref).stream()
            .filter(i -> i.phase() != IndexPhase.COPIED)
            .toList());
    long copied = 0;
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

  /**
   * Restores each destination's settings and refreshes it, {@link #FINISH_CONCURRENCY} indexes at a
   * time, then marks them COPIED. The refresh is most of this step's time (a few hundred ms per
   * index after a large copy), and it waits on the end of the copy, so indexes are refreshed at
   * once rather than one after another, and an index's settings are restored while its refresh runs
   * (neither depends on the other). Every call is idempotent: after a failure the indexes not yet
   * COPIED are finished again by the retried step.
   */
  private void finishIndexes(List<IndexRecord> indexes) {
    for (int from = 0; from < indexes.size(); from += FINISH_CONCURRENCY) {
      List<IndexRecord> wave =
          indexes.subList(from, Math.min(indexes.size(), from + FINISH_CONCURRENCY));
      // Parsed before any call starts: a bad stored value then fails the step with nothing begun.
      List<ObjectNode> restores = wave.stream().map(this::restoreSettings).toList();
      List<java.util.concurrent.CompletableFuture<Void>> calls = new ArrayList<>();
      for (int i = 0; i < wave.size(); i++) {
        IndexRecord index = wave.get(i);
        ObjectNode restore = restores.get(i);
        calls.add(
            concurrent.start(
                () -> {
                  lifecycle.destination().putSettings(index.destination(), restore);
                  return null;
                }));
        calls.add(
            concurrent.start(
                () -> {
                  lifecycle.destination().refresh(index.destination());
                  return null;
                }));
      }
      // Every call ends before the step returns or fails: nothing outlives the invocation.
      RuntimeException first = null;
      for (var call : calls) {
        try {
          ConcurrentReads.join(call);
        } catch (RuntimeException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
      for (IndexRecord index : wave) {
        lifecycle.store().updateIndex(index, i -> i.withPhase(IndexPhase.COPIED));
      }
    }
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
    return isCancelled(lifecycle, key);
  }

  /** Whether the slice's recipe generation is being (or was) cancelled or replaced. */
  static boolean isCancelled(Lifecycle lifecycle, SliceKey key) {
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
}
