package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.events.ChangePublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application writing through an alias while a migration runs: inserts, updates, deletes and
 * delete-then-recreate of the same ids, in bulks, at a target rate; after each bulk it publishes
 * the change events for the acknowledged items. Writes refused by the rollover's write block are
 * retried, as the documented contract says. It keeps a ledger of every id's last acknowledged
 * state, and which index acknowledged it.
 */
final class LiveWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The last acknowledged state of a document; {@code source} null means deleted. */
  record Acked(String source, String index) {}

  private volatile URI cluster;

  /**
   * Where the application is told to write now (the published switch), asked while its writes are
   * refused; null for an application that only ever knows one cluster.
   */
  private java.util.function.Supplier<URI> endpointLookup;

  /** When the writer moved to another cluster (nanoTime), or 0. */
  final AtomicLong switchedAtNanos = new AtomicLong();

  private final String alias;
  private final ChangePublisher publisher;
  private final SplittableRandom random;
  private final int idSpace;
  private final int opsPerSecond;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<String, Acked> ledger = new HashMap<>();
  final List<String> publishedEvents = new ArrayList<>();
  final AtomicLong operations = new AtomicLong();
  final AtomicLong blockedRetries = new AtomicLong();
  final AtomicLong longestRefusalMillis = new AtomicLong();
  private volatile Throwable failure;
  private Thread thread;
  private long version;

  LiveWriter(
      URI cluster,
      String alias,
      ChangePublisher publisher,
      long seed,
      int idSpace,
      int opsPerSecond) {
    this.cluster = cluster;
    this.alias = alias;
    this.publisher = publisher;
    this.random = new SplittableRandom(seed);
    this.idSpace = idSpace;
    this.opsPerSecond = opsPerSecond;
  }

  /**
   * Follows a published switch: while refused, asks {@code lookup} where to write and moves there
   * when it names another cluster. From then on it publishes no change events: it writes to the new
   * cluster itself, as an application that switched does.
   */
  LiveWriter following(java.util.function.Supplier<URI> lookup) {
    this.endpointLookup = lookup;
    return this;
  }

  URI cluster() {
    return cluster;
  }

  void start() {
    thread = new Thread(this::run, "live-writer");
    thread.start();
  }

  /** Stops after the bulk in progress; rethrows what made the writer fail. */
  Map<String, Acked> stop() throws Exception {
    running.set(false);
    thread.join();
    if (failure != null) {
      throw new AssertionError("the writer failed", failure);
    }
    return ledger;
  }

  private void run() {
    // Bulks are sent one after another: at ~8 a second, a loaded box (CI on 2 cores) still keeps
    // the rate, where 25-document bulks at 210 ops/s needed one every 119 ms and fell behind.
    int bulkSize = Math.max(25, opsPerSecond / 8);
    long pauseNanos = 1_000_000_000L * bulkSize / opsPerSecond;
    long next = System.nanoTime();
    try {
      while (running.get()) {
        writeBulk(bulkSize);
        next += pauseNanos;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
      }
    } catch (Throwable t) {
      failure = t;
    }
  }

  private void writeBulk(int size) throws Exception {
    StringBuilder body = new StringBuilder();
    List<String> ids = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String id = "doc-" + random.nextInt(idSpace);
      if (ids.contains(id)) {
        continue; // one operation per id per bulk keeps the ledger's order exact
      }
      ids.add(id);
      if (random.nextInt(100) < 25) {
        body.append("{\"delete\":{\"_id\":\"").append(id).append("\"}}\n");
        sources.add(null);
      } else {
        String source =
            JSON.createObjectNode()
                .put("title", "t" + random.nextInt(1000))
                .put("n", ++version)
                .put("tag", "k" + random.nextInt(50))
                .toString();
        body.append("{\"index\":{\"_id\":\"")
            .append(id)
            .append("\"}}\n")
            .append(source)
            .append('\n');
        sources.add(source);
      }
    }
    // A bulk is split into shard requests, so a block set while it runs can refuse some items and
    // not others: what was acknowledged is recorded, and only the refused items are sent again.
    List<String> lines = new ArrayList<>(List.of(body.toString().split("\n", -1)));
    long refusedSince = 0;
    while (!ids.isEmpty()) {
      StringBuilder request = new StringBuilder();
      int line = 0;
      for (String source : sources) {
        request.append(lines.get(line++)).append('\n');
        if (source != null) {
          request.append(lines.get(line++)).append('\n');
        }
      }
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(cluster.resolve("/" + alias + "/_bulk"))
                  .header("Content-Type", "application/x-ndjson")
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode reply = JSON.readTree(response.body());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "bulk failed: " + response.statusCode() + " " + response.body());
      }
      List<String> refusedIds = new ArrayList<>();
      List<String> refusedSources = new ArrayList<>();
      List<String> refusedLines = new ArrayList<>();
      int i = 0;
      line = 0;
      for (JsonNode item : reply.path("items")) {
        JsonNode outcome = item.elements().next();
        int status = outcome.path("status").asInt();
        String id = ids.get(i);
        String source = sources.get(i);
        String action = lines.get(line++);
        String document = source == null ? null : lines.get(line++);
        i++;
        if (outcome.path("error").path("type").asText("").equals("cluster_block_exception")) {
          refusedIds.add(id);
          refusedSources.add(source);
          refusedLines.add(action);
          if (document != null) {
            refusedLines.add(document);
          }
        } else if (source == null && (status == 200 || status == 404)) {
          ledger.put(id, new Acked(null, outcome.path("_index").asText()));
        } else if (source != null && (status == 200 || status == 201)) {
          ledger.put(id, new Acked(source, outcome.path("_index").asText()));
        } else {
          throw new IllegalStateException("bulk item failed: " + outcome);
        }
      }
      int acknowledged = ids.size() - refusedIds.size();
      operations.addAndGet(acknowledged);
      if (acknowledged > 0 && switchedAtNanos.get() == 0) {
        // Refused items have no _seq_no: the publisher sends events for the written ones only.
        publisher.publishBulkResponse(reply);
        synchronized (publishedEvents) {
          for (JsonNode item : reply.path("items")) {
            JsonNode outcome = item.elements().next();
            if (outcome.has("error")) {
              continue;
            }
            publishedEvents.add(
                "{\"index\":\""
                    + outcome.path("_index").asText()
                    + "\",\"id\":\""
                    + outcome.path("_id").asText()
                    + "\",\"op\":\""
                    + (item.has("delete") ? "delete" : "index")
                    + "\"}");
          }
        }
      }
      if (refusedIds.isEmpty()) {
        if (refusedSince != 0) {
          longestRefusalMillis.accumulateAndGet(
              (System.nanoTime() - refusedSince) / 1_000_000, Math::max);
        }
        return;
      }
      if (!running.get()) {
        return; // never acknowledged, so never in the ledger
      }
      // Refused by the rollover's write block: nothing of those was written; retry shortly.
      if (refusedSince == 0) {
        refusedSince = System.nanoTime();
      }
      blockedRetries.incrementAndGet();
      if (endpointLookup != null && blockedRetries.get() % 8 == 0) {
        URI now = endpointLookup.get();
        if (now != null && !now.equals(cluster)) {
          cluster = now;
          switchedAtNanos.compareAndSet(0, System.nanoTime());
        }
      }
      ids = refusedIds;
      sources = refusedSources;
      lines = refusedLines;
      Thread.sleep(25);
    }
  }
}
