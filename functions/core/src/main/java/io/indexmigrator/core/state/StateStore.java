package io.indexmigrator.core.state;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * All durable state of the migration lifecycle. Every write is conditional: on a lost race or an
 * unexpected state it throws {@link ConflictException} instead of overwriting, and operations that
 * at-least-once callers repeat (recording a task, completing a slice) accept their own repetition.
 *
 * <p>Records carry a {@code version}; writes raise it by one. Index, slice and rollover records
 * belong to one {@link RecipeRef recipe generation}, and a re-initialized recipe starts with none.
 */
public interface StateStore {

  // ---- recipes ----

  /**
   * Initializes recipe {@code name} with status INITIALIZED. Allowed when the name is unknown
   * (generation 1) or its recipe {@linkplain RecipeStatus#isFinished() is finished} (generation +1;
   * the records of older generations are deleted, and unreachable even before that).
   *
   * @throws ConflictException when the recipe is active, with its status and since when
   * @throws IllegalArgumentException when the document is larger than 300 KB
   */
  RecipeRecord createRecipe(String name, String document);

  Optional<RecipeRecord> getRecipe(String name);

  /** All recipes, ordered by name. */
  List<RecipeRecord> listRecipes();

  /**
   * Writes {@code change.apply(expected)} if the stored recipe still has {@code expected}'s
   * version; name and generation cannot change.
   *
   * @return the stored record, with the next version and a new updatedAt
   * @throws ConflictException when another write came first (stored version differs)
   */
  RecipeRecord updateRecipe(RecipeRecord expected, UnaryOperator<RecipeRecord> change);

  /** {@link #transition(String, Set, RecipeStatus, UnaryOperator)} without further changes. */
  default RecipeRecord transition(String name, Set<RecipeStatus> from, RecipeStatus to) {
    return transition(name, from, to, UnaryOperator.identity());
  }

  /**
   * Moves recipe {@code name} from any status in {@code from} to {@code to}, applying {@code
   * alsoChange} in the same write. A recipe already in {@code to} is returned unchanged, so a
   * repeated step succeeds. Writes by others that leave the status in {@code from} are retried
   * over, not reported.
   *
   * @throws ConflictException when the recipe does not exist or its status is neither in {@code
   *     from} nor {@code to}
   */
  default RecipeRecord transition(
      String name,
      Set<RecipeStatus> from,
      RecipeStatus to,
      UnaryOperator<RecipeRecord> alsoChange) {
    ConflictException lastRace = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      RecipeRecord current =
          getRecipe(name)
              .orElseThrow(
                  () ->
                      ConflictException.of(
                          "recipe '" + name + "'", "status in " + from, "no recipe"));
      if (current.status() == to) {
        return current;
      }
      if (!from.contains(current.status())) {
        throw ConflictException.of(
            "recipe '" + name + "'",
            "status in " + from + " to move to " + to,
            "status " + current.status() + " since " + current.updatedAt());
      }
      try {
        return updateRecipe(current, r -> alsoChange.apply(r.withStatus(to)));
      } catch (ConflictException race) {
        lastRace = race;
      }
    }
    throw lastRace;
  }

  /** Deletes every record of recipe {@code name}, of all generations. Unknown names are fine. */
  void deleteRecipeState(String name);

  // ---- indexes ----

  /**
   * Writes a new index record (version 1) unless one exists for its source in that generation.
   *
   * @return true if written, false if a record existed (it is left as it was)
   */
  boolean putIndexIfAbsent(IndexRecord index);

  Optional<IndexRecord> getIndex(RecipeRef recipe, String source);

  /** The index records of a generation, ordered by source name. */
  List<IndexRecord> listIndexes(RecipeRef recipe);

  /**
   * The index records that name {@code name} (as source, init-time alias or destination), read by
   * key: what the sync consumer looks up per event index instead of listing every recipe. {@link
   * #putIndexIfAbsent} records the names, {@link #deleteRecipeState} forgets them. Entries of an
   * older generation of a recipe may remain until then: judge each against its recipe record.
   */
  List<IndexName> findIndexName(String name);

  /**
   * Writes {@code change.apply(expected)} if the stored record still has {@code expected}'s
   * version; recipe, generation and source cannot change.
   *
   * @throws ConflictException when the stored version differs or the record is gone
   */
  IndexRecord updateIndex(IndexRecord expected, UnaryOperator<IndexRecord> change);

  // ---- slices ----

  /**
   * Writes a new slice record (version 1) unless one exists for that key.
   *
   * @return true if written, false if a record existed (it is left as it was)
   */
  boolean putSliceIfAbsent(SliceRecord slice);

  Optional<SliceRecord> getSlice(SliceKey key);

  /** The slices of a generation, ordered by source name, then slice id. */
  List<SliceRecord> listSlices(RecipeRef recipe);

  /** The slices of one source index, ordered by slice id. */
  List<SliceRecord> listSlices(RecipeRef recipe, String source);

  /**
   * PENDING → STARTING, counting an attempt: of all invocations holding version {@code
   * expectedVersion}, exactly one wins; only the winner may start a task for the slice.
   *
   * @throws ConflictException for every other invocation
   */
  SliceRecord claimSlice(SliceKey key, long expectedVersion);

  /**
   * STARTING → RUNNING with the task the claimer started. Repeating it with the same task id
   * returns the record unchanged.
   *
   * @throws ConflictException when the slice is not STARTING (or RUNNING with this task)
   */
  SliceRecord recordTask(SliceKey key, String taskId);

  /**
   * Stores a poll of task {@code taskId} if the slice is RUNNING that task and no counter of {@code
   * progress} is behind the stored ones; otherwise ignores it, so a late or duplicate poll can
   * never move progress backwards.
   *
   * @return whether the progress was stored
   * @throws ConflictException when the slice does not exist
   */
  boolean recordProgress(SliceKey key, String taskId, SliceProgress progress);

  /**
   * Stores the reader engine's cursor and the counters of pass {@code passId} of a RUNNING slice,
   * if the stored record is still at {@code expectedVersion}. A new pass id replaces the old one
   * (the reader restarted the shard, and its counters with it). Conditional on the version so that
   * two invocations working one item can never both advance it: the later one fails.
   *
   * @return the stored record (its version one higher)
   * @throws ConflictException when the slice is not RUNNING at {@code expectedVersion}
   */
  SliceRecord checkpointCursor(
      SliceKey key, long expectedVersion, String passId, String cursor, SliceProgress progress);

  /**
   * RUNNING (task {@code taskId}) → DONE with the task's final counters. Repeating it returns the
   * record unchanged.
   *
   * @throws ConflictException when the slice is not RUNNING this task (or DONE by it)
   */
  SliceRecord completeSlice(SliceKey key, String taskId, SliceProgress finalProgress);

  /**
   * PENDING, STARTING or RUNNING → FAILED with {@code reason}. Failing a FAILED slice again returns
   * it unchanged.
   *
   * @throws ConflictException when the slice is DONE or does not exist
   */
  SliceRecord failSlice(SliceKey key, String reason);

  /**
   * FAILED or STARTING (a claimer that died before starting its task) → PENDING, clearing task and
   * counters so the slice can be claimed again; attempts and the last error are kept.
   *
   * @throws ConflictException when the stored version differs or the slice is in another status
   */
  SliceRecord resetSlice(SliceKey key, long expectedVersion);

  // ---- sync ----

  /** Adds one consumer batch to the recipe's sync counters (not conditional: metrics only). */
  void recordSyncBatch(
      RecipeRef recipe, long applied, long rejected, long deferred, long lagMillis, Instant at);

  SyncStats getSyncStats(RecipeRef recipe);

  // ---- rollover ----

  Optional<RolloverRecord> getRollover(RecipeRef recipe);

  /**
   * Writes the rollover record: a record with version 0 only if none exists yet, otherwise only if
   * the stored version equals {@code rollover.version()}.
   *
   * @return the stored record with the next version
   * @throws ConflictException when that condition fails
   */
  RolloverRecord saveRollover(RolloverRecord rollover);
}
