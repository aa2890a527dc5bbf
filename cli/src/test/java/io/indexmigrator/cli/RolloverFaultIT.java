package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.indexmigrator.cli.demo.SampleRecords;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RolloverPhase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rollover's function killed at a step, on the real twin: the rollover state machine catches the
 * dead environment, and its Abort state leaves the cluster safe. Each test asserts what a user
 * cares about: no write block left, the alias naming exactly one side, no document lost.
 */
class RolloverFaultIT {
  static TwinFixture twin;

  @BeforeAll
  static void start() throws Exception {
    twin = TwinFixture.get();
  }

  @Test
  void killedUnderTheBlock_theAbortLiftsIt_andSecondRolloverAndCancelAreRefusedMeanwhile()
      throws Exception {
    String name = TwinFixture.fresh("fault-blocked");
    prepare(name, 3000, "count");
    // A delete whose change event is never published: the exact counts under the block disagree,
    // so the rollover waits there for the consumer (up to its drain timeout).
    twin.cluster.deleteDocument(name + "-src", SampleRecords.id(7));
    var pool = Executors.newFixedThreadPool(1);
    try {
      CompletableFuture<TwinFixture.Run> rollover =
          CompletableFuture.supplyAsync(() -> twin.cli("rollover", name), pool);
      awaitPhase(name, RolloverPhase.BLOCKED);
      // The intent is recorded first, then the block is set.
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!writeBlocked(name + "-src")) {
        assertThat(System.nanoTime()).as("source write-blocked").isLessThan(deadline);
        Thread.sleep(20);
      }

      // WHILE it runs: a second rollover and a cancel are refused, naming the running one
      TwinFixture.Run second = twin.cli("rollover", name);
      assertThat(second.exitCode()).as(second.all()).isEqualTo(2);
      assertThat(second.err()).contains("already running").contains("execution");
      TwinFixture.Run cancel = twin.cli("cancel", name);
      assertThat(cancel.exitCode()).as(cancel.all()).isEqualTo(2);
      assertThat(cancel.err()).contains("already running");
      assertThat(twin.indexNames()).contains(name + "-dst");

      // WHEN the function's execution environment dies under the block
      assertThat(killControlFunctions()).as("ControlFunction environments killed").isPositive();

      // THEN the execution's Abort lifts the block; no alias moved; the recipe syncs again
      TwinFixture.Run killed = rollover.get(2, TimeUnit.MINUTES);
      assertThat(killed.exitCode()).as(killed.all()).isEqualTo(1);
      assertThat(killed.err()).contains("Runtime.ExitError").contains("write blocks were lifted");
      assertLeftSafe(name, 2999);
      RecipeRecord recipe = recipe(name);
      assertThat(recipe.status().name()).isEqualTo("SYNCING");
      assertThat(recipe.failure()).isNotBlank();

      // AND once the delete reaches the destination, the next rollover goes through
      twin.cluster.deleteDocument(name + "-dst", SampleRecords.id(7));
      TwinFixture.Run again = twin.cli("rollover", name);
      assertThat(again.exitCode()).as(again.all()).isZero();
      assertThat(twin.get("/_alias/" + name).has(name + "-dst")).isTrue();
      assertThat(twin.get("/_alias/" + name).has(name + "-src")).isFalse();
      assertThat(writeBlocked(name + "-src")).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void killedDuringTheVerificationBeforeTheBlock_leavesNothingBehind() throws Exception {
    String name = TwinFixture.fresh("fault-verify");
    prepare(name, 40_000, "checksum");
    var pool = Executors.newFixedThreadPool(1);
    try {
      CompletableFuture<TwinFixture.Run> rollover =
          CompletableFuture.supplyAsync(() -> twin.cli("rollover", name), pool);
      awaitPhase(name, RolloverPhase.PREPARING);

      assertThat(killControlFunctions()).isPositive();

      TwinFixture.Run killed = rollover.get(2, TimeUnit.MINUTES);
      assertThat(killed.exitCode()).as(killed.all()).isEqualTo(1);
      assertThat(killed.err()).contains("Runtime.ExitError");
      assertLeftSafe(name, 40_000);
      assertThat(recipe(name).status().name()).isEqualTo("SYNCING");
      assertThat(twin.cli("rollover", name).exitCode()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoRolloversStartedTogether_oneRollsOver_theOtherIsRefused() throws Exception {
    String name = TwinFixture.fresh("fault-twice");
    prepare(name, 2000, "checksum");
    var pool = Executors.newFixedThreadPool(2);
    try {
      List<CompletableFuture<TwinFixture.Run>> runs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        runs.add(CompletableFuture.supplyAsync(() -> twin.cli("rollover", name), pool));
      }
      List<TwinFixture.Run> done = new ArrayList<>();
      for (var run : runs) {
        done.add(run.get(2, TimeUnit.MINUTES));
      }

      assertThat(done).filteredOn(r -> r.exitCode() == 0).hasSize(1);
      assertThat(done)
          .filteredOn(r -> r.exitCode() == 2)
          .singleElement()
          .satisfies(
              r -> assertThat(r.err()).containsAnyOf("already running", "already rolled over"));
      assertThat(twin.get("/_alias/" + name).has(name + "-dst")).isTrue();
      assertThat(twin.get("/_alias/" + name).has(name + "-src")).isFalse();
      assertThat(writeBlocked(name + "-src")).isFalse();
      assertThat(twin.count(name + "-dst")).isEqualTo(2000);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aClusterErrorOnTheSwap_liftsTheBlocks_andMovesNoAlias() throws Exception {
    String name = TwinFixture.fresh("fault-swap-error");
    prepare(name, 2000, "count");
    twin.proxy.once(
        (method, path) -> method.equals("POST") && path.startsWith("/_aliases"),
        new FaultProxy.Fail(
            503, "{\"error\":{\"type\":\"injected_failure\",\"reason\":\"swap refused\"}}"));
    try {
      TwinFixture.Run failed = twin.cli("rollover", name);

      assertThat(failed.exitCode()).as(failed.all()).isEqualTo(1);
      assertThat(failed.err()).contains("503").contains("write blocks were lifted");
      assertLeftSafe(name, 2000);
      assertThat(recipe(name).status().name()).isEqualTo("SYNCING");
      // AND the operator simply runs it again
      TwinFixture.Run again = twin.cli("rollover", name);
      assertThat(again.exitCode()).as(again.all()).isZero();
      assertThat(twin.get("/_alias/" + name).has(name + "-dst")).isTrue();
    } finally {
      twin.proxy.clear();
    }
  }

  @Test
  void killedBetweenTheSwapAndTheUnblock_theAbortFinishesTheRollover() throws Exception {
    String name = TwinFixture.fresh("fault-after-swap");
    prepare(name, 2000, "count");
    // The swap reaches the cluster and commits; its answer never reaches the function.
    FaultProxy.Hold held =
        twin.proxy.once(
            (method, path) -> method.equals("POST") && path.startsWith("/_aliases"),
            new FaultProxy.Hold());
    var pool = Executors.newFixedThreadPool(1);
    try {
      CompletableFuture<TwinFixture.Run> rollover =
          CompletableFuture.supplyAsync(() -> twin.cli("rollover", name), pool);
      assertThat(held.reached().await(2, TimeUnit.MINUTES)).as("swap sent").isTrue();
      assertThat(writeBlocked(name + "-src")).isTrue();

      assertThat(killControlFunctions()).isPositive();
      held.release();

      TwinFixture.Run finished = rollover.get(2, TimeUnit.MINUTES);
      assertThat(finished.exitCode()).as(finished.all()).isZero();
      assertThat(finished.out()).contains("swapped before the rollover stopped");
      assertThat(writeBlocked(name + "-src")).as("source write-blocked").isFalse();
      JsonNode alias = twin.get("/_alias/" + name);
      assertThat(alias.has(name + "-dst")).isTrue();
      assertThat(alias.has(name + "-src")).isFalse();
      assertThat(twin.count(name + "-dst")).isEqualTo(2000);
      assertThat(recipe(name).status().name()).isEqualTo("ROLLED_OVER");
    } finally {
      twin.proxy.clear();
      pool.shutdownNow();
    }
  }

  private static void prepare(String name, int docs, String verify) throws Exception {
    twin.cluster.create(name + "-src", name);
    twin.cluster.load(name + "-src", docs, name.hashCode());
    Path file =
        twin.writeRecipe(
            name + ".yaml",
            """
            name: %s
            indexes:
              - source: %s
                destination: %s-dst
            copy: {slices: 2, batchSize: 1000}
            sync: {mode: events}
            rollover: {verify: %s}
            """
                .formatted(name, name, name, verify));
    TwinFixture.Run init = twin.cli("init", name, "--file", file.toString());
    assertThat(init.exitCode()).as(init.all()).isZero();
    TwinFixture.Run run = twin.cli("run", name, "--wait");
    assertThat(run.exitCode()).as(run.all()).isZero();
  }

  private static int killControlFunctions() {
    int killed = 0;
    for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
      if (child.info().commandLine().orElse("").contains("ControlHandler")) {
        child.destroyForcibly();
        killed++;
      }
    }
    return killed;
  }

  private static void awaitPhase(String name, RolloverPhase phase) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    try (var dynamo = twin.dynamo()) {
      var store = twin.store(dynamo);
      while (true) {
        RecipeRecord recipe = store.getRecipe(name).orElseThrow();
        var rollover = store.getRollover(recipe.ref());
        if (rollover.isPresent() && rollover.get().phase() == phase) {
          return;
        }
        assertThat(System.nanoTime()).as("rollover reached " + phase).isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  private static RecipeRecord recipe(String name) {
    try (var dynamo = twin.dynamo()) {
      return twin.store(dynamo).getRecipe(name).orElseThrow();
    }
  }

  private static boolean writeBlocked(String index) throws Exception {
    JsonNode settings = twin.get("/" + index + "/_settings");
    return settings.at("/" + index + "/settings/index/blocks/write").asBoolean(false);
  }

  /** No write block, the alias on the source alone, every source document still there. */
  private static void assertLeftSafe(String name, long sourceDocs) throws Exception {
    assertThat(writeBlocked(name + "-src")).as("source write-blocked").isFalse();
    JsonNode alias = twin.get("/_alias/" + name);
    assertThat(alias.has(name + "-src")).isTrue();
    assertThat(alias.has(name + "-dst")).isFalse();
    assertThat(twin.count(name + "-src")).isEqualTo(sourceDocs);
    try (var dynamo = twin.dynamo()) {
      var store = twin.store(dynamo);
      var rollover = store.getRollover(store.getRecipe(name).orElseThrow().ref()).orElseThrow();
      assertThat(rollover.owner()).as("lease released").isNull();
      assertThat(rollover.phase()).isEqualTo(RolloverPhase.FAILED);
    }
  }
}
