package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.indexmigrator.events.ChangePublisher;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One write at a time through the whole sync path on the twin (bulk write, change event, SQS,
 * event-source mapping, Lambda, destination): the latency of a single event with nothing queued,
 * which is the least any lag or any rollover's wait for the consumer can be.
 *
 * <p>Arguments: {@code [writes=50] [pauseMillis=200] [documentsPerBulk=1]}; the lag is that of the
 * bulk's first document.
 */
public final class SyncLatencyProbe {
  public static void main(String[] args) throws Exception {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int pause = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int perBulk = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    TwinFixture twin = TwinFixture.get();
    String name = "probe-" + Instant.now().getEpochSecond();
    twin.cluster.create(name + "-v1", name);
    twin.cluster.load(name + "-v1", 1000, 1);
    Path recipe =
        twin.writeRecipe(
            name + ".yaml",
            "name: %s\nindexes: [{source: %s, destination: %s-v2}]\nsync: {mode: events}\n"
                .formatted(name, name, name));
    twin.cli("init", name, "--file", recipe.toString()).require();
    twin.cli("run", name, "--wait").require();
    List<Long> lags = new ArrayList<>();
    try (var sqs = twin.sqs()) {
      ChangePublisher publisher = ChangePublisher.create(sqs, twin.state.queues().get("SyncQueue"));
      for (int n = 0; n < writes + 5; n++) {
        String id = "probe-" + n;
        StringBuilder bulk = new StringBuilder();
        for (int k = 0; k < perBulk; k++) {
          bulk.append("{\"index\":{\"_id\":\"")
              .append(k == 0 ? id : id + "-" + k)
              .append("\"}}\n{\"n\":")
              .append(n)
              .append("}\n");
        }
        JsonNode reply = twin.cluster.post("/" + name + "/_bulk", bulk.toString());
        long acked = System.nanoTime();
        publisher.publishBulkResponse(reply);
        long published = System.nanoTime();
        while (!twin.cluster.get("/" + name + "-v2/_doc/" + id).path("found").asBoolean()) {
          Thread.sleep(5);
          if (System.nanoTime() - acked > 60_000_000_000L) {
            throw new IllegalStateException(id + " did not arrive within 60 s");
          }
        }
        long lag = (System.nanoTime() - acked) / 1_000_000;
        if (n >= 5) {
          // The first few wake environments and routes.
          lags.add(lag);
        }
        System.out.printf(
            "%s: published after %d ms, in the destination after %d ms%n",
            id, (published - acked) / 1_000_000, lag);
        Thread.sleep(pause);
      }
    }
    Collections.sort(lags);
    System.out.printf(
        "single-event lag over %d writes: min %d, p50 %d, p90 %d, max %d ms%n",
        lags.size(),
        lags.get(0),
        lags.get(lags.size() / 2),
        lags.get((int) (lags.size() * 0.9)),
        lags.get(lags.size() - 1));
    System.exit(0);
  }

  private SyncLatencyProbe() {}
}
