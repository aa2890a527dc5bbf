package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.SliceRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The in-cluster lifecycle through the CLI, the state machine, the Lambdas and DynamoDB on the
 * twin, against real OpenSearch 2.19: init, run, status, rollover; resume after a stopped execution
 * and after killed execution environments.
 */
class LifecycleIT {
  static TwinFixture twin;

  @BeforeAll
  static void start() throws Exception {
    twin = TwinFixture.get();
  }

  @Test
  void tenantRecipe_withAliasAndPattern_migratesVerifiesAndRollsOver_whileReadsNeverFail()
      throws Exception {
    // GIVEN tenant t1 with an aliased records index and two stats indexes; tenant t2 alike.
    twin.cluster.create("t1-records-v1", "t1-records");
    twin.cluster.load("t1-records-v1", 3000, 1);
    for (String index : List.of("t1-stats-2024", "t1-stats-2025", "t2-stats-2024")) {
      twin.cluster.create(index, index + "-alias");
      twin.cluster.load(index, 1200, index.hashCode());
    }
    Path recipe =
        twin.writeRecipe(
            "tenant.yaml",
            """
            name: it-tenant
            prefix: t1-
            indexes:
              - source: records
                mappings:
                  properties:
                    keywords: {type: keyword}
                    creators: {type: keyword}
                    title: {type: text}
                    recid: {type: keyword}
              - source: stats-*
                mappings:
                  properties:
                    resource_type: {type: keyword}
            copy:
              slices: 2
              batchSize: 500
            """);

    // WHEN init, run, rollover with checksum verification, reading through the alias throughout
    TwinFixture.Run init = twin.cli("init", "it-tenant", "--file", recipe.toString());
    assertThat(init.exitCode()).as(init.all()).isZero();
    assertThat(init.out())
        .contains("t1-records-v1 -> ")
        .contains("t1-stats-2024")
        .contains("t1-stats-2025");
    assertThat(init.out()).doesNotContain("t2-stats");

    TwinFixture.Run run = twin.cli("run", "it-tenant", "--wait");
    assertThat(run.exitCode()).as(run.all()).isZero();
    TwinFixture.Run status = twin.cli("status", "it-tenant", "--json");
    JsonNode report = ControlCall.JSON.readTree(status.out());
    assertThat(report.path("state").asText()).isEqualTo("COPIED");
    assertThat(report.path("docsCopied").asLong()).isEqualTo(3000 + 1200 + 1200);
    assertThat(report.path("indexes")).hasSize(3);
    for (JsonNode index : report.path("indexes")) {
      assertThat(index.path("docsCopied").asLong()).isEqualTo(index.path("docsTotal").asLong());
      assertThat(index.path("failures").asLong()).isZero();
      assertThat(index.path("phase").asText()).isEqualTo("COPIED");
    }

    ContinuousReader reader = new ContinuousReader(twin.cluster, "t1-records");
    reader.start();
    Thread.sleep(300);
    TwinFixture.Run rollover = twin.cli("rollover", "it-tenant", "--verify", "checksum", "--json");
    Thread.sleep(300);
    reader.stop();

    // THEN verification passed, the alias moved atomically, and every read succeeded
    assertThat(rollover.exitCode()).as(rollover.all()).isZero();
    JsonNode rolled = ControlCall.JSON.readTree(rollover.out());
    assertThat(rolled.path("passed").asBoolean()).isTrue();
    assertThat(rolled.path("verification")).hasSize(3);
    rolled
        .path("verification")
        .forEach(v -> assertThat(v.path("differenceCount").asLong()).isZero());
    assertThat(rolled.path("writeBlockedMillis").asLong()).isPositive();
    assertThat(reader.failures.get()).as("failed reads: " + reader.firstFailure.get()).isZero();
    assertThat(reader.reads.get()).isGreaterThan(5);

    String destination = twin.get("/_alias/t1-records").fieldNames().next();
    assertThat(destination).startsWith("t1-records-").isNotEqualTo("t1-records-v1");
    assertThat(
            twin.get("/t1-records/_mapping")
                .path(destination)
                .at("/mappings/properties/keywords/type")
                .asText())
        .isEqualTo("keyword");
    JsonNode facet =
        twin.cluster.post(
            "/t1-records/_search",
            "{\"size\":0,\"aggs\":{\"k\":{\"terms\":{\"field\":\"keywords\"}}}}");
    assertThat(facet.at("/aggregations/k/buckets")).isNotEmpty();
    // The sources stay for rollback, writable again; the other tenant is untouched.
    assertThat(twin.count("t1-records-v1")).isEqualTo(3000);
    assertThat(
            twin.get("/t1-records-v1/_settings")
                .at("/t1-records-v1/settings/index/blocks/write")
                .isMissingNode())
        .isTrue();
    assertThat(twin.get("/_alias/t2-stats-2024-alias").has("t2-stats-2024")).isTrue();
    assertThat(twin.count("t2-stats-2024")).isEqualTo(1200);
    assertThat(twin.cli("status", "it-tenant").out()).contains("ROLLED_OVER");
  }

  @Test
  void stoppedExecution_isResumedByRunningAgain_withoutDuplicateTasks() throws Exception {
    // GIVEN a throttled copy that takes several seconds
    twin.cluster.create("resume-src", "resume");
    twin.cluster.load("resume-src", 30_000, 7);
    Path recipe =
        twin.writeRecipe(
            "resume.yaml",
            """
            name: it-resume
            indexes:
              - source: resume
                destination: resume-dst
            copy:
              slices: 3
              batchSize: 500
              requestsPerSecond: 2500
            """);
    assertThat(twin.cli("init", "it-resume", "--file", recipe.toString()).exitCode()).isZero();
    TwinFixture.Run started = twin.cli("run", "it-resume");
    assertThat(started.exitCode()).as(started.all()).isZero();
    String firstArn = started.out().replaceAll("(?s).*started (\\S+).*", "$1");

    // WHEN the execution is stopped mid-copy
    awaitCopied("it-resume", 2000);
    try (var sfn = twin.sfn()) {
      sfn.stopExecution(r -> r.executionArn(firstArn).error("Test").cause("stopped mid-copy"));
    }
    long copiedAtStop = copied("it-resume");
    assertThat(copiedAtStop).isLessThan(30_000);

    // THEN running again re-attaches the running tasks and finishes with exactly the source
    TwinFixture.Run resumed = twin.cli("run", "it-resume", "--wait");
    assertThat(resumed.exitCode()).as(resumed.all()).isZero();
    assertThat(twin.count("resume-dst")).isEqualTo(30_000);
    assertSlicesStartedOnce("it-resume", 3);
  }

  @Test
  void runAgain_afterAFailedRun_waitsForItsOwnExecution_notTheOneThatFailed() throws Exception {
    // GIVEN a copy that fails on one document the init trial does not reach
    twin.cluster.create("rerun-src", "rerun");
    twin.cluster.load("rerun-src", 3_000, 17);
    String poison = io.indexmigrator.cli.demo.SampleRecords.id(2_999);
    Path recipe =
        twin.writeRecipe(
            "rerun.yaml",
            """
            name: it-rerun
            indexes:
              - source: rerun
                destination: rerun-dst
                transform:
                  script:
                    source: "if (ctx._id == params.poison) { throw new IllegalArgumentException('poison') }"
                    params: {poison: "%s"}
            """
                .formatted(poison));
    assertThat(twin.cli("init", "it-rerun", "--file", recipe.toString()).exitCode()).isZero();
    TwinFixture.Run failed = twin.cli("run", "it-rerun", "--wait");
    assertThat(failed.exitCode()).as(failed.all()).isEqualTo(1);

    // WHEN it is run again
    TwinFixture.Run again = twin.cli("run", "it-rerun", "--wait");

    // THEN the wait ends with the new execution, not at once with the old one's failure
    assertThat(again.exitCode()).as(again.all()).isEqualTo(1);
    String secondArn = again.out().replaceAll("(?s).*started (\\S+).*", "$1");
    assertThat(failed.out()).doesNotContain(secondArn);
    try (var sfn = twin.sfn()) {
      assertThat(sfn.describeExecution(r -> r.executionArn(secondArn)).statusAsString())
          .as("the second run's own execution has ended when run --wait returns")
          .isNotEqualTo("RUNNING");
    }
    JsonNode status = ControlCall.JSON.readTree(twin.cli("status", "it-rerun", "--json").out());
    assertThat(status.at("/execution/arn").asText()).isEqualTo(secondArn);
  }

  @Test
  void killedExecutionEnvironments_areRetried_andTheCopyFinishesExactly() throws Exception {
    twin.cluster.create("kill-src", "kill");
    twin.cluster.load("kill-src", 20_000, 9);
    Path recipe =
        twin.writeRecipe(
            "kill.yaml",
            """
            name: it-kill
            indexes:
              - source: kill
                destination: kill-dst
            copy:
              slices: 2
              batchSize: 500
              requestsPerSecond: 2500
            """);
    assertThat(twin.cli("init", "it-kill", "--file", recipe.toString()).exitCode()).isZero();
    assertThat(twin.cli("run", "it-kill").exitCode()).isZero();
    awaitCopied("it-kill", 1000);

    // WHEN every CopyFunction execution environment is killed mid-copy (as a crashed Lambda)
    int killed = 0;
    for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
      String command = child.info().commandLine().orElse("");
      if (command.contains("CopyStepHandler")) {
        child.destroyForcibly();
        killed++;
      }
    }
    assertThat(killed).as("CopyFunction environments found").isPositive();

    // THEN the state machine's Retry invokes fresh environments and the copy completes exactly
    TwinFixture.Run watched = twin.cli("status", "it-kill", "--watch");
    assertThat(watched.exitCode()).as(watched.all()).isZero();
    assertThat(twin.cli("status", "it-kill").out()).contains("COPIED");
    assertThat(twin.count("kill-dst")).isEqualTo(20_000);
    assertSlicesStartedOnce("it-kill", 2);
  }

  @Test
  void additiveChange_isAppliedInPlace_withoutACopy_andAConflictingOneIsRefused() throws Exception {
    twin.cluster.create("inplace-v1", "inplace");
    twin.cluster.load("inplace-v1", 500, 5);
    Path additive =
        twin.writeRecipe(
            "inplace.yaml",
            """
            name: it-inplace
            indexes:
              - source: inplace
                mappings:
                  properties:
                    license: {type: keyword}
                settings:
                  index: {max_result_window: 20000}
            """);
    Path conflicting =
        twin.writeRecipe(
            "inplace-conflict.yaml",
            """
            name: it-inplace-conflict
            indexes:
              - source: inplace
                mappings:
                  properties:
                    keywords: {type: keyword}
            """);
    List<String> before = twin.indexNames();

    TwinFixture.Run refused =
        twin.cli("init", "it-inplace-conflict", "--file", conflicting.toString(), "--in-place");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("--in-place is not possible").contains("keywords");
    assertThat(twin.indexNames()).isEqualTo(before);

    TwinFixture.Run applied =
        twin.cli("init", "it-inplace", "--file", additive.toString(), "--in-place");

    assertThat(applied.exitCode()).as(applied.all()).isZero();
    assertThat(applied.out()).contains("applied in place");
    assertThat(twin.indexNames()).isEqualTo(before);
    JsonNode mapping = twin.get("/inplace-v1/_mapping");
    assertThat(mapping.at("/inplace-v1/mappings/properties/license/type").asText())
        .isEqualTo("keyword");
    assertThat(mapping.at("/inplace-v1/mappings/properties/keywords/type").asText())
        .isEqualTo("text");
    assertThat(
            twin.get("/inplace-v1/_settings")
                .at("/inplace-v1/settings/index/max_result_window")
                .asText())
        .isEqualTo("20000");
    assertThat(twin.count("inplace-v1")).isEqualTo(500);
    assertThat(twin.cli("status", "it-inplace").out()).contains("ROLLED_OVER");
  }

  @Test
  void failedVerification_changesNoAlias_liftsTheBlock_andAllowsAnotherRollover() throws Exception {
    twin.cluster.create("verify-v1", "verify");
    twin.cluster.load("verify-v1", 800, 11);
    Path recipe =
        twin.writeRecipe(
            "verify.yaml",
            """
            name: it-verify
            indexes:
              - source: verify
                destination: verify-v2
            """);
    assertThat(twin.cli("init", "it-verify", "--file", recipe.toString()).exitCode()).isZero();
    assertThat(twin.cli("run", "it-verify", "--wait").exitCode()).isZero();
    // A write the copy never saw (sync: none).
    twin.cluster.post("/verify-v1/_doc/late?refresh=true", "{\"title\":\"late\"}");

    TwinFixture.Run refused = twin.cli("rollover", "it-verify", "--json");

    assertThat(refused.exitCode()).isEqualTo(1);
    JsonNode report = ControlCall.JSON.readTree(refused.out());
    assertThat(report.path("passed").asBoolean()).isFalse();
    assertThat(report.path("message").asText())
        .contains("verification failed")
        .contains("no alias was changed");
    assertThat(report.at("/verification/0/sourceCount").asLong()).isEqualTo(801);
    assertThat(report.at("/verification/0/destinationCount").asLong()).isEqualTo(800);
    assertThat(twin.get("/_alias/verify").has("verify-v1")).isTrue();
    assertThat(
            twin.get("/verify-v1/_settings").at("/verify-v1/settings/index/blocks").isMissingNode())
        .isTrue();
    JsonNode status = ControlCall.JSON.readTree(twin.cli("status", "it-verify", "--json").out());
    assertThat(status.path("state").asText()).isEqualTo("COPIED");
    assertThat(status.at("/rollover/phase").asText()).isEqualTo("FAILED");

    // Checksum mode names the document.
    TwinFixture.Run checksum = twin.cli("rollover", "it-verify", "--verify", "checksum", "--json");
    assertThat(checksum.exitCode()).isEqualTo(1);
    assertThat(ControlCall.JSON.readTree(checksum.out()).at("/verification/0/missing/0").asText())
        .isEqualTo("late");

    // Once the cause is gone, rollover succeeds.
    twin.cluster.post("/verify-v2/_doc/late?refresh=true", "{\"title\":\"late\"}");
    TwinFixture.Run rolled = twin.cli("rollover", "it-verify", "--verify", "checksum");
    assertThat(rolled.exitCode()).as(rolled.all()).isZero();
    assertThat(twin.get("/_alias/verify").has("verify-v2")).isTrue();
  }

  @Test
  void rolloverWithoutVerify_usesTheRecipesVerifyMode() throws Exception {
    twin.cluster.create("recipeverify-v1", "recipeverify");
    twin.cluster.load("recipeverify-v1", 300, 13);
    Path recipe =
        twin.writeRecipe(
            "recipeverify.yaml",
            """
            name: it-recipe-verify
            indexes:
              - source: recipeverify
                destination: recipeverify-v2
            rollover: {verify: checksum}
            """);
    assertThat(twin.cli("init", "it-recipe-verify", "--file", recipe.toString()).exitCode())
        .isZero();
    assertThat(twin.cli("run", "it-recipe-verify", "--wait").exitCode()).isZero();

    TwinFixture.Run rollover = twin.cli("rollover", "it-recipe-verify", "--json");

    assertThat(rollover.exitCode()).as(rollover.all()).isZero();
    JsonNode report = ControlCall.JSON.readTree(rollover.out());
    assertThat(report.path("verify").asText()).isEqualTo("checksum");
    assertThat(report.at("/verification/0/mode").asText()).isEqualTo("checksum");
  }

  /**
   * The copy ran as one task per index, sliced by the engine into {@code slices}, started exactly
   * once (no duplicate task after the stop or the kill).
   */
  private static void assertSlicesStartedOnce(String recipe, int slices) {
    try (var dynamo = twin.dynamo()) {
      var store = twin.store(dynamo);
      var ref = store.getRecipe(recipe).orElseThrow().ref();
      assertThat(store.getRecipe(recipe).orElseThrow().status()).isEqualTo(RecipeStatus.COPIED);
      assertThat(store.listIndexes(ref))
          .singleElement()
          .satisfies(i -> assertThat(i.sliceCount()).isEqualTo(slices));
      List<SliceRecord> records = store.listSlices(ref);
      assertThat(records).as("one work item per index").hasSize(1);
      assertThat(records)
          .allSatisfy(s -> assertThat(s.attempts()).as("attempts of " + s.key()).isEqualTo(1));
      assertThat(records.get(0).taskId()).isNotNull();
    }
  }

  private static long copied(String recipe) throws Exception {
    return ControlCall.JSON
        .readTree(twin.cli("status", recipe, "--json").out())
        .path("docsCopied")
        .asLong();
  }

  private static void awaitCopied(String recipe, long atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (copied(recipe) < atLeast) {
      assertThat(System.nanoTime()).as("copy progress of " + recipe).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  /** Searches and counts through an alias as fast as it can, counting failures. */
  static final class ContinuousReader {
    final io.indexmigrator.cli.demo.SampleIndex cluster;
    final String alias;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread thread;

    ContinuousReader(io.indexmigrator.cli.demo.SampleIndex cluster, String alias) {
      this.cluster = cluster;
      this.alias = alias;
    }

    void start() {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    JsonNode result =
                        cluster.post(
                            "/" + alias + "/_search", "{\"size\":1,\"query\":{\"match_all\":{}}}");
                    if (result.has("error") || result.at("/hits/total/value").asLong() == 0) {
                      failures.incrementAndGet();
                      firstFailure.compareAndSet(null, result.toString());
                    }
                    reads.incrementAndGet();
                  } catch (Exception e) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, e.toString());
                  }
                }
              });
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }
}
