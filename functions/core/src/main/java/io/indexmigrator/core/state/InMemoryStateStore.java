package io.indexmigrator.core.state;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A {@link StateStore} in this JVM's memory with the same keys, conditions and ordering as {@link
 * DynamoStateStore}, for tests of code that uses the state. One lock makes every operation atomic,
 * as a single conditional DynamoDB write is. The shared contract test holds both to the same
 * behaviour.
 */
public class InMemoryStateStore implements StateStore, IdempotencyLedger {
  private final Clock clock;
  private final Map<String, TreeMap<String, Object>> partitions = new TreeMap<>();

  public InMemoryStateStore() {
    this(Clock.systemUTC());
  }

  public InMemoryStateStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  // ---- recipes ----

  @Override
  public synchronized RecipeRecord createRecipe(String name, String document) {
    Instant now = clock.instant();
    String pk = StateKeys.recipePk(StateLimits.requireName("recipe name", name));
    RecipeRecord existing = (RecipeRecord) item(pk, StateKeys.META);
    RecipeRecord created;
    if (existing == null) {
      created =
          new RecipeRecord(name, 1, document, RecipeStatus.INITIALIZED, null, null, now, now, 1);
    } else if (existing.status().isFinished()) {
      created =
          new RecipeRecord(
              name,
              existing.generation() + 1,
              document,
              RecipeStatus.INITIALIZED,
              null,
              null,
              now,
              now,
              existing.version() + 1);
    } else {
      throw StateConflicts.recipeActive(existing);
    }
    partition(pk).put(StateKeys.META, created);
    partition(pk).keySet().removeIf(sk -> StateKeys.isOlderGeneration(sk, created.generation()));
    return created;
  }

  @Override
  public synchronized Optional<RecipeRecord> getRecipe(String name) {
    return Optional.ofNullable((RecipeRecord) item(StateKeys.recipePk(name), StateKeys.META));
  }

  @Override
  public synchronized List<RecipeRecord> listRecipes() {
    List<RecipeRecord> recipes = new ArrayList<>();
    for (var partition : partitions.values()) {
      if (partition.get(StateKeys.META) instanceof RecipeRecord recipe) {
        recipes.add(recipe);
      }
    }
    recipes.sort((a, b) -> a.name().compareTo(b.name()));
    return recipes;
  }

  @Override
  public synchronized RecipeRecord updateRecipe(
      RecipeRecord expected, UnaryOperator<RecipeRecord> change) {
    RecipeRecord changed = StateConflicts.checkedChange(expected, change);
    RecipeRecord current = (RecipeRecord) item(StateKeys.recipePk(expected.name()), StateKeys.META);
    if (current == null
        || current.version() != expected.version()
        || current.generation() != expected.generation()) {
      throw StateConflicts.recipeVersion(expected, current);
    }
    RecipeRecord stored = changed.stamped(expected.version() + 1, clock.instant());
    partition(StateKeys.recipePk(expected.name())).put(StateKeys.META, stored);
    return stored;
  }

  @Override
  public synchronized void deleteRecipeState(String name) {
    TreeMap<String, Object> recipe = partitions.remove(StateKeys.recipePk(name));
    if (recipe != null) {
      for (Object record : recipe.values()) {
        if (record instanceof IndexRecord index) {
          for (IndexName indexName : IndexName.of(index)) {
            var names = partitions.get(StateKeys.namePk(indexName.name()));
            if (names != null) {
              names.remove(StateKeys.nameSk(indexName));
            }
          }
        }
      }
    }
  }

  // ---- indexes ----

  @Override
  public synchronized boolean putIndexIfAbsent(IndexRecord index) {
    for (IndexName name : IndexName.of(index)) {
      partition(StateKeys.namePk(name.name())).put(StateKeys.nameSk(name), name);
    }
    return putIfAbsent(
        StateKeys.recipePk(index.recipeName()),
        StateKeys.indexSk(index.recipe(), index.source()),
        index.withVersion(1));
  }

  @Override
  public synchronized Optional<IndexRecord> getIndex(RecipeRef recipe, String source) {
    return Optional.ofNullable(
        (IndexRecord) item(StateKeys.recipePk(recipe.name()), StateKeys.indexSk(recipe, source)));
  }

  @Override
  public synchronized List<IndexRecord> listIndexes(RecipeRef recipe) {
    return withPrefix(recipe, StateKeys.indexPrefix(recipe), IndexRecord.class);
  }

  @Override
  public synchronized List<IndexName> findIndexName(String name) {
    var names = partitions.get(StateKeys.namePk(name));
    return names == null ? List.of() : names.values().stream().map(IndexName.class::cast).toList();
  }

  @Override
  public synchronized IndexRecord updateIndex(
      IndexRecord expected, UnaryOperator<IndexRecord> change) {
    IndexRecord changed = StateConflicts.checkedChange(expected, change);
    String pk = StateKeys.recipePk(expected.recipeName());
    String sk = StateKeys.indexSk(expected.recipe(), expected.source());
    IndexRecord current = (IndexRecord) item(pk, sk);
    if (current == null || current.version() != expected.version()) {
      throw StateConflicts.version(
          "index " + expected.recipe() + "/" + expected.source(),
          expected.version(),
          current == null ? null : current.version());
    }
    IndexRecord stored = changed.withVersion(expected.version() + 1);
    partition(pk).put(sk, stored);
    return stored;
  }

  // ---- slices ----

  @Override
  public synchronized boolean putSliceIfAbsent(SliceRecord slice) {
    return putIfAbsent(
        StateKeys.recipePk(slice.recipeName()),
        StateKeys.sliceSk(slice.key()),
        slice.withVersion(1));
  }

  @Override
  public synchronized Optional<SliceRecord> getSlice(SliceKey key) {
    return Optional.ofNullable(slice(key));
  }

  @Override
  public synchronized List<SliceRecord> listSlices(RecipeRef recipe) {
    return withPrefix(recipe, StateKeys.slicePrefix(recipe), SliceRecord.class);
  }

  @Override
  public synchronized List<SliceRecord> listSlices(RecipeRef recipe, String source) {
    return withPrefix(recipe, StateKeys.slicePrefix(recipe, source), SliceRecord.class);
  }

  @Override
  public synchronized SliceRecord claimSlice(SliceKey key, long expectedVersion) {
    SliceRecord current = existingSlice(key);
    if (current.status() != SliceStatus.PENDING || current.version() != expectedVersion) {
      throw StateConflicts.slice(key, "PENDING at version " + expectedVersion, current);
    }
    return storeSlice(
        current.with(
            null,
            SliceStatus.STARTING,
            SliceProgress.NONE,
            current.attempts() + 1,
            clock.instant(),
            null,
            null,
            current.lastError()));
  }

  @Override
  public synchronized SliceRecord recordTask(SliceKey key, String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    SliceRecord current = existingSlice(key);
    if (current.status() == SliceStatus.RUNNING && taskId.equals(current.taskId())) {
      return current;
    }
    if (current.status() != SliceStatus.STARTING) {
      throw StateConflicts.slice(key, "STARTING", current);
    }
    return storeSlice(
        current.with(
            taskId,
            SliceStatus.RUNNING,
            current.progress(),
            current.attempts(),
            current.startedAt(),
            null,
            null,
            current.lastError()));
  }

  @Override
  public synchronized boolean recordProgress(SliceKey key, String taskId, SliceProgress progress) {
    Objects.requireNonNull(progress, "progress");
    SliceRecord current = existingSlice(key);
    if (current.status() != SliceStatus.RUNNING
        || !Objects.equals(taskId, current.taskId())
        || !progress.isNotBehind(current.progress())) {
      return false;
    }
    storeSlice(
        current.with(
            taskId,
            SliceStatus.RUNNING,
            progress,
            current.attempts(),
            current.startedAt(),
            clock.instant(),
            null,
            current.lastError()));
    return true;
  }

  @Override
  public synchronized SliceRecord checkpointCursor(
      SliceKey key, long expectedVersion, String passId, String cursor, SliceProgress progress) {
    Objects.requireNonNull(passId, "passId");
    Objects.requireNonNull(progress, "progress");
    SliceRecord current = existingSlice(key);
    if (current.status() != SliceStatus.RUNNING || current.version() != expectedVersion) {
      throw StateConflicts.slice(key, "RUNNING at version " + expectedVersion, current);
    }
    return storeSlice(current.withCursor(passId, cursor, progress, clock.instant()));
  }

  @Override
  public synchronized SliceRecord completeSlice(
      SliceKey key, String taskId, SliceProgress finalProgress) {
    Objects.requireNonNull(finalProgress, "finalProgress");
    SliceRecord current = existingSlice(key);
    if (current.status() == SliceStatus.DONE && Objects.equals(taskId, current.taskId())) {
      return current;
    }
    if (current.status() != SliceStatus.RUNNING || !Objects.equals(taskId, current.taskId())) {
      throw StateConflicts.slice(key, "RUNNING task " + taskId, current);
    }
    Instant now = clock.instant();
    return storeSlice(
        current.with(
            taskId,
            SliceStatus.DONE,
            finalProgress,
            current.attempts(),
            current.startedAt(),
            now,
            now,
            current.lastError()));
  }

  @Override
  public synchronized SliceRecord failSlice(SliceKey key, String reason) {
    SliceRecord current = existingSlice(key);
    if (current.status() == SliceStatus.FAILED) {
      return current;
    }
    if (current.status() == SliceStatus.DONE) {
      throw StateConflicts.slice(key, "PENDING, STARTING or RUNNING", current);
    }
    return storeSlice(
        current.with(
            current.taskId(),
            SliceStatus.FAILED,
            current.progress(),
            current.attempts(),
            current.startedAt(),
            current.lastPolledAt(),
            clock.instant(),
            reason));
  }

  @Override
  public synchronized SliceRecord resetSlice(SliceKey key, long expectedVersion) {
    SliceRecord current = existingSlice(key);
    if (!Set.of(SliceStatus.FAILED, SliceStatus.STARTING).contains(current.status())
        || current.version() != expectedVersion) {
      throw StateConflicts.slice(key, "FAILED or STARTING at version " + expectedVersion, current);
    }
    return storeSlice(
        current.with(
            null,
            SliceStatus.PENDING,
            SliceProgress.NONE,
            current.attempts(),
            null,
            null,
            null,
            current.lastError()));
  }

  // ---- rollover ----

  @Override
  public synchronized Optional<RolloverRecord> getRollover(RecipeRef recipe) {
    return Optional.ofNullable(
        (RolloverRecord) item(StateKeys.recipePk(recipe.name()), StateKeys.rolloverSk(recipe)));
  }

  @Override
  public synchronized void recordSyncBatch(
      RecipeRef recipe, long applied, long rejected, long deferred, long lagMillis, Instant at) {
    String pk = StateKeys.recipePk(recipe.name());
    String sk = StateKeys.syncSk(recipe);
    SyncStats current = (SyncStats) item(pk, sk);
    partition(pk)
        .put(
            sk,
            (current == null ? SyncStats.NONE : current)
                .plus(applied, rejected, deferred, lagMillis, at));
  }

  @Override
  public synchronized SyncStats getSyncStats(RecipeRef recipe) {
    SyncStats stats = (SyncStats) item(StateKeys.recipePk(recipe.name()), StateKeys.syncSk(recipe));
    return stats == null ? SyncStats.NONE : stats;
  }

  @Override
  public synchronized RolloverRecord saveRollover(RolloverRecord rollover) {
    String pk = StateKeys.recipePk(rollover.recipeName());
    String sk = StateKeys.rolloverSk(rollover.recipe());
    RolloverRecord current = (RolloverRecord) item(pk, sk);
    long found = current == null ? 0 : current.version();
    if (found != rollover.version()) {
      throw StateConflicts.version(
          "rollover " + rollover.recipe(), rollover.version(), current == null ? null : found);
    }
    RolloverRecord stored = rollover.withVersion(rollover.version() + 1);
    partition(pk).put(sk, stored);
    return stored;
  }

  // ---- idempotency ----

  @Override
  public synchronized boolean tryAcquire(IdempotencyRecord claim, Instant now) {
    String pk = StateKeys.idempotencyPk(claim.key());
    IdempotencyRecord current = (IdempotencyRecord) item(pk, StateKeys.IDEMPOTENCY_SK);
    if (current != null && !current.isTakeableAt(now)) {
      return false;
    }
    partition(pk).put(StateKeys.IDEMPOTENCY_SK, claim);
    return true;
  }

  @Override
  public synchronized Optional<IdempotencyRecord> findIdempotency(String key) {
    return Optional.ofNullable(
        (IdempotencyRecord) item(StateKeys.idempotencyPk(key), StateKeys.IDEMPOTENCY_SK));
  }

  @Override
  public synchronized boolean complete(IdempotencyRecord completed) {
    String pk = StateKeys.idempotencyPk(completed.key());
    IdempotencyRecord current = (IdempotencyRecord) item(pk, StateKeys.IDEMPOTENCY_SK);
    if (current == null || !current.leaseId().equals(completed.leaseId())) {
      return false;
    }
    partition(pk).put(StateKeys.IDEMPOTENCY_SK, completed);
    return true;
  }

  @Override
  public synchronized void release(String key, String leaseId) {
    String pk = StateKeys.idempotencyPk(key);
    IdempotencyRecord current = (IdempotencyRecord) item(pk, StateKeys.IDEMPOTENCY_SK);
    if (current != null
        && current.status() == IdempotencyRecord.Status.IN_PROGRESS
        && current.leaseId().equals(leaseId)) {
      partitions.remove(pk);
    }
  }

  // ---- helpers (callers hold the lock) ----

  private Object item(String pk, String sk) {
    var partition = partitions.get(pk);
    return partition == null ? null : partition.get(sk);
  }

  private TreeMap<String, Object> partition(String pk) {
    return partitions.computeIfAbsent(pk, k -> new TreeMap<>());
  }

  private boolean putIfAbsent(String pk, String sk, Object record) {
    return partition(pk).putIfAbsent(sk, record) == null;
  }

  private <T> List<T> withPrefix(RecipeRef recipe, String prefix, Class<T> type) {
    var partition = partitions.get(StateKeys.recipePk(recipe.name()));
    if (partition == null) {
      return List.of();
    }
    return partition.tailMap(prefix, true).entrySet().stream()
        .takeWhile(e -> e.getKey().startsWith(prefix))
        .map(e -> type.cast(e.getValue()))
        .toList();
  }

  private SliceRecord slice(SliceKey key) {
    return (SliceRecord) item(StateKeys.recipePk(key.recipe().name()), StateKeys.sliceSk(key));
  }

  private SliceRecord existingSlice(SliceKey key) {
    SliceRecord current = slice(key);
    if (current == null) {
      throw StateConflicts.noSlice(key);
    }
    return current;
  }

  private SliceRecord storeSlice(SliceRecord slice) {
    partition(StateKeys.recipePk(slice.recipeName())).put(StateKeys.sliceSk(slice.key()), slice);
    return slice;
  }
}
