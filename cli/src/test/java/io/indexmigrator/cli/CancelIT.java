package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code cancel} in every phase leaves the source as it was (documents, mappings, no block), and no
 * destination index, reindex task or write block of ours behind; the recipe can start over.
 */
class CancelIT {
  static TwinFixture twin;

  @BeforeAll
  static void start() throws Exception {
    twin = TwinFixture.get();
  }

  @Test
  void cancel_afterInit() throws Exception {
    String recipe = prepare("cancel-init", 2000, -1);

    assertCancelled(recipe, "INITIALIZED", 2000);
  }

  @Test
  void cancel_whileCopying() throws Exception {
    // 30,000 documents at 500/s copy for a minute; the first progress checkpoint comes after one
    // task poll (up to 15 s), so the cancel lands well inside the copy.
    String recipe = prepare("cancel-copying", 30_000, 500);
    assertThat(twin.cli("run", recipe).exitCode()).isZero();
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (status(recipe).path("docsCopied").asLong() == 0) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(200);
    }

    assertCancelled(recipe, "RUNNING", 30_000);
  }

  @Test
  void cancel_afterCopy() throws Exception {
    String recipe = prepare("cancel-copied", 2000, -1);
    assertThat(twin.cli("run", recipe, "--wait").exitCode()).isZero();

    assertCancelled(recipe, "COPIED", 2000);
  }

  @Test
  void cancel_afterRollover_isRefusedAndChangesNothing() throws Exception {
    String recipe = prepare("cancel-rolled", 1000, -1);
    assertThat(twin.cli("run", recipe, "--wait").exitCode()).isZero();
    assertThat(twin.cli("rollover", recipe).exitCode()).isZero();
    List<String> before = twin.indexNames();

    TwinFixture.Run cancel = twin.cli("cancel", recipe);

    assertThat(cancel.exitCode()).isEqualTo(2);
    assertThat(cancel.err()).contains("already rolled over");
    assertThat(twin.indexNames()).isEqualTo(before);
    assertThat(status(recipe).path("state").asText()).isEqualTo("ROLLED_OVER");
  }

  @Test
  void cancel_withKeep_keepsTheDestination() throws Exception {
    String recipe = prepare("cancel-keep", 500, -1);

    TwinFixture.Run cancel = twin.cli("cancel", recipe, "--keep", "--json");

    assertThat(cancel.exitCode()).as(cancel.all()).isZero();
    JsonNode report = ControlCall.JSON.readTree(cancel.out());
    assertThat(report.path("indexesKept").get(0).asText()).isEqualTo(recipe + "-dst");
    assertThat(twin.indexNames()).contains(recipe + "-dst");
  }

  /** A source index behind an alias, and an initialized recipe copying it to {@code <name>-dst}. */
  private static String prepare(String name, int docs, int requestsPerSecond) throws Exception {
    // A rerun (failsafe reruns a failed test in the same twin) starts from a clean slate.
    twin.cli("cancel", name);
    twin.cluster.delete(name + "-src");
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
                mappings: {properties: {keywords: {type: keyword}}}
            copy:
              slices: 2
              batchSize: 500
              requestsPerSecond: %d
            """
                .formatted(name, name, name, requestsPerSecond));
    TwinFixture.Run init = twin.cli("init", name, "--file", file.toString());
    assertThat(init.exitCode()).as(init.all()).isZero();
    return name;
  }

  private static void assertCancelled(String recipe, String phase, long sourceDocs)
      throws Exception {
    String source = recipe + "-src";
    JsonNode mappingBefore = twin.get("/" + source + "/_mapping");
    assertThat(status(recipe).path("state").asText()).isEqualTo(phase);

    TwinFixture.Run cancel = twin.cli("cancel", recipe, "--json");

    assertThat(cancel.exitCode()).as(cancel.all()).isZero();
    JsonNode report = ControlCall.JSON.readTree(cancel.out());
    assertThat(report.path("previousStatus").asText()).isEqualTo(phase);
    assertThat(report.path("indexesDeleted").get(0).asText()).isEqualTo(recipe + "-dst");
    // No stray index, even a re-created one from a reindex still writing after the delete.
    Thread.sleep(1500);
    assertThat(twin.indexNames()).doesNotContain(recipe + "-dst");
    JsonNode tasks = twin.get("/_tasks?actions=*reindex*&detailed=true");
    assertThat(tasks.toString()).doesNotContain("index-migrator/" + recipe + "/");
    // The source is untouched: all documents, the same mapping, no write block, alias in place.
    assertThat(twin.count(source)).isEqualTo(sourceDocs);
    assertThat(twin.get("/" + source + "/_mapping")).isEqualTo(mappingBefore);
    assertThat(
            twin.get("/" + source + "/_settings")
                .at("/" + source + "/settings/index/blocks")
                .isMissingNode())
        .isTrue();
    assertThat(twin.get("/_alias/" + recipe).has(source)).isTrue();
    assertThat(status(recipe).path("state").asText()).isEqualTo("CANCELLED");
    // Cancel is repeatable, and the recipe may start over.
    assertThat(twin.cli("cancel", recipe).exitCode()).isZero();
    Path file = twin.stateDir.resolve("recipes").resolve(recipe + ".yaml");
    TwinFixture.Run again = twin.cli("init", recipe, "--file", file.toString());
    assertThat(again.exitCode()).as(again.all()).isZero();
    assertThat(again.out()).contains("generation 2");
    assertThat(twin.cli("cancel", recipe).exitCode()).isZero();
  }

  private static JsonNode status(String recipe) throws Exception {
    return ControlCall.JSON.readTree(twin.cli("status", recipe, "--json").out());
  }
}
