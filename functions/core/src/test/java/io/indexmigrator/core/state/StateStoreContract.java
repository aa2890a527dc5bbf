package io.indexmigrator.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link StateStore} must have, run against each implementation: {@link
 * InMemoryStateStoreTest} in memory and {@link DynamoStateStoreIT} on DynamoDB Local. Each test
 * gets a fresh, empty store.
 */
abstract class StateStoreContract {
  /**
   * Far in the future: DynamoDB Local runs a TTL deletion job, and records that expire an hour
   * after a START already past would vanish in the middle of a test.
   */
  static final Instant START = Instant.parse("2099-11-24T10:00:00Z");

  static final String RECIPE_JSON = "{\"name\":\"orders\",\"indexes\":[\"orders-v1\"]}";

  MutableClock clock;
  StateStore store;

  /** A new store with no items, reading time from {@code clock}. */
  protected abstract StateStore newStore(MutableClock clock);

  @BeforeEach
  void freshStore() {
    clock = new MutableClock(START);
    store = newStore(clock);
  }

  // ---- recipes ----

  @Test
  void createRecipe_shouldStartGenerationOneInitialized_whenNameIsNew() {
    // GIVEN an empty store
    // WHEN a recipe is initialized
    RecipeRecord created = store.createRecipe("orders", RECIPE_JSON);
    // THEN it is generation 1, INITIALIZED, version 1, and reads back equal
    assertThat(created.generation()).isEqualTo(1);
    assertThat(created.status()).isEqualTo(RecipeStatus.INITIALIZED);
    assertThat(created.version()).isEqualTo(1);
    assertThat(created.createdAt()).isEqualTo(START);
    assertThat(store.getRecipe("orders")).contains(created);
  }

  @Test
  void createRecipe_shouldRefuseNamingStatusAndSince_whenRecipeIsActive() {
    // GIVEN a recipe that is RUNNING since a known time
    store.createRecipe("orders", RECIPE_JSON);
    clock.advance(Duration.ofMinutes(5));
    RecipeRecord running =
        store.transition("orders", Set.of(RecipeStatus.INITIALIZED), RecipeStatus.RUNNING);
    // WHEN it is initialized again
    // THEN the refusal says the recipe is active, its status and since when
    assertThatThrownBy(() -> store.createRecipe("orders", RECIPE_JSON))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("recipe 'orders' is already active")
        .hasMessageContaining("status RUNNING since " + running.updatedAt());
    assertThat(store.getRecipe("orders")).contains(running);
  }

  @Test
  void createRecipe_shouldRefuse_whenRecipeFailedButWasNotCancelled() {
    // GIVEN a FAILED recipe
    store.createRecipe("orders", RECIPE_JSON);
    store.transition(
        "orders",
        Set.of(RecipeStatus.INITIALIZED),
        RecipeStatus.FAILED,
        r -> r.withFailure("boom"));
    // WHEN it is initialized again THEN it must be cancelled first
    assertThatThrownBy(() -> store.createRecipe("orders", RECIPE_JSON))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("status FAILED");
  }

  @Test
  void createRecipe_shouldBumpGenerationAndHideOldRecords_whenPreviousWasCancelled() {
    // GIVEN generation 1 with an index, two slices and a rollover, then cancelled
    RecipeRecord first = store.createRecipe("orders", RECIPE_JSON);
    RecipeRef gen1 = first.ref();
    store.putIndexIfAbsent(plannedIndex(gen1, "orders-v1", 2));
    store.putSliceIfAbsent(SliceRecord.pending(gen1, "orders-v1", 0, 2));
    store.putSliceIfAbsent(SliceRecord.pending(gen1, "orders-v1", 1, 2));
    store.saveRollover(RolloverRecord.blocked(gen1, START));
    store.transition("orders", Set.of(RecipeStatus.INITIALIZED), RecipeStatus.CANCELLING);
    store.transition("orders", Set.of(RecipeStatus.CANCELLING), RecipeStatus.CANCELLED);
    // WHEN it is initialized again
    RecipeRecord second = store.createRecipe("orders", "{\"name\":\"orders\",\"v\":2}");
    // THEN it is generation 2 with the new document and sees none of generation 1's records
    assertThat(second.generation()).isEqualTo(2);
    assertThat(second.status()).isEqualTo(RecipeStatus.INITIALIZED);
    assertThat(second.document()).contains("\"v\":2");
    assertThat(second.version()).isGreaterThan(first.version());
    RecipeRef gen2 = second.ref();
    assertThat(store.listSlices(gen2)).isEmpty();
    assertThat(store.listIndexes(gen2)).isEmpty();
    assertThat(store.getRollover(gen2)).isEmpty();
    // AND generation 1's records are gone, so a late worker of generation 1 finds nothing
    assertThat(store.listSlices(gen1)).isEmpty();
    assertThatThrownBy(() -> store.claimSlice(new SliceKey(gen1, "orders-v1", 0), 1))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("no slice");
  }

  @Test
  void listSlices_shouldNotShowALateWorkersSlice_whenItWritesForTheCancelledGeneration() {
    // GIVEN generation 1 cancelled and generation 2 initialized
    RecipeRef gen1 = store.createRecipe("orders", RECIPE_JSON).ref();
    store.transition("orders", Set.of(RecipeStatus.INITIALIZED), RecipeStatus.CANCELLED);
    RecipeRef gen2 = store.createRecipe("orders", RECIPE_JSON).ref();
    store.putSliceIfAbsent(SliceRecord.pending(gen2, "orders-v1", 0, 1));
    // WHEN a worker of generation 1, still running, writes its slice afterwards
    boolean written = store.putSliceIfAbsent(SliceRecord.pending(gen1, "orders-v1", 0, 1));
    // THEN its write lands in generation 1 and generation 2 sees only its own slice
    assertThat(written).isTrue();
    assertThat(store.listSlices(gen2)).extracting(SliceRecord::generation).containsExactly(2);
    assertThat(store.getSlice(new SliceKey(gen2, "orders-v1", 0)).orElseThrow().status())
        .isEqualTo(SliceStatus.PENDING);
  }

  @Test
  void updateRecipe_shouldRejectTheChange_whenItRenamesTheRecipe() {
    // GIVEN a recipe
    RecipeRecord created = store.createRecipe("orders", RECIPE_JSON);
    // WHEN a change returns a record of another name THEN it is refused and nothing is written
    assertThatThrownBy(
            () ->
                store.updateRecipe(
                    created,
                    r ->
                        new RecipeRecord(
                            "other",
                            1,
                            r.document(),
                            r.status(),
                            null,
                            null,
                            r.createdAt(),
                            r.updatedAt(),
                            r.version())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot change the name or generation");
    assertThat(store.getRecipe("orders")).contains(created);
    assertThat(store.getRecipe("other")).isEmpty();
  }

  @Test
  void createRecipe_shouldAllowReinitialization_whenPreviousWasRolledOver() {
    // GIVEN a recipe that finished its rollover
    store.createRecipe("orders", RECIPE_JSON);
    store.transition("orders", Set.of(RecipeStatus.INITIALIZED), RecipeStatus.ROLLED_OVER);
    // WHEN it is initialized again THEN the next generation starts
    assertThat(store.createRecipe("orders", RECIPE_JSON).generation()).isEqualTo(2);
  }

  @Test
  void createRecipe_shouldRejectWithSize_whenDocumentExceeds300Kb() {
    // GIVEN a document just over the limit
    String huge = "{\"pad\":\"" + "x".repeat(StateLimits.MAX_DOCUMENT_BYTES) + "\"}";
    // WHEN / THEN it is refused before anything is written, naming its size and the limit
    assertThatThrownBy(() -> store.createRecipe("orders", huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recipe 'orders' document is " + huge.length() + " bytes")
        .hasMessageContaining("at most " + StateLimits.MAX_DOCUMENT_BYTES);
    assertThat(store.getRecipe("orders")).isEmpty();
  }

  @Test
  void createRecipe_shouldLetExactlyOneWin_whenSeveralInitializeConcurrently() throws Exception {
    // GIVEN four invocations initializing the same new recipe at once
    var outcomes = Race.run(4, i -> () -> store.createRecipe("orders", "{\"by\":" + i + "}"));
    // THEN exactly one wins and the others are told the recipe is active
    assertThat(outcomes).filteredOn(Race.Outcome::won).hasSize(1);
    assertThat(outcomes)
        .filteredOn(o -> !o.won())
        .allSatisfy(o -> assertThat(o.failure()).isInstanceOf(ConflictException.class));
    assertThat(store.getRecipe("orders").orElseThrow().generation()).isEqualTo(1);
  }

  @Test
  void updateRecipe_shouldLetExactlyOneWin_whenTwoThreadsUpdateTheSameVersion() throws Exception {
    // GIVEN two invocations that both read version 1
    RecipeRecord read = store.createRecipe("orders", RECIPE_JSON);
    // WHEN both write a change based on it at the same time
    var outcomes =
        Race.run(2, i -> () -> store.updateRecipe(read, r -> r.withExecutionArn("arn:exec:" + i)));
    // THEN one write is stored and the other is refused with what it expected and found
    assertThat(outcomes).filteredOn(Race.Outcome::won).hasSize(1);
    RecipeRecord winner =
        outcomes.stream().filter(Race.Outcome::won).findFirst().orElseThrow().result();
    Throwable loser = outcomes.stream().filter(o -> !o.won()).findFirst().orElseThrow().failure();
    assertThat(loser).isInstanceOf(ConflictException.class);
    assertThat(((ConflictException) loser).expected()).contains("version 1");
    assertThat(((ConflictException) loser).found()).contains("version 2");
    assertThat(store.getRecipe("orders")).contains(winner);
    assertThat(winner.version()).isEqualTo(2);
  }

  @Test
  void updateRecipe_shouldStampUpdatedAt_whenWritten() {
    // GIVEN a recipe created at START
    RecipeRecord created = store.createRecipe("orders", RECIPE_JSON);
    clock.advance(Duration.ofSeconds(42));
    // WHEN it is updated
    RecipeRecord updated = store.updateRecipe(created, r -> r.withExecutionArn("arn:exec:1"));
    // THEN updatedAt moves, createdAt stays
    assertThat(updated.updatedAt()).isEqualTo(START.plusSeconds(42));
    assertThat(updated.createdAt()).isEqualTo(START);
    assertThat(store.getRecipe("orders").orElseThrow().executionArn()).isEqualTo("arn:exec:1");
  }

  @Test
  void updateRecipe_shouldRefuse_whenExpectedIsFromAnOlderGeneration() {
    // GIVEN a record read in generation 1, then the recipe was cancelled and re-initialized
    RecipeRecord gen1 = store.createRecipe("orders", RECIPE_JSON);
    RecipeRecord cancelled =
        store.transition("orders", Set.of(RecipeStatus.INITIALIZED), RecipeStatus.CANCELLED);
    store.createRecipe("orders", RECIPE_JSON);
    // WHEN a late writer updates with its generation-1 record
    // THEN it is refused even at the version it last saw
    assertThatThrownBy(() -> store.updateRecipe(cancelled, r -> r.withStatus(RecipeStatus.FAILED)))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("generation 2");
    assertThatThrownBy(() -> store.updateRecipe(gen1, r -> r.withStatus(RecipeStatus.FAILED)))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void transition_shouldReturnUnchanged_whenRecipeIsAlreadyInTargetStatus() {
    // GIVEN a recipe already moved to RUNNING
    store.createRecipe("orders", RECIPE_JSON);
    RecipeRecord running =
        store.transition(
            "orders",
            Set.of(RecipeStatus.INITIALIZED),
            RecipeStatus.RUNNING,
            r -> r.withExecutionArn("arn:1"));
    // WHEN the same step is repeated (at-least-once delivery)
    RecipeRecord again =
        store.transition("orders", Set.of(RecipeStatus.INITIALIZED), RecipeStatus.RUNNING);
    // THEN nothing is written again
    assertThat(again).isEqualTo(running);
    assertThat(running.executionArn()).isEqualTo("arn:1");
  }

  @Test
  void transition_shouldRefuseNamingStatuses_whenStatusIsNotAllowed() {
    // GIVEN an INITIALIZED recipe
    store.createRecipe("orders", RECIPE_JSON);
    // WHEN it is asked to roll over THEN the conflict names expected and found
    assertThatThrownBy(
            () ->
                store.transition("orders", Set.of(RecipeStatus.SYNCING), RecipeStatus.ROLLING_OVER))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("SYNCING")
        .hasMessageContaining("found status INITIALIZED");
  }

  @Test
  void listRecipes_shouldReturnEveryRecipeByName_whenSeveralExist() {
    // GIVEN three recipes created out of order, plus slices that must not be listed
    RecipeRecord b = store.createRecipe("beta", RECIPE_JSON);
    store.putSliceIfAbsent(SliceRecord.pending(b.ref(), "logs", 0, 1));
    store.createRecipe("alpha", RECIPE_JSON);
    store.createRecipe("gamma", RECIPE_JSON);
    // WHEN listed THEN only the recipes, ordered by name
    assertThat(store.listRecipes())
        .extracting(RecipeRecord::name)
        .containsExactly("alpha", "beta", "gamma");
  }

  @Test
  void deleteRecipeState_shouldRemoveEveryRecord_whenRecipeHasChildren() {
    // GIVEN a recipe with an index and a slice, and another recipe
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    store.putIndexIfAbsent(plannedIndex(ref, "orders-v1", 1));
    store.putSliceIfAbsent(SliceRecord.pending(ref, "orders-v1", 0, 1));
    store.createRecipe("other", RECIPE_JSON);
    // WHEN its state is deleted
    store.deleteRecipeState("orders");
    // THEN nothing of it is left, and the other recipe is untouched
    assertThat(store.getRecipe("orders")).isEmpty();
    assertThat(store.listIndexes(ref)).isEmpty();
    assertThat(store.listSlices(ref)).isEmpty();
    assertThat(store.listRecipes()).extracting(RecipeRecord::name).containsExactly("other");
  }

  // ---- indexes ----

  @Test
  void findIndexName_shouldFindTheIndexRecordsNamingAnIndexOrAlias_byEachName() {
    // GIVEN an index record whose source had an alias at init, and one of another recipe
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    store.putIndexIfAbsent(
        IndexRecord.planned(
            ref,
            "orders-v1",
            "orders-v2",
            List.of(AliasSpec.named("orders")),
            true,
            null,
            null,
            1,
            1000));
    RecipeRef other = store.createRecipe("other", RECIPE_JSON).ref();
    store.putIndexIfAbsent(plannedIndex(other, "orders-v2", 1));
    // THEN each name leads to the records naming it, in its role
    assertThat(store.findIndexName("orders-v1"))
        .containsExactly(new IndexName("orders-v1", ref, "orders-v1", IndexName.Role.SOURCE));
    assertThat(store.findIndexName("orders"))
        .containsExactly(new IndexName("orders", ref, "orders-v1", IndexName.Role.ALIAS));
    assertThat(store.findIndexName("orders-v2"))
        .containsExactlyInAnyOrder(
            new IndexName("orders-v2", ref, "orders-v1", IndexName.Role.DESTINATION),
            new IndexName("orders-v2", other, "orders-v2", IndexName.Role.SOURCE));
    assertThat(store.findIndexName("unknown")).isEmpty();
    // WHEN a recipe's state is deleted THEN its names are gone, the other recipe's stay
    store.deleteRecipeState("orders");
    assertThat(store.findIndexName("orders-v1")).isEmpty();
    assertThat(store.findIndexName("orders")).isEmpty();
    assertThat(store.findIndexName("orders-v2"))
        .containsExactly(new IndexName("orders-v2", other, "orders-v2", IndexName.Role.SOURCE));
  }

  @Test
  void putIndexIfAbsent_shouldKeepTheFirstRecord_whenCalledTwice() {
    // GIVEN an index record written once
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    assertThat(store.putIndexIfAbsent(plannedIndex(ref, "orders-v1", 2))).isTrue();
    // WHEN a repeated invocation writes a different plan for the same source
    boolean second = store.putIndexIfAbsent(plannedIndex(ref, "orders-v1", 8));
    // THEN the first is kept
    assertThat(second).isFalse();
    assertThat(store.getIndex(ref, "orders-v1").orElseThrow().sliceCount()).isEqualTo(2);
  }

  @Test
  void getIndex_shouldReturnEveryField_whenWrittenWithAliasesAndSettings() {
    // GIVEN an index record with every field set
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    IndexRecord planned =
        IndexRecord.planned(
                ref,
                "orders-v1",
                "orders-v2",
                List.of(
                    new AliasSpec("orders", "{\"term\":{\"tenant\":\"a\"}}", "1", "2", "3", true),
                    AliasSpec.named("orders-read")),
                true,
                "indexes[2]",
                "{\"index.number_of_replicas\":\"2\"}",
                4,
                123_456,
                "{\"field\":\"created\",\"date\":true,\"boundaries\":[1600000000000]}")
            .withWriteBlockSetByUs(true);
    store.putIndexIfAbsent(planned);
    // WHEN read back THEN it equals what was written, at version 1
    assertThat(store.getIndex(ref, "orders-v1")).contains(planned.withVersion(1));
  }

  @Test
  void updateIndex_shouldRefuse_whenVersionIsStale() {
    // GIVEN an index record updated once by someone else
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    store.putIndexIfAbsent(plannedIndex(ref, "orders-v1", 1));
    IndexRecord read = store.getIndex(ref, "orders-v1").orElseThrow();
    IndexRecord copying = store.updateIndex(read, i -> i.withPhase(IndexPhase.COPYING));
    // WHEN a write based on the old read arrives
    // THEN it is refused and the newer phase stays
    assertThatThrownBy(() -> store.updateIndex(read, i -> i.withPhase(IndexPhase.FAILED)))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("expected version 1, found version 2");
    assertThat(store.getIndex(ref, "orders-v1")).contains(copying);
  }

  @Test
  void listIndexes_shouldOrderBySource_whenWrittenOutOfOrder() {
    // GIVEN indexes written in a scrambled order
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    for (String source : List.of("logs-b", "logs", "audit", "logs-a")) {
      store.putIndexIfAbsent(plannedIndex(ref, source, 1));
    }
    // WHEN listed THEN ordered by name
    assertThat(store.listIndexes(ref))
        .extracting(IndexRecord::source)
        .containsExactly("audit", "logs", "logs-a", "logs-b");
  }

  // ---- slices ----

  @Test
  void claimSlice_shouldLetExactlyOneClaim_whenEightInvocationsRace() throws Exception {
    // GIVEN a PENDING slice that eight invocations read at version 1
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    store.putSliceIfAbsent(SliceRecord.pending(ref, "orders-v1", 3, 4));
    SliceKey key = new SliceKey(ref, "orders-v1", 3);
    long version = store.getSlice(key).orElseThrow().version();
    // WHEN they all claim it at once
    var outcomes = Race.run(8, i -> () -> store.claimSlice(key, version));
    // THEN exactly one holds it STARTING, with one attempt counted
    assertThat(outcomes).filteredOn(Race.Outcome::won).hasSize(1);
    assertThat(outcomes)
        .filteredOn(o -> !o.won())
        .allSatisfy(
            o ->
                assertThat(o.failure())
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("found STARTING"));
    SliceRecord claimed = store.getSlice(key).orElseThrow();
    assertThat(claimed.status()).isEqualTo(SliceStatus.STARTING);
    assertThat(claimed.attempts()).isEqualTo(1);
    assertThat(claimed.startedAt()).isEqualTo(START);
  }

  @Test
  void claimSlice_shouldRefuse_whenClaimerReadTheSliceBeforeItWasReset() {
    // GIVEN an invocation that read the slice at version 1, then the slice ran, failed and was
    // reset
    SliceKey key = runningSlice("node1:42");
    SliceRecord failed = store.failSlice(key, "task lost");
    SliceRecord reset = store.resetSlice(key, failed.version());
    // WHEN the stale invocation claims with what it read
    // THEN it is refused although the slice is PENDING again; the current version is accepted
    assertThatThrownBy(() -> store.claimSlice(key, 1))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("found PENDING at version " + reset.version());
    assertThat(store.claimSlice(key, reset.version()).attempts()).isEqualTo(2);
  }

  @Test
  void recordTask_shouldAcceptRepetition_whenSameTaskIsRecordedTwice() {
    // GIVEN a claimed slice
    SliceKey key = claimedSlice();
    // WHEN its task is recorded twice
    SliceRecord first = store.recordTask(key, "node1:42");
    SliceRecord again = store.recordTask(key, "node1:42");
    // THEN it is RUNNING that task and the repetition wrote nothing
    assertThat(first.status()).isEqualTo(SliceStatus.RUNNING);
    assertThat(first.taskId()).isEqualTo("node1:42");
    assertThat(again).isEqualTo(first);
    // AND another task for the same slice is refused
    assertThatThrownBy(() -> store.recordTask(key, "node2:7"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("with task node1:42");
  }

  @Test
  void recordTask_shouldRefuse_whenSliceWasNotClaimed() {
    // GIVEN a PENDING slice
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    store.putSliceIfAbsent(SliceRecord.pending(ref, "orders-v1", 0, 1));
    // WHEN / THEN a task cannot be recorded without the claim
    assertThatThrownBy(() -> store.recordTask(new SliceKey(ref, "orders-v1", 0), "node1:1"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("expected STARTING, found PENDING");
  }

  @Test
  void recordProgress_shouldIgnoreTheReport_whenAnyCounterGoesBackwards() {
    // GIVEN a running slice whose latest poll saw 500 created in 5 batches
    SliceKey key = runningSlice("node1:42");
    clock.advance(Duration.ofSeconds(10));
    assertThat(store.recordProgress(key, "node1:42", progress(1000, 500, 5))).isTrue();
    // WHEN a late poll with older counters arrives
    clock.advance(Duration.ofSeconds(10));
    boolean stored = store.recordProgress(key, "node1:42", progress(1000, 300, 3));
    // THEN it is ignored: counters and lastPolledAt are those of the newer poll
    assertThat(stored).isFalse();
    SliceRecord slice = store.getSlice(key).orElseThrow();
    assertThat(slice.progress().created()).isEqualTo(500);
    assertThat(slice.progress().batches()).isEqualTo(5);
    assertThat(slice.lastPolledAt()).isEqualTo(START.plusSeconds(10));
    // AND a newer poll still moves it on
    assertThat(store.recordProgress(key, "node1:42", progress(1000, 800, 8))).isTrue();
    assertThat(store.getSlice(key).orElseThrow().progress().created()).isEqualTo(800);
  }

  @Test
  void recordProgress_shouldIgnoreTheReport_whenItComesFromAnotherTask() {
    // GIVEN a slice running task node1:42
    SliceKey key = runningSlice("node1:42");
    // WHEN a poll of another task arrives THEN it is ignored
    assertThat(store.recordProgress(key, "node9:1", progress(1000, 900, 9))).isFalse();
    assertThat(store.getSlice(key).orElseThrow().progress()).isEqualTo(SliceProgress.NONE);
  }

  @Test
  void recordProgress_shouldKeepTenFailureReasons_whenTaskReportsMore() {
    // GIVEN a running slice
    SliceKey key = runningSlice("node1:42");
    List<String> reasons =
        IntStream.range(0, 25).mapToObj(i -> "doc " + i + ": mapper_parsing_exception").toList();
    // WHEN a poll reports 25 failures with reasons
    store.recordProgress(key, "node1:42", new SliceProgress(100, 75, 0, 0, 0, 1, 25, reasons));
    // THEN the count is kept and the reasons are bounded to the first ten
    SliceProgress stored = store.getSlice(key).orElseThrow().progress();
    assertThat(stored.failures()).isEqualTo(25);
    assertThat(stored.failureReasons()).containsExactlyElementsOf(reasons.subList(0, 10));
  }

  @Test
  void recordProgress_shouldThrow_whenSliceDoesNotExist() {
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    assertThatThrownBy(
            () -> store.recordProgress(new SliceKey(ref, "nope", 0), "t:1", SliceProgress.NONE))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("no slice");
  }

  @Test
  void completeSlice_shouldStoreFinalCountersAndAcceptRepetition_whenTaskFinished() {
    // GIVEN a running slice
    SliceKey key = runningSlice("node1:42");
    clock.advance(Duration.ofMinutes(3));
    // WHEN its task completes, and the completion is delivered twice
    SliceRecord done = store.completeSlice(key, "node1:42", progress(1000, 1000, 10));
    SliceRecord again = store.completeSlice(key, "node1:42", progress(1000, 1000, 10));
    // THEN it is DONE with the final counters, once
    assertThat(done.status()).isEqualTo(SliceStatus.DONE);
    assertThat(done.finishedAt()).isEqualTo(START.plus(Duration.ofMinutes(3)));
    assertThat(done.progress().created()).isEqualTo(1000);
    assertThat(again).isEqualTo(done);
    // AND a late progress report cannot reopen it
    assertThat(store.recordProgress(key, "node1:42", progress(1000, 1000, 10))).isFalse();
    assertThat(store.getSlice(key)).contains(done);
  }

  @Test
  void failSlice_shouldRefuse_whenSliceIsDone() {
    // GIVEN a DONE slice
    SliceKey key = runningSlice("node1:42");
    store.completeSlice(key, "node1:42", progress(10, 10, 1));
    // WHEN / THEN it cannot be failed afterwards
    assertThatThrownBy(() -> store.failSlice(key, "late timeout"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("found DONE");
  }

  @Test
  void resetSlice_shouldAllowANewClaim_whenSliceFailed() {
    // GIVEN a slice whose first attempt failed
    SliceKey key = runningSlice("node1:42");
    store.recordProgress(key, "node1:42", progress(1000, 200, 2));
    SliceRecord failed = store.failSlice(key, "task lost: node left the cluster");
    assertThat(store.failSlice(key, "reported twice")).isEqualTo(failed);
    // WHEN it is reset and claimed again
    SliceRecord reset = store.resetSlice(key, failed.version());
    SliceRecord reclaimed = store.claimSlice(key, reset.version());
    // THEN the new attempt starts from zero, counted as attempt 2, remembering why the first failed
    assertThat(reset.status()).isEqualTo(SliceStatus.PENDING);
    assertThat(reset.taskId()).isNull();
    assertThat(reset.progress()).isEqualTo(SliceProgress.NONE);
    assertThat(reclaimed.attempts()).isEqualTo(2);
    assertThat(reclaimed.lastError()).isEqualTo("task lost: node left the cluster");
    assertThat(store.getSlice(key)).contains(reclaimed);
  }

  @Test
  void checkpointCursor_shouldAdvanceOnlyFromTheVersionItRead_andResetShouldDropTheCursor() {
    // GIVEN a shard the reader engine works, pass "p1"
    SliceKey key = runningSlice("reader:p1");
    SliceRecord running = store.getSlice(key).orElseThrow();
    // WHEN one invocation checkpoints from the version it read, and a second one (a retried
    // invocation that read the same version) tries to
    SliceRecord first =
        store.checkpointCursor(
            key, running.version(), "reader:p1", "{\"page\":1}", progress(500, 500, 1));
    // THEN the first is stored, the second refused and nothing of it written
    assertThat(first.cursor()).isEqualTo("{\"page\":1}");
    assertThat(first.version()).isEqualTo(running.version() + 1);
    assertThatThrownBy(
            () ->
                store.checkpointCursor(
                    key, running.version(), "reader:p1", "{\"page\":9}", progress(9, 9, 9)))
        .isInstanceOf(ConflictException.class);
    assertThat(store.getSlice(key)).contains(first);
    // WHEN the reader restarts the shard (pass p2): its counters may go back, the pass changes
    SliceRecord restarted =
        store.checkpointCursor(
            key, first.version(), "reader:p2", "{\"page\":0}", progress(100, 100, 1));
    assertThat(restarted.taskId()).isEqualTo("reader:p2");
    assertThat(restarted.progress()).isEqualTo(progress(100, 100, 1));
    // THEN it completes under its pass; a failed and reset slice keeps no cursor to resume from
    assertThat(store.completeSlice(key, "reader:p2", progress(100, 100, 1)).status())
        .isEqualTo(SliceStatus.DONE);
    SliceRecord pending = SliceRecord.pending(key.recipe(), "orders-v2", 0, 1);
    store.putSliceIfAbsent(pending);
    store.claimSlice(pending.key(), 1);
    store.recordTask(pending.key(), "reader:q1");
    SliceKey other = pending.key();
    SliceRecord otherRunning = store.getSlice(other).orElseThrow();
    store.checkpointCursor(
        other, otherRunning.version(), "reader:q1", "{\"page\":3}", progress(3, 3, 1));
    SliceRecord failed = store.failSlice(other, "context lost");
    assertThat(failed.cursor()).isEqualTo("{\"page\":3}");
    assertThat(store.resetSlice(other, failed.version()).cursor()).isNull();
  }

  @Test
  void listSlices_shouldOrderBySourceThenSliceId_whenWrittenOutOfOrder() {
    // GIVEN 12 slices of "logs" (ids that sort wrongly as text: 2 vs 10) and 2 of "logs-old"
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    List<Integer> ids = new ArrayList<>(IntStream.range(0, 12).boxed().toList());
    Collections.shuffle(ids, new java.util.Random(7));
    store.putSliceIfAbsent(SliceRecord.pending(ref, "logs-old", 1, 2));
    ids.forEach(id -> store.putSliceIfAbsent(SliceRecord.pending(ref, "logs", id, 12)));
    store.putSliceIfAbsent(SliceRecord.pending(ref, "logs-old", 0, 2));
    // WHEN listed
    List<SliceRecord> all = store.listSlices(ref);
    // THEN by source, then numerically by slice id; and per source only that source
    assertThat(all)
        .extracting(s -> s.source() + "/" + s.sliceId())
        .containsExactlyElementsOf(expectedOrder());
    assertThat(store.listSlices(ref, "logs"))
        .hasSize(12)
        .extracting(SliceRecord::source)
        .containsOnly("logs");
  }

  private static List<String> expectedOrder() {
    List<String> expected = new ArrayList<>();
    IntStream.range(0, 12).forEach(i -> expected.add("logs/" + i));
    expected.add("logs-old/0");
    expected.add("logs-old/1");
    return expected;
  }

  // ---- rollover ----

  @Test
  void saveRollover_shouldCheckpointPhases_whenSavedInOrder() {
    // GIVEN a rollover that blocked writes
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    RolloverRecord blocked = store.saveRollover(RolloverRecord.blocked(ref, START));
    // WHEN it is verified and unblocked
    RolloverRecord verified =
        store.saveRollover(
            blocked.withPhase(RolloverPhase.VERIFIED).withVerification("{\"ok\":true}"));
    RolloverRecord unblocked =
        store.saveRollover(
            verified.withPhase(RolloverPhase.UNBLOCKED).withUnblocked(START.plusMillis(1500), 17));
    // THEN the stored report has every field
    assertThat(blocked.version()).isEqualTo(1);
    assertThat(store.getRollover(ref)).contains(unblocked);
    assertThat(unblocked.writeBlockedMillis()).isEqualTo(1500);
    assertThat(unblocked.drainedBacklog()).isEqualTo(17);
    assertThat(unblocked.verificationJson()).isEqualTo("{\"ok\":true}");
  }

  @Test
  void saveRollover_shouldKeepTheLease_andReleaseIt() {
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    RolloverRecord leased =
        store.saveRollover(
            RolloverRecord.blocked(ref, START)
                .restarted(RolloverPhase.PREPARING)
                .withLease("arn:aws:states:eu-west-1:1:execution:m:e1", START.plusSeconds(1200)));

    assertThat(store.getRollover(ref)).contains(leased);
    assertThat(leased.leaseHeld(START.plusSeconds(1199))).isTrue();
    assertThat(leased.leaseHeld(START.plusSeconds(1200))).isFalse();
    RolloverRecord released = store.saveRollover(leased.withLease(null, null));
    assertThat(store.getRollover(ref).orElseThrow().owner()).isNull();
    assertThat(released.leaseHeld(START)).isFalse();
  }

  @Test
  void saveRollover_shouldRefuse_whenAnotherWriterSavedFirst() {
    // GIVEN a saved rollover, and a second "new" rollover or a stale copy
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    RolloverRecord blocked = store.saveRollover(RolloverRecord.blocked(ref, START));
    store.saveRollover(blocked.withPhase(RolloverPhase.VERIFIED));
    // WHEN / THEN both are refused
    assertThatThrownBy(() -> store.saveRollover(RolloverRecord.blocked(ref, START)))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("expected version 0, found version 2");
    assertThatThrownBy(() -> store.saveRollover(blocked.withPhase(RolloverPhase.FAILED)))
        .isInstanceOf(ConflictException.class);
  }

  // ---- idempotency ----

  @Test
  void once_shouldRunWorkOnceAndReplayItsResult_whenCalledAgain() {
    // GIVEN a guard and work that counts its runs
    IdempotencyGuard guard = guard(Duration.ofMinutes(15));
    AtomicInteger runs = new AtomicInteger();
    // WHEN the same key is used twice
    Map<?, ?> first =
        guard.once(
            "start#orders#3",
            Duration.ofHours(1),
            Map.class,
            () -> Map.of("task", "node1:" + runs.incrementAndGet()));
    Map<?, ?> second =
        guard.once(
            "start#orders#3",
            Duration.ofHours(1),
            Map.class,
            () -> Map.of("task", "node1:" + runs.incrementAndGet()));
    // THEN the work ran once and the second call got the first result
    assertThat(runs).hasValue(1);
    assertThat(second).isEqualTo(first).isEqualTo(Map.of("task", "node1:1"));
  }

  @Test
  void once_shouldThrowInProgress_whenAnotherThreadIsRunningTheWork() throws Exception {
    // GIVEN one thread inside the work for a key
    IdempotencyGuard guard = guard(Duration.ofMinutes(15));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> holder =
          pool.submit(
              () ->
                  guard.once(
                      "k",
                      Duration.ofHours(1),
                      String.class,
                      () -> {
                        runs.incrementAndGet();
                        inside.countDown();
                        await(finish);
                        return "first";
                      }));
      assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
      // WHEN a second caller arrives
      // THEN it is told to retry, without running the work
      assertThatThrownBy(() -> guard.once("k", Duration.ofHours(1), String.class, () -> "second"))
          .isInstanceOf(InProgressException.class)
          .hasMessageContaining("lease until " + START.plus(Duration.ofMinutes(15)));
      finish.countDown();
      assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("first");
      // AND after the first finished, the second caller gets its result
      assertThat(guard.once("k", Duration.ofHours(1), String.class, () -> "second"))
          .isEqualTo("first");
      assertThat(runs).hasValue(1);
    } finally {
      finish.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void once_shouldTakeOverTheLease_whenHolderDiedAndLeaseRanOut() {
    // GIVEN a lease taken by an invocation that died (its record stays IN_PROGRESS)
    IdempotencyLedger ledger = (IdempotencyLedger) store;
    ledger.tryAcquire(
        new IdempotencyRecord(
            "k",
            IdempotencyRecord.Status.IN_PROGRESS,
            "dead",
            START.plusSeconds(60),
            START.plus(Duration.ofHours(1)),
            null),
        START);
    IdempotencyGuard guard = guard(Duration.ofSeconds(60));
    assertThatThrownBy(() -> guard.once("k", Duration.ofHours(1), String.class, () -> "too early"))
        .isInstanceOf(InProgressException.class);
    // WHEN the lease has run out
    clock.advance(Duration.ofSeconds(61));
    // THEN the next caller runs the work
    assertThat(guard.once("k", Duration.ofHours(1), String.class, () -> "taken over"))
        .isEqualTo("taken over");
    assertThat(ledger.findIdempotency("k").orElseThrow().status())
        .isEqualTo(IdempotencyRecord.Status.COMPLETED);
  }

  @Test
  void complete_shouldKeepTheNewHoldersRecord_whenAStaleHolderFinishesLate() {
    // GIVEN holder A whose lease ran out, and holder B that took over
    IdempotencyLedger ledger = (IdempotencyLedger) store;
    Instant expires = START.plus(Duration.ofHours(1));
    var inProgress = IdempotencyRecord.Status.IN_PROGRESS;
    assertThat(
            ledger.tryAcquire(
                new IdempotencyRecord("k", inProgress, "A", START.plusSeconds(10), expires, null),
                START))
        .isTrue();
    Instant later = START.plusSeconds(11);
    assertThat(
            ledger.tryAcquire(
                new IdempotencyRecord("k", inProgress, "B", later.plusSeconds(10), expires, null),
                later))
        .isTrue();
    // WHEN A completes late
    boolean stored =
        ledger.complete(
            new IdempotencyRecord(
                "k", IdempotencyRecord.Status.COMPLETED, "A", later, expires, "\"from A\""));
    // THEN its result is not stored over B's lease, and A cannot release B's lease either
    assertThat(stored).isFalse();
    ledger.release("k", "A");
    IdempotencyRecord current = ledger.findIdempotency("k").orElseThrow();
    assertThat(current.leaseId()).isEqualTo("B");
    assertThat(current.status()).isEqualTo(inProgress);
  }

  @Test
  void once_shouldRunAgain_whenTheRememberedResultExpired() {
    // GIVEN a result remembered for one hour
    IdempotencyGuard guard = guard(Duration.ofMinutes(1));
    guard.once("k", Duration.ofHours(1), Integer.class, () -> 1);
    clock.advance(Duration.ofMinutes(59));
    assertThat(guard.once("k", Duration.ofHours(1), Integer.class, () -> 2)).isEqualTo(1);
    // WHEN the hour has passed THEN the work runs again
    clock.advance(Duration.ofMinutes(2));
    assertThat(guard.once("k", Duration.ofHours(1), Integer.class, () -> 3)).isEqualTo(3);
  }

  @Test
  void once_shouldLeaveNoRecord_whenTheWorkThrows() {
    // GIVEN work that fails the first time
    IdempotencyGuard guard = guard(Duration.ofMinutes(15));
    assertThatThrownBy(
            () ->
                guard.once(
                    "k",
                    Duration.ofHours(1),
                    String.class,
                    () -> {
                      throw new IllegalStateException("cluster said 503");
                    }))
        .hasMessage("cluster said 503");
    // WHEN retried at once THEN it runs (not "in progress")
    assertThat(guard.once("k", Duration.ofHours(1), String.class, () -> "ok")).isEqualTo("ok");
  }

  @Test
  void once_shouldRunOnlyOnce_whenTwoThreadsCallTogether() throws Exception {
    // GIVEN two threads calling the same key at the same instant
    IdempotencyGuard guard = guard(Duration.ofMinutes(15));
    AtomicInteger runs = new AtomicInteger();
    var outcomes =
        Race.run(
            2,
            i ->
                () -> {
                  // Retry the InProgress answer as a Step Functions Retry would.
                  for (int attempt = 0; ; attempt++) {
                    try {
                      return guard.once(
                          "k",
                          Duration.ofHours(1),
                          String.class,
                          () -> "run" + runs.incrementAndGet());
                    } catch (InProgressException busy) {
                      if (attempt > 200) {
                        throw busy;
                      }
                      Thread.sleep(10);
                    }
                  }
                });
    // THEN the work ran once and both got its result
    assertThat(runs).hasValue(1);
    assertThat(outcomes).extracting(Race.Outcome::result).containsExactly("run1", "run1");
  }

  // ---- helpers ----

  private IdempotencyGuard guard(Duration lease) {
    return new IdempotencyGuard((IdempotencyLedger) store, clock, lease);
  }

  private static IndexRecord plannedIndex(RecipeRef ref, String source, int slices) {
    return IndexRecord.planned(
        ref, source, source + "-new", List.of(), true, null, null, slices, 1000);
  }

  private static SliceProgress progress(long total, long created, long batches) {
    return new SliceProgress(total, created, 0, 0, 0, batches, 0, List.of());
  }

  private SliceKey claimedSlice() {
    RecipeRef ref = store.createRecipe("orders", RECIPE_JSON).ref();
    SliceRecord pending = SliceRecord.pending(ref, "orders-v1", 0, 1);
    store.putSliceIfAbsent(pending);
    store.claimSlice(pending.key(), 1);
    return pending.key();
  }

  private SliceKey runningSlice(String taskId) {
    SliceKey key = claimedSlice();
    store.recordTask(key, taskId);
    return key;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void recordSyncBatch_shouldAddUpCountersPerGeneration() {
    RecipeRecord recipe = store.createRecipe("sync-stats", "{}");
    Instant first = START;

    store.recordSyncBatch(recipe.ref(), 8, 1, 0, 120, first);
    store.recordSyncBatch(recipe.ref(), 12, 0, 3, 40, first.plusSeconds(2));

    SyncStats stats = store.getSyncStats(recipe.ref());
    assertThat(stats.applied()).isEqualTo(20);
    assertThat(stats.rejected()).isEqualTo(1);
    assertThat(stats.deferred()).isEqualTo(3);
    assertThat(stats.batches()).isEqualTo(2);
    assertThat(stats.lastLagMillis()).isEqualTo(40);
    assertThat(stats.firstAppliedAt()).isEqualTo(first);
    assertThat(stats.appliedPerSecond()).isEqualTo(10.0);
    assertThat(store.getSyncStats(new RecipeRef("sync-stats", 9))).isEqualTo(SyncStats.NONE);
  }
}
