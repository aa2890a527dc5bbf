package io.indexmigrator.core.lifecycle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceStep;
import io.indexmigrator.core.plan.Partitioning;
import io.indexmigrator.core.recipe.CopyOptions;
import io.indexmigrator.core.recipe.IndexSpec;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.Transform;
import io.indexmigrator.core.search.ReindexRequest;
import io.indexmigrator.core.search.ReindexTaskStatus;
import io.indexmigrator.core.search.RemoteReindexSource;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.SliceKey;
import io.indexmigrator.core.state.SliceProgress;
import io.indexmigrator.core.state.SliceRecord;
import java.time.Duration;
import java.util.Optional;

/**
 * Copies an item with the destination cluster's own {@code _reindex} task, tagged so that it can be
 * found again: in-cluster, sliced by the engine; or, for {@code copy.mode: remote-reindex}, reading
 * the source cluster through {@code source.remote}, one unsliced task per index, or per range of
 * the index's partition field.
 */
final class ReindexCopyEngine implements CopyEngine {

  private final Lifecycle lifecycle;
  private final boolean remote;

  /**
   * @param remote whether the task reads the recipe's source cluster remotely
   */
  ReindexCopyEngine(Lifecycle lifecycle, boolean remote) {
    this.lifecycle = lifecycle;
    this.remote = remote;
  }

  @Override
  public String start(SliceKey key, SliceRecord slice) {
    RecipeRecord recipeRecord = lifecycle.recipe(key.recipe().name());
    Recipe recipe = lifecycle.parsedRecipe(recipeRecord);
    IndexRecord index = CopyCoordinator.index(lifecycle, key);
    IndexSpec spec = recipe.indexes().get(RecipeEntries.indexOf(index.recipeEntry()));
    // The entry's effective options: the recipe's, overridden by the entry's own copy section.
    CopyOptions copy = spec.copy();
    Transform transform = spec.transform();
    // Slice records of one per index (today's plans) leave the slicing to the engine; a state
    // written by an older version has one record per manual slice, which is resumed as such.
    // A remote reindex of a partitioned index: one task per range, told apart by its query.
    ObjectNode partQuery =
        remote && index.partitionJson() != null
            ? Partitioning.fromJson(index.partitionJson()).query(slice.sliceId())
            : null;
    boolean manualSlice = !remote && slice.sliceCount() > 1;
    Integer engineSlices =
        !remote && !manualSlice && index.sliceCount() > 1 ? index.sliceCount() : null;
    ReindexRequest.RemoteSource remoteSource = remote ? remoteSource(recipe) : null;
    ReindexRequest request =
        new ReindexRequest(
            index.source(),
            index.destination(),
            partQuery,
            manualSlice ? slice.sliceId() : null,
            manualSlice ? slice.sliceCount() : null,
            engineSlices,
            copy.batchSize(),
            copy.requestsPerSecond(),
            transform instanceof Transform.Script s ? s.source() : null,
            transform instanceof Transform.Script s ? s.lang() : null,
            transform instanceof Transform.Script s ? s.params() : null,
            transform instanceof Transform.Pipeline p ? p.name() : null,
            remoteSource,
            null,
            // External versions carry the source's _version: a re-copied slice or a late copy can
            // never overwrite a newer document written by sync.
            "external",
            true,
            // Searchable as the task ends, most of the refresh done while the last slices copy;
            // the finishing step's own refresh then has little left.
            true);
    return lifecycle
        .destination()
        .startReindex(request, TaskTag.ofSlice(key.recipe(), key.source(), key.sliceId()));
  }

  /** How the destination reaches the recipe's source cluster, with its current credentials. */
  private ReindexRequest.RemoteSource remoteSource(Recipe recipe) {
    if (lifecycle.sourceOf(recipe) instanceof RemoteReindexSource source) {
      return source.remoteSource();
    }
    throw new MigrationFailedException(
        "cluster '"
            + recipe.source().cluster()
            + "' cannot be read by a remote reindex; use copy.mode: reader");
  }

  @Override
  public Optional<String> findStarted(SliceKey key) {
    String tag = TaskTag.ofSlice(key.recipe(), key.source(), key.sliceId());
    return lifecycle.destination().findTasks(tag).stream()
        .filter(t -> tag.equals(t.opaqueId()))
        .map(t -> t.taskId())
        .findFirst();
  }

  /**
   * Polls the slice's task once, waiting up to {@link CopyCoordinator#TASK_WAIT} for it to finish,
   * and checkpoints its progress.
   */
  @Override
  public SliceStep step(SliceKey key, SliceRecord slice, int polls) {
    ReindexTaskStatus task;
    try {
      task = lifecycle.destination().awaitTask(slice.taskId(), CopyCoordinator.TASK_WAIT);
    } catch (SearchClusterException e) {
      if (e.status() == 404) {
        // The cluster lost the task (a restart): copy the slice again; writes are idempotent.
        throw new WorkLostException("task " + slice.taskId() + " disappeared from the cluster");
      }
      throw e;
    }
    SliceProgress progress = progress(task);
    if (!task.completed()) {
      lifecycle.store().recordProgress(key, slice.taskId(), progress);
      int next = nextWaitSeconds(task, slice);
      if (polls + 1 >= CopyCoordinator.MAX_POLLS_PER_ROUND) {
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

  @Override
  public void stop(SliceKey key, String taskId) {
    lifecycle.destination().cancelTask(taskId);
  }

  /**
   * Seconds of Wait state before the next poll of a running task: none while the task may end
   * within about one more {@link CopyCoordinator#TASK_WAIT} (the poll waits in the engine instead),
   * otherwise half of the time the task's own rate says is left beyond that, so the wake-up comes
   * early rather than late even if the rate drops, and no Lambda runs while a long copy goes on.
   */
  int nextWaitSeconds(ReindexTaskStatus task, SliceRecord slice) {
    if (slice.startedAt() == null || task.total() <= 0 || task.processed() <= 0) {
      return 0;
    }
    double elapsed =
        Duration.between(slice.startedAt(), lifecycle.clock().instant()).toMillis() / 1000.0;
    double rate = task.processed() / Math.max(elapsed, 0.001);
    double left = Math.max(0, task.total() - task.processed()) / rate;
    double wait = (left - 2 * CopyCoordinator.TASK_WAIT.toSeconds()) / 2;
    return (int) Math.max(0, Math.min(CopyCoordinator.MAX_WAIT_SECONDS, wait));
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

  static MigrationFailedException noIndex(SliceKey key) {
    return new MigrationFailedException("no index record for " + key);
  }
}
