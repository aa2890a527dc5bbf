package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.copy.Checkpoints;
import io.indexmigrator.core.copy.Outcome;
import io.indexmigrator.core.copy.ReaderCursor;
import io.indexmigrator.core.copy.RefusedDocument;
import io.indexmigrator.core.copy.ShardCopy;
import io.indexmigrator.core.copy.Sleeper;
import io.indexmigrator.core.copy.WorkItem;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceStep;
import io.indexmigrator.core.plan.Partitioning;
import io.indexmigrator.core.recipe.IndexSpec;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.search.BulkWrites;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.ShardPages;
import io.indexmigrator.core.state.ConflictException;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.SliceKey;
import io.indexmigrator.core.state.SliceProgress;
import io.indexmigrator.core.state.SliceRecord;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Copies one shard of a source index, on any cluster, by paging through it and bulk-writing the
 * pages to the destination ({@link ShardCopy}). Each step works a time budget well below the
 * function's timeout and checkpoints the cursor after every page, so the state machine's loop
 * carries a shard of any size across as many invocations as it takes.
 */
final class ReaderCopyEngine implements CopyEngine {

  /** Work ids of this engine: a pass over the shard, not a cluster task. */
  static final String PASS_PREFIX = "reader:";

  /** One step's work: well below the copy function's 120 s timeout, with a slow last page. */
  static final Duration STEP_BUDGET = Duration.ofSeconds(60);

  private final Lifecycle lifecycle;
  private final Copies copies;
  private final Duration budget;

  /** Makes the copy of one step: from {@code source}, through {@code destination}, in pages. */
  @FunctionalInterface
  interface Copies {
    ShardCopy of(ShardPages source, BulkWrites destination, int pageSize);
  }

  /**
   * @param copies the copy of a step
   * @param budget how long one step works before it checkpoints and returns
   */
  ReaderCopyEngine(Lifecycle lifecycle, Copies copies, Duration budget) {
    this.lifecycle = lifecycle;
    this.copies = copies;
    this.budget = budget;
  }

  /** The production engine: real sleeping, default page options but the recipe's batch size. */
  static ReaderCopyEngine standard(Lifecycle lifecycle) {
    return new ReaderCopyEngine(
        lifecycle,
        (source, destination, pageSize) ->
            new ShardCopy(
                source,
                destination,
                pagesOf(pageSize),
                lifecycle.clock(),
                Sleeper.system(),
                new java.util.SplittableRandom()),
        STEP_BUDGET);
  }

  static boolean isPass(String work) {
    return work != null && work.startsWith(PASS_PREFIX);
  }

  @Override
  public String start(SliceKey key, SliceRecord claimed) {
    // Nothing runs in a cluster between steps: the pass begins with the first page.
    return newPass();
  }

  @Override
  public Optional<String> findStarted(SliceKey key) {
    // A claimer that died before recording its pass had read nothing: the shard starts afresh.
    return Optional.empty();
  }

  @Override
  public void stop(SliceKey key, String work) {
    // No context is open before the first step; one opened later is closed by the step that
    // finds the recipe cancelled, or expires with its keep-alive.
  }

  @Override
  public SliceStep step(SliceKey key, SliceRecord running, int polls) {
    IndexRecord index = CopyCoordinator.index(lifecycle, key);
    Recipe recipe = lifecycle.parsedRecipe(lifecycle.recipe(key.recipe().name()));
    ShardPages source = pagesOf(lifecycle.sourceOf(recipe), recipe.source().cluster());
    IndexSpec spec = recipe.indexes().get(RecipeEntries.indexOf(index.recipeEntry()));
    // Every page is written only while the recipe still wants it: a stopped execution does not
    // stop this invocation, and a page written after a cancel deleted the destination would
    // create it again.
    BulkWrites whileWanted =
        (target, writes) -> {
          if (cancelled(key)) {
            throw new CancelledWhileCopying();
          }
          return lifecycle.destination().bulk(target, writes);
        };
    ShardCopy copy = copies.of(source, whileWanted, spec.copy().batchSize());
    WorkItem item =
        workItem(index, key.sliceId(), running.sliceCount(), source.supportsPointInTime());
    Optional<ReaderCursor> cursor =
        Optional.ofNullable(running.cursor()).map(ReaderCursor::fromJson);
    Checkpointer checkpoints = new Checkpointer(key, running);
    Outcome outcome;
    try {
      outcome = copy.work(item, cursor, budget, checkpoints);
    } catch (CancelledWhileCopying cancelled) {
      checkpoints.last().ifPresent(copy::abandon);
      return new SliceStep(true, "CANCELLED", 0, polls + 1);
    } catch (ConflictException fenced) {
      // The item moved under this step: a cancel fenced it, or another invocation advanced it.
      checkpoints.last().ifPresent(copy::abandon);
      if (cancelled(key)) {
        return new SliceStep(true, "CANCELLED", 0, polls + 1);
      }
      throw new RetryableMigrationException(
          "shard " + key + " was checkpointed by another invocation; retrying reads its state",
          fenced);
    }
    SliceProgress progress = checkpoints.progress(outcome.cursor());
    if (!outcome.finished()) {
      if (polls + 1 >= CopyCoordinator.MAX_POLLS_PER_ROUND) {
        return new SliceStep(true, "YIELDED", 0, polls + 1);
      }
      return new SliceStep(false, "RUNNING", 0, polls + 1);
    }
    if (progress.failures() > 0) {
      lifecycle
          .store()
          .failSlice(
              key,
              progress.failures()
                  + " documents refused by the destination, first: "
                  + progress.failureReasons().get(0));
      return new SliceStep(true, "FAILED", 0, polls + 1);
    }
    lifecycle.store().completeSlice(key, checkpoints.pass, progress);
    return new SliceStep(true, "DONE", 0, polls + 1);
  }

  /**
   * Item {@code itemId} of {@code itemCount}: shard {@code itemId} itself, or, when the index is
   * partitioned into {@code p} ranges, range {@code itemId % p} of shard {@code itemId / p}.
   */
  static WorkItem workItem(IndexRecord index, int itemId, int itemCount, boolean pointInTime) {
    if (index.partitionJson() == null) {
      return new WorkItem(index.source(), itemId, itemCount, index.destination(), pointInTime);
    }
    Partitioning partitioning = Partitioning.fromJson(index.partitionJson());
    int parts = partitioning.parts();
    if (itemCount % parts != 0) {
      throw new MigrationFailedException(
          "work item "
              + itemId
              + " of "
              + itemCount
              + " of '"
              + index.source()
              + "' does not fit its "
              + parts
              + " partition ranges");
    }
    return new WorkItem(
        index.source(),
        itemId / parts,
        itemCount / parts,
        index.destination(),
        pointInTime,
        partitioning.query(itemId % parts));
  }

  private static ShardCopy.Options pagesOf(int pageSize) {
    ShardCopy.Options d = ShardCopy.Options.defaults();
    return new ShardCopy.Options(
        pageSize, d.keepAlive(), d.maxBulkAttempts(), d.backoffBase(), d.backoffMax());
  }

  private static ShardPages pagesOf(SearchCluster cluster, String name) {
    if (cluster instanceof ShardPages pages) {
      return pages;
    }
    throw new MigrationFailedException(
        "cluster '" + name + "' cannot be read shard by shard by the reader copy engine");
  }

  private boolean cancelled(SliceKey key) {
    return CopyCoordinator.isCancelled(lifecycle, key);
  }

  private static String newPass() {
    return PASS_PREFIX + UUID.randomUUID();
  }

  /** The recipe was cancelled while this step copied: the step stops writing. */
  private static final class CancelledWhileCopying extends RuntimeException {
    CancelledWhileCopying() {
      super(null, null, false, false);
    }
  }

  /**
   * Stores each cursor conditionally on the version this step last saw, so a second invocation
   * working the same shard, or a cancel that fenced it, stops this one at its next page.
   */
  private final class Checkpointer implements Checkpoints {
    private final SliceKey key;
    private long version;
    private String pass;
    private long lastRead;
    // One entry per document: a page read again after a crash reports its refusals again.
    private final Map<String, String> reasons = new LinkedHashMap<>();
    private ReaderCursor last;

    Checkpointer(SliceKey key, SliceRecord running) {
      this.key = key;
      this.version = running.version();
      this.pass = running.taskId();
      running.progress().failureReasons().forEach(r -> reasons.put(r.split(": ", 2)[0], r));
      this.lastRead =
          Optional.ofNullable(running.cursor())
              .map(c -> ReaderCursor.fromJson(c).read())
              .orElse(0L);
    }

    Optional<ReaderCursor> last() {
      return Optional.ofNullable(last);
    }

    @Override
    public void save(ReaderCursor cursor) {
      // A cancel fails the slice first, so this conditional write is refused after one.
      if (cursor.read() < lastRead) {
        // The reader started the shard again (an unclean stop, a lost context): a new pass, whose
        // counters start from zero, and whose refusals are its own.
        pass = newPass();
        reasons.clear();
      }
      lastRead = cursor.read();
      SliceRecord stored =
          lifecycle.store().checkpointCursor(key, version, pass, cursor.toJson(), progress(cursor));
      version = stored.version();
      last = cursor;
    }

    @Override
    public void refused(List<RefusedDocument> documents) {
      for (RefusedDocument d : documents) {
        String key = d.index() + "/" + d.id();
        reasons.putIfAbsent(key, key + ": " + d.status() + " " + d.errorType() + " " + d.reason());
      }
    }

    SliceProgress progress(ReaderCursor cursor) {
      return new SliceProgress(
          cursor.read(),
          cursor.written(),
          0,
          0,
          cursor.versionConflicts(),
          cursor.pages(),
          cursor.refused(),
          List.copyOf(reasons.values()));
    }
  }
}
