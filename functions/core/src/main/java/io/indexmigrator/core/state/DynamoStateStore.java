package io.indexmigrator.core.state;

import static io.indexmigrator.core.state.DynamoItems.n;
import static io.indexmigrator.core.state.DynamoItems.s;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The {@link StateStore} on the DynamoDB state table ({@code StateTable} in template.yaml). Every
 * write is a single PutItem or UpdateItem with a condition expression; the conditions per operation
 * are listed in docs/state-table.md. Reads are strongly consistent, so a caller sees its own and
 * others' completed writes.
 */
public final class DynamoStateStore implements StateStore, IdempotencyLedger {
  private static final int BATCH_LIMIT = 25;
  private static final int CREATE_ATTEMPTS = 3;

  private final DynamoDbClient dynamo;
  private final String table;
  private final Clock clock;

  public DynamoStateStore(DynamoDbClient dynamo, String table) {
    this(dynamo, table, Clock.systemUTC());
  }

  public DynamoStateStore(DynamoDbClient dynamo, String table, Clock clock) {
    this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
    this.table = StateLimits.requireName("state table name", table);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  // ---- recipes ----

  @Override
  public RecipeRecord createRecipe(String name, String document) {
    StateLimits.requireName("recipe name", name);
    for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      Instant now = clock.instant();
      Optional<RecipeRecord> existing = getRecipe(name);
      RecipeRecord created;
      Write write;
      if (existing.isEmpty()) {
        created =
            new RecipeRecord(name, 1, document, RecipeStatus.INITIALIZED, null, null, now, now, 1);
        write = Write.absent();
      } else if (existing.get().status().isFinished()) {
        RecipeRecord old = existing.get();
        created =
            new RecipeRecord(
                name,
                old.generation() + 1,
                document,
                RecipeStatus.INITIALIZED,
                null,
                null,
                now,
                now,
                old.version() + 1);
        write = Write.atVersion(old.version());
      } else {
        throw StateConflicts.recipeActive(existing.get());
      }
      if (put(DynamoItems.recipeItem(created), write).isEmpty()) {
        deleteWhere(
            StateKeys.recipePk(name), sk -> StateKeys.isOlderGeneration(sk, created.generation()));
        return created;
      }
      // Another initialization won between our read and our write; judge again what it left.
    }
    // Each attempt lost to a write that left the recipe finished again: give up rather than spin.
    throw ConflictException.of(
        "recipe '" + name + "'",
        "to initialize it",
        "its record changed under each of " + CREATE_ATTEMPTS + " attempts");
  }

  @Override
  public Optional<RecipeRecord> getRecipe(String name) {
    return get(StateKeys.recipePk(name), StateKeys.META).map(DynamoItems::recipe);
  }

  @Override
  public List<RecipeRecord> listRecipes() {
    List<RecipeRecord> recipes = new ArrayList<>();
    dynamo
        .scanPaginator(
            r ->
                r.tableName(table)
                    .consistentRead(true)
                    .filterExpression("#sk = :meta AND begins_with(#pk, :recipe)")
                    .expressionAttributeNames(Map.of("#sk", DynamoItems.SK, "#pk", DynamoItems.PK))
                    .expressionAttributeValues(
                        Map.of(
                            ":meta", s(StateKeys.META), ":recipe", s(StateKeys.RECIPE_PK_PREFIX))))
        .items()
        .forEach(item -> recipes.add(DynamoItems.recipe(item)));
    recipes.sort(Comparator.comparing(RecipeRecord::name));
    return recipes;
  }

  @Override
  public RecipeRecord updateRecipe(RecipeRecord expected, UnaryOperator<RecipeRecord> change) {
    RecipeRecord stored =
        StateConflicts.checkedChange(expected, change)
            .stamped(expected.version() + 1, clock.instant());
    Write write =
        new Write(
            "#version = :expectedVersion AND #generation = :generation",
            Map.of("#version", DynamoItems.VERSION, "#generation", "generation"),
            Map.of(
                ":expectedVersion",
                n(expected.version()),
                ":generation",
                n(expected.generation())));
    Optional<Map<String, AttributeValue>> refused = put(DynamoItems.recipeItem(stored), write);
    if (refused.isPresent()) {
      throw StateConflicts.recipeVersion(
          expected, refused.get().isEmpty() ? null : DynamoItems.recipe(refused.get()));
    }
    return stored;
  }

  @Override
  public void deleteRecipeState(String name) {
    // The name items first: should this be interrupted, the index records still list them.
    List<WriteRequest> names = new ArrayList<>();
    dynamo
        .queryPaginator(
            r ->
                r.tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", DynamoItems.PK))
                    .expressionAttributeValues(Map.of(":pk", s(StateKeys.recipePk(name)))))
        .items()
        .stream()
        .filter(item -> item.get(DynamoItems.SK).s().startsWith("index#", 6))
        .map(DynamoItems::index)
        .flatMap(index -> IndexName.of(index).stream())
        .forEach(
            indexName ->
                names.add(
                    WriteRequest.builder()
                        .deleteRequest(
                            DeleteRequest.builder()
                                .key(
                                    DynamoItems.key(
                                        StateKeys.namePk(indexName.name()),
                                        StateKeys.nameSk(indexName)))
                                .build())
                        .build()));
    for (int from = 0; from < names.size(); from += BATCH_LIMIT) {
      batchDelete(names.subList(from, Math.min(from + BATCH_LIMIT, names.size())));
    }
    deleteWhere(StateKeys.recipePk(name), sk -> true);
  }

  // ---- indexes ----

  @Override
  public boolean putIndexIfAbsent(IndexRecord index) {
    // The names first (idempotent): an index record is never without them, even if this call is
    // interrupted and repeated.
    for (IndexName name : IndexName.of(index)) {
      dynamo.putItem(
          r ->
              r.tableName(table)
                  .item(
                      Map.of(
                          DynamoItems.PK,
                          s(StateKeys.namePk(name.name())),
                          DynamoItems.SK,
                          s(StateKeys.nameSk(name)),
                          "type",
                          s("name"),
                          "recipe",
                          s(name.recipe().name()),
                          "generation",
                          n(name.recipe().generation()),
                          "source",
                          s(name.source()),
                          "role",
                          s(name.role().name()))));
    }
    return put(DynamoItems.indexItem(index.withVersion(1)), Write.absent()).isEmpty();
  }

  @Override
  public Optional<IndexRecord> getIndex(RecipeRef recipe, String source) {
    return get(StateKeys.recipePk(recipe.name()), StateKeys.indexSk(recipe, source))
        .map(DynamoItems::index);
  }

  @Override
  public List<IndexRecord> listIndexes(RecipeRef recipe) {
    return query(recipe, StateKeys.indexPrefix(recipe), DynamoItems::index);
  }

  @Override
  public List<IndexName> findIndexName(String name) {
    List<IndexName> names = new ArrayList<>();
    dynamo
        .queryPaginator(
            r ->
                r.tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", DynamoItems.PK))
                    .expressionAttributeValues(Map.of(":pk", s(StateKeys.namePk(name)))))
        .items()
        .forEach(
            item ->
                names.add(
                    new IndexName(
                        name,
                        new RecipeRef(
                            item.get("recipe").s(), Integer.parseInt(item.get("generation").n())),
                        item.get("source").s(),
                        IndexName.Role.valueOf(item.get("role").s()))));
    return names;
  }

  @Override
  public IndexRecord updateIndex(IndexRecord expected, UnaryOperator<IndexRecord> change) {
    IndexRecord stored =
        StateConflicts.checkedChange(expected, change).withVersion(expected.version() + 1);
    Optional<Map<String, AttributeValue>> refused =
        put(DynamoItems.indexItem(stored), Write.atVersion(expected.version()));
    if (refused.isPresent()) {
      throw StateConflicts.version(
          "index " + expected.recipe() + "/" + expected.source(),
          expected.version(),
          refused.get().isEmpty() ? null : DynamoItems.index(refused.get()).version());
    }
    return stored;
  }

  // ---- slices ----

  @Override
  public boolean putSliceIfAbsent(SliceRecord slice) {
    return put(DynamoItems.sliceItem(slice.withVersion(1)), Write.absent()).isEmpty();
  }

  @Override
  public Optional<SliceRecord> getSlice(SliceKey key) {
    return get(StateKeys.recipePk(key.recipe().name()), StateKeys.sliceSk(key))
        .map(DynamoItems::slice);
  }

  @Override
  public List<SliceRecord> listSlices(RecipeRef recipe) {
    return query(recipe, StateKeys.slicePrefix(recipe), DynamoItems::slice);
  }

  @Override
  public List<SliceRecord> listSlices(RecipeRef recipe, String source) {
    return query(recipe, StateKeys.slicePrefix(recipe, source), DynamoItems::slice);
  }

  @Override
  public SliceRecord claimSlice(SliceKey key, long expectedVersion) {
    SliceUpdate update =
        new SliceUpdate()
            .set("status", s(SliceStatus.STARTING.name()))
            .increment("attempts")
            .set("startedAt", s(clock.instant()))
            .setAll(DynamoItems.progressAttributes(SliceProgress.NONE))
            .remove("taskId", "lastPolledAt", "finishedAt")
            .condition("#status = :pending AND #version = :expectedVersion")
            .value(":pending", s(SliceStatus.PENDING.name()))
            .value(":expectedVersion", n(expectedVersion));
    Outcome outcome = updateSlice(key, update);
    if (!outcome.applied()) {
      throw StateConflicts.slice(key, "PENDING at version " + expectedVersion, outcome.slice());
    }
    return outcome.slice();
  }

  @Override
  public SliceRecord recordTask(SliceKey key, String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    SliceUpdate update =
        new SliceUpdate()
            .set("status", s(SliceStatus.RUNNING.name()))
            .set("taskId", s(taskId))
            .remove("lastPolledAt", "finishedAt")
            .condition("#status = :starting")
            .value(":starting", s(SliceStatus.STARTING.name()));
    Outcome outcome = updateSlice(key, update);
    SliceRecord slice = outcome.slice();
    if (!outcome.applied()
        && !(slice.status() == SliceStatus.RUNNING && taskId.equals(slice.taskId()))) {
      throw StateConflicts.slice(key, "STARTING", slice);
    }
    return slice;
  }

  @Override
  public boolean recordProgress(SliceKey key, String taskId, SliceProgress progress) {
    Objects.requireNonNull(taskId, "taskId");
    SliceUpdate update =
        new SliceUpdate()
            .setAll(DynamoItems.progressAttributes(progress))
            .comparing(DynamoItems.counterAttributes(progress))
            .set("lastPolledAt", s(clock.instant()))
            .condition(
                "#status = :running AND #taskId = :taskId AND #total <= :total"
                    + " AND #created <= :created AND #updated <= :updated AND #deleted <= :deleted"
                    + " AND #versionConflicts <= :versionConflicts AND #batches <= :batches"
                    + " AND #failures <= :failures")
            .value(":running", s(SliceStatus.RUNNING.name()))
            .value(":taskId", s(taskId))
            .name("taskId");
    return updateSlice(key, update).applied();
  }

  @Override
  public SliceRecord checkpointCursor(
      SliceKey key, long expectedVersion, String passId, String cursor, SliceProgress progress) {
    Objects.requireNonNull(passId, "passId");
    SliceUpdate update =
        new SliceUpdate()
            .setAll(DynamoItems.progressAttributes(progress))
            .set("taskId", s(passId))
            .set("lastPolledAt", s(clock.instant()))
            .condition("#status = :running AND #version = :expectedVersion")
            .value(":running", s(SliceStatus.RUNNING.name()))
            .value(":expectedVersion", n(expectedVersion));
    if (cursor == null) {
      update.remove("cursor");
    } else {
      update.set("cursor", s(cursor));
    }
    Outcome outcome = updateSlice(key, update);
    if (!outcome.applied()) {
      throw StateConflicts.slice(key, "RUNNING at version " + expectedVersion, outcome.slice());
    }
    return outcome.slice();
  }

  @Override
  public SliceRecord completeSlice(SliceKey key, String taskId, SliceProgress finalProgress) {
    Objects.requireNonNull(taskId, "taskId");
    Instant now = clock.instant();
    SliceUpdate update =
        new SliceUpdate()
            .setAll(DynamoItems.progressAttributes(finalProgress))
            .set("status", s(SliceStatus.DONE.name()))
            .set("lastPolledAt", s(now))
            .set("finishedAt", s(now))
            .condition("#status = :running AND #taskId = :taskId")
            .value(":running", s(SliceStatus.RUNNING.name()))
            .value(":taskId", s(taskId))
            .name("taskId");
    Outcome outcome = updateSlice(key, update);
    SliceRecord slice = outcome.slice();
    if (!outcome.applied()
        && !(slice.status() == SliceStatus.DONE && taskId.equals(slice.taskId()))) {
      throw StateConflicts.slice(key, "RUNNING task " + taskId, slice);
    }
    return slice;
  }

  @Override
  public SliceRecord failSlice(SliceKey key, String reason) {
    SliceUpdate update =
        new SliceUpdate()
            .set("status", s(SliceStatus.FAILED.name()))
            .set("finishedAt", s(clock.instant()))
            .condition("#status IN (:pending, :starting, :running)")
            .value(":pending", s(SliceStatus.PENDING.name()))
            .value(":starting", s(SliceStatus.STARTING.name()))
            .value(":running", s(SliceStatus.RUNNING.name()));
    String bounded = StateLimits.truncate(reason, StateLimits.MAX_MESSAGE_CHARS);
    if (bounded == null) {
      update.remove("lastError");
    } else {
      update.set("lastError", s(bounded));
    }
    Outcome outcome = updateSlice(key, update);
    SliceRecord slice = outcome.slice();
    if (!outcome.applied() && slice.status() != SliceStatus.FAILED) {
      throw StateConflicts.slice(key, "PENDING, STARTING or RUNNING", slice);
    }
    return slice;
  }

  @Override
  public SliceRecord resetSlice(SliceKey key, long expectedVersion) {
    SliceUpdate update =
        new SliceUpdate()
            .set("status", s(SliceStatus.PENDING.name()))
            .setAll(DynamoItems.progressAttributes(SliceProgress.NONE))
            .remove("taskId", "startedAt", "lastPolledAt", "finishedAt", "cursor")
            .condition("#status IN (:failed, :starting) AND #version = :expectedVersion")
            .value(":failed", s(SliceStatus.FAILED.name()))
            .value(":starting", s(SliceStatus.STARTING.name()))
            .value(":expectedVersion", n(expectedVersion));
    Outcome outcome = updateSlice(key, update);
    if (!outcome.applied()) {
      throw StateConflicts.slice(
          key, "FAILED or STARTING at version " + expectedVersion, outcome.slice());
    }
    return outcome.slice();
  }

  // ---- rollover ----

  @Override
  public Optional<RolloverRecord> getRollover(RecipeRef recipe) {
    return get(StateKeys.recipePk(recipe.name()), StateKeys.rolloverSk(recipe))
        .map(DynamoItems::rollover);
  }

  @Override
  public void recordSyncBatch(
      RecipeRef recipe, long applied, long rejected, long deferred, long lagMillis, Instant at) {
    dynamo.updateItem(
        r ->
            r.tableName(table)
                .key(
                    Map.of(
                        DynamoItems.PK, s(StateKeys.recipePk(recipe.name())),
                        DynamoItems.SK, s(StateKeys.syncSk(recipe))))
                // Names go through placeholders: several (deferred, ...) are DynamoDB keywords.
                .updateExpression(
                    "ADD #applied :a, #rejected :r, #deferred :d, #batches :one"
                        + " SET #lag = :lag, #last = :at, #first = if_not_exists(#first, :at)")
                .expressionAttributeNames(
                    Map.of(
                        "#applied", "applied",
                        "#rejected", "rejected",
                        "#deferred", "deferred",
                        "#batches", "batches",
                        "#lag", "lastLagMillis",
                        "#last", "lastAppliedAt",
                        "#first", "firstAppliedAt"))
                .expressionAttributeValues(
                    Map.of(
                        ":a", n(applied),
                        ":r", n(rejected),
                        ":d", n(deferred),
                        ":one", n(1),
                        ":lag", n(lagMillis),
                        ":at", n(at.toEpochMilli()))));
  }

  @Override
  public SyncStats getSyncStats(RecipeRef recipe) {
    return get(StateKeys.recipePk(recipe.name()), StateKeys.syncSk(recipe))
        .map(
            item ->
                new SyncStats(
                    longOf(item, "applied"),
                    longOf(item, "rejected"),
                    longOf(item, "deferred"),
                    longOf(item, "batches"),
                    item.containsKey("lastLagMillis") ? longOf(item, "lastLagMillis") : null,
                    item.containsKey("firstAppliedAt")
                        ? Instant.ofEpochMilli(longOf(item, "firstAppliedAt"))
                        : null,
                    item.containsKey("lastAppliedAt")
                        ? Instant.ofEpochMilli(longOf(item, "lastAppliedAt"))
                        : null))
        .orElse(SyncStats.NONE);
  }

  private static long longOf(Map<String, AttributeValue> item, String name) {
    AttributeValue value = item.get(name);
    return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
  }

  @Override
  public RolloverRecord saveRollover(RolloverRecord rollover) {
    RolloverRecord stored = rollover.withVersion(rollover.version() + 1);
    Write write = rollover.version() == 0 ? Write.absent() : Write.atVersion(rollover.version());
    Optional<Map<String, AttributeValue>> refused = put(DynamoItems.rolloverItem(stored), write);
    if (refused.isPresent()) {
      throw StateConflicts.version(
          "rollover " + rollover.recipe(),
          rollover.version(),
          refused.get().isEmpty() ? null : DynamoItems.rollover(refused.get()).version());
    }
    return stored;
  }

  // ---- idempotency ----

  @Override
  public boolean tryAcquire(IdempotencyRecord claim, Instant now) {
    Write write =
        new Write(
            "attribute_not_exists(#pk) OR #expiresAt < :nowSeconds"
                + " OR (#status = :inProgress AND #leaseUntil < :nowMillis)",
            Map.of(
                "#pk", DynamoItems.PK,
                "#expiresAt", DynamoItems.EXPIRES_AT,
                "#status", DynamoItems.STATUS,
                "#leaseUntil", "leaseUntil"),
            Map.of(
                ":nowSeconds", n(now.getEpochSecond()),
                ":nowMillis", n(now.toEpochMilli()),
                ":inProgress", s(IdempotencyRecord.Status.IN_PROGRESS.name())));
    return put(DynamoItems.idempotencyItem(claim), write).isEmpty();
  }

  @Override
  public Optional<IdempotencyRecord> findIdempotency(String key) {
    return get(StateKeys.idempotencyPk(key), StateKeys.IDEMPOTENCY_SK)
        .map(DynamoItems::idempotency);
  }

  @Override
  public boolean complete(IdempotencyRecord completed) {
    Write write =
        new Write(
            "#leaseId = :leaseId",
            Map.of("#leaseId", "leaseId"),
            Map.of(":leaseId", s(completed.leaseId())));
    return put(DynamoItems.idempotencyItem(completed), write).isEmpty();
  }

  @Override
  public void release(String key, String leaseId) {
    try {
      dynamo.deleteItem(
          r ->
              r.tableName(table)
                  .key(DynamoItems.key(StateKeys.idempotencyPk(key), StateKeys.IDEMPOTENCY_SK))
                  .conditionExpression("#status = :inProgress AND #leaseId = :leaseId")
                  .expressionAttributeNames(
                      Map.of("#status", DynamoItems.STATUS, "#leaseId", "leaseId"))
                  .expressionAttributeValues(
                      Map.of(
                          ":inProgress", s(IdempotencyRecord.Status.IN_PROGRESS.name()),
                          ":leaseId", s(leaseId))));
    } catch (ConditionalCheckFailedException lostLease) {
      // Someone else holds the key now; their record stays.
    }
  }

  // ---- DynamoDB plumbing ----

  /** A condition expression with its names and values. */
  private record Write(
      String condition, Map<String, String> names, Map<String, AttributeValue> values) {
    static Write absent() {
      return new Write("attribute_not_exists(#pk)", Map.of("#pk", DynamoItems.PK), Map.of());
    }

    static Write atVersion(long version) {
      return new Write(
          "#version = :expectedVersion",
          Map.of("#version", DynamoItems.VERSION),
          Map.of(":expectedVersion", n(version)));
    }
  }

  /**
   * Puts {@code item} under {@code write}'s condition.
   *
   * @return empty when written; otherwise the item that refused it (an empty map when none)
   */
  private Optional<Map<String, AttributeValue>> put(Map<String, AttributeValue> item, Write write) {
    try {
      dynamo.putItem(
          r -> {
            r.tableName(table)
                .item(item)
                .conditionExpression(write.condition())
                .expressionAttributeNames(write.names())
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            if (!write.values().isEmpty()) {
              r.expressionAttributeValues(write.values());
            }
          });
      return Optional.empty();
    } catch (ConditionalCheckFailedException refused) {
      return Optional.of(
          refusingItem(refused, item.get(DynamoItems.PK).s(), item.get(DynamoItems.SK).s()));
    }
  }

  private Map<String, AttributeValue> refusingItem(
      ConditionalCheckFailedException refused, String pk, String sk) {
    if (refused.hasItem() && !refused.item().isEmpty()) {
      return refused.item();
    }
    // Older emulators do not return the item with the failure; read it instead.
    return get(pk, sk).orElse(Map.of());
  }

  private Optional<Map<String, AttributeValue>> get(String pk, String sk) {
    var response =
        dynamo.getItem(r -> r.tableName(table).key(DynamoItems.key(pk, sk)).consistentRead(true));
    return response.hasItem() && !response.item().isEmpty()
        ? Optional.of(response.item())
        : Optional.empty();
  }

  private <T> List<T> query(
      RecipeRef recipe, String prefix, Function<Map<String, AttributeValue>, T> mapper) {
    List<T> records = new ArrayList<>();
    dynamo
        .queryPaginator(
            r ->
                r.tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expressionAttributeNames(Map.of("#pk", DynamoItems.PK, "#sk", DynamoItems.SK))
                    .expressionAttributeValues(
                        Map.of(":pk", s(StateKeys.recipePk(recipe.name())), ":prefix", s(prefix))))
        .items()
        .forEach(item -> records.add(mapper.apply(item)));
    return records;
  }

  private void deleteWhere(String pk, Predicate<String> skMatches) {
    List<WriteRequest> deletes = new ArrayList<>();
    dynamo
        .queryPaginator(
            r ->
                r.tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .projectionExpression("#pk, #sk")
                    .expressionAttributeNames(Map.of("#pk", DynamoItems.PK, "#sk", DynamoItems.SK))
                    .expressionAttributeValues(Map.of(":pk", s(pk))))
        .items()
        .forEach(
            item -> {
              if (skMatches.test(item.get(DynamoItems.SK).s())) {
                deletes.add(
                    WriteRequest.builder()
                        .deleteRequest(DeleteRequest.builder().key(item).build())
                        .build());
              }
            });
    for (int from = 0; from < deletes.size(); from += BATCH_LIMIT) {
      batchDelete(deletes.subList(from, Math.min(from + BATCH_LIMIT, deletes.size())));
    }
  }

  private void batchDelete(List<WriteRequest> batch) {
    Map<String, List<WriteRequest>> pending = Map.of(table, batch);
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      if (attempt > 0) {
        pause(Math.min(1_000L, 50L << attempt));
      }
      if (attempt > 8) {
        throw new IllegalStateException(
            "DynamoDB kept refusing to delete "
                + pending.get(table).size()
                + " state items of "
                + table);
      }
      Map<String, List<WriteRequest>> request = pending;
      var response = dynamo.batchWriteItem(r -> r.requestItems(request));
      pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deleting state items", e);
    }
  }

  /** Result of a conditional slice update: the new item if applied, else the one that refused. */
  private record Outcome(boolean applied, SliceRecord slice) {}

  private Outcome updateSlice(SliceKey key, SliceUpdate update) {
    String pk = StateKeys.recipePk(key.recipe().name());
    String sk = StateKeys.sliceSk(key);
    update.increment("version");
    try {
      var response =
          dynamo.updateItem(
              r ->
                  r.tableName(table)
                      .key(DynamoItems.key(pk, sk))
                      .updateExpression(update.expression())
                      .conditionExpression(update.condition)
                      .expressionAttributeNames(update.names)
                      .expressionAttributeValues(update.values)
                      .returnValues(ReturnValue.ALL_NEW)
                      .returnValuesOnConditionCheckFailure(
                          ReturnValuesOnConditionCheckFailure.ALL_OLD));
      return new Outcome(true, DynamoItems.slice(response.attributes()));
    } catch (ConditionalCheckFailedException refused) {
      Map<String, AttributeValue> old = refusingItem(refused, pk, sk);
      if (old.isEmpty()) {
        throw StateConflicts.noSlice(key);
      }
      return new Outcome(false, DynamoItems.slice(old));
    }
  }

  /**
   * Collects an UpdateItem expression. Attribute names are always aliased as {@code #name}, which
   * sidesteps DynamoDB's reserved words (status, source, name, ...).
   */
  private static final class SliceUpdate {
    private final List<String> sets = new ArrayList<>();
    private final List<String> removes = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, AttributeValue> values = new HashMap<>();
    private String condition;

    SliceUpdate set(String attribute, AttributeValue value) {
      name(attribute);
      sets.add("#" + attribute + " = :set_" + attribute);
      values.put(":set_" + attribute, value);
      return this;
    }

    SliceUpdate setAll(Map<String, AttributeValue> attributes) {
      attributes.forEach(this::set);
      return this;
    }

    /** Offers the new counters to the condition as {@code :total}, {@code :created}, ... */
    SliceUpdate comparing(Map<String, AttributeValue> attributes) {
      attributes.forEach((a, v) -> values.put(":" + a, v));
      return this;
    }

    SliceUpdate increment(String attribute) {
      name(attribute);
      sets.add("#" + attribute + " = #" + attribute + " + :one");
      values.put(":one", n(1));
      return this;
    }

    SliceUpdate remove(String... attributes) {
      for (String a : attributes) {
        name(a);
        removes.add("#" + a);
      }
      return this;
    }

    SliceUpdate condition(String expression) {
      this.condition = expression;
      for (String token : expression.split("[^#A-Za-z]+")) {
        if (token.startsWith("#")) {
          name(token.substring(1));
        }
      }
      return this;
    }

    SliceUpdate value(String placeholder, AttributeValue value) {
      values.put(placeholder, value);
      return this;
    }

    SliceUpdate name(String attribute) {
      names.put("#" + attribute, attribute);
      return this;
    }

    String expression() {
      String expression = "SET " + String.join(", ", sets);
      return removes.isEmpty() ? expression : expression + " REMOVE " + String.join(", ", removes);
    }
  }
}
