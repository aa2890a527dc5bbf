package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code sync: poll} with an append-only writer that publishes nothing: documents written during
 * the copy and after it reach the destination by polling {@code _seq_no}; rollover refuses unless
 * the recipe accepts that deletes are invisible.
 */
class PollSyncIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static TwinFixture twin;

  @BeforeAll
  static void start() throws Exception {
    twin = TwinFixture.get();
  }

  @Test
  void appendOnlyWrites_duringAndAfterTheCopy_areSyncedByPolling() throws Exception {
    String name = TwinFixture.fresh("poll-stats");
    twin.cluster.create(name + "-v1", name);
    twin.cluster.load(name + "-v1", 2000, 3);
    AppendingWriter writer = new AppendingWriter(name, 200);
    writer.start();
    Path recipe =
        twin.writeRecipe(
            name + ".yaml",
            """
            name: %s
            indexes:
              - source: %s
                destination: %s-v2
                mappings: {properties: {tag: {type: keyword}}}
            copy: {slices: 2, batchSize: 500, requestsPerSecond: 1000}
            sync: {mode: poll, acceptMissedDeletes: true}
            """
                .formatted(name, name, name));
    assertThat(twin.cli("init", name, "--file", recipe.toString()).exitCode()).isZero();
    TwinFixture.Run run = twin.cli("run", name, "--wait");
    assertThat(run.exitCode()).as(run.all()).isZero();
    assertThat(status(name).path("state").asText()).isEqualTo("SYNCING");
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (status(name).at("/sync/applied").asLong() < 500) {
      assertThat(System.nanoTime()).as("poll progress").isLessThan(deadline);
      Thread.sleep(500);
    }
    JsonNode checkpoints = status(name).at("/sync/pollCheckpoints/" + name + "-v1");
    assertThat(checkpoints.size()).isEqualTo(2);

    TwinFixture.Run rollover = twin.cli("rollover", name, "--json");
    Thread.sleep(300);
    Map<String, String> written = writer.stop();

    assertThat(rollover.exitCode()).as(rollover.all()).isZero();
    JsonNode report = JSON.readTree(rollover.out());
    System.out.printf(
        "poll: %,d appended at %.0f docs/s, rollover blocked writes %d ms, %d polled under the block%n",
        written.size(),
        writer.rate(),
        report.path("writeBlockedMillis").asLong(),
        report.path("drainedBacklog").asLong());
    assertThat(writer.rate()).isGreaterThanOrEqualTo(150);
    // Every appended document: in the destination, equal to the source's (or written there).
    assertThat(LiveSyncIT.compareAppendOnly(name + "-v1", name + "-v2", written))
        .isEqualTo(List.of());
  }

  @Test
  void rollover_refusesPolling_whenTheRecipeDoesNotAcceptMissedDeletes() throws Exception {
    String name = TwinFixture.fresh("poll-strict");
    twin.cluster.create(name + "-v1", name);
    twin.cluster.load(name + "-v1", 300, 4);
    Path recipe =
        twin.writeRecipe(
            name + ".yaml",
            """
            name: %s
            indexes: [{source: %s, destination: %s-v2}]
            sync: {mode: poll}
            """
                .formatted(name, name, name));
    assertThat(twin.cli("init", name, "--file", recipe.toString()).exitCode()).isZero();
    assertThat(twin.cli("run", name, "--wait").exitCode()).isZero();

    TwinFixture.Run rollover = twin.cli("rollover", name);

    // docs/cli.md: a rollover refused before it starts is exit 2, and nothing was changed.
    assertThat(rollover.exitCode()).as(rollover.all()).isEqualTo(2);
    assertThat(rollover.err()).contains("cannot see deletions").contains("acceptMissedDeletes");
    assertThat(twin.get("/_alias/" + name).has(name + "-v1")).isTrue();
    assertThat(twin.get("/" + name + "-v1/_settings").toString())
        .doesNotContain("\"write\":\"true\"");
    assertThat(status(name).path("state").asText()).isEqualTo("SYNCING");
    assertThat(twin.cli("cancel", name).exitCode()).isZero();
  }

  private static JsonNode status(String recipe) throws Exception {
    return JSON.readTree(twin.cli("status", recipe, "--json").out());
  }

  /** An application that only appends (logs, statistics) and publishes nothing. */
  static final class AppendingWriter {
    private final String alias;
    private final int perSecond;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, String> written = new HashMap<>();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong stopped = new AtomicLong();
    private Thread thread;
    private volatile Throwable failure;

    AppendingWriter(String alias, int perSecond) {
      this.alias = alias;
      this.perSecond = perSecond;
    }

    void start() {
      started.set(System.nanoTime());
      thread =
          new Thread(
              () -> {
                int n = 0;
                long next = System.nanoTime();
                try {
                  while (running.get()) {
                    StringBuilder bulk = new StringBuilder();
                    for (int i = 0; i < 20; i++, n++) {
                      bulk.append("{\"index\":{\"_id\":\"ev-").append(n).append("\"}}\n");
                      bulk.append("{\"tag\":\"t")
                          .append(n % 7)
                          .append("\",\"n\":")
                          .append(n)
                          .append("}\n");
                    }
                    JsonNode reply = twin.cluster.post("/" + alias + "/_bulk", bulk.toString());
                    boolean blocked = false;
                    for (JsonNode item : reply.path("items")) {
                      JsonNode outcome = item.path("index");
                      if (outcome.path("status").asInt() == 201
                          || outcome.path("status").asInt() == 200) {
                        written.put(outcome.path("_id").asText(), outcome.path("_index").asText());
                      } else if ("cluster_block_exception"
                          .equals(outcome.at("/error/type").asText())) {
                        blocked = true;
                      } else {
                        throw new IllegalStateException("append failed: " + outcome);
                      }
                    }
                    if (blocked) {
                      n -= 20; // the write block refused the bulk: send the same documents again
                      Thread.sleep(25);
                      continue;
                    }
                    next += 1_000_000_000L * 20 / perSecond;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                      Thread.sleep(sleep / 1_000_000);
                    }
                  }
                } catch (Throwable t) {
                  failure = t;
                }
              });
      thread.start();
    }

    Map<String, String> stop() throws Exception {
      running.set(false);
      thread.join();
      stopped.set(System.nanoTime());
      if (failure != null) {
        throw new AssertionError("the writer failed", failure);
      }
      return written;
    }

    double rate() {
      return written.size() / ((stopped.get() - started.get()) / 1e9);
    }
  }
}
