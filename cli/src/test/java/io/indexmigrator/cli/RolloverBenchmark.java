package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.events.ChangePublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark (not a test): the write-blocked window of repeated rollovers of a large index under a
 * steady application write rate (inserts, updates, deletes, recreates through the alias, each with
 * its change event), on the local twin and the engine {@code -Dmigrator.it.engine} names. Every
 * round copies the live index to a new one, syncs, rolls over, then checks the application's ledger
 * of acknowledged writes against the new live index.
 *
 * <p>Run with {@code bench/run-rollover.sh [docs] [rounds] [modes] [writesPerSecond]}; prints a
 * summary and writes bench/results/rollover-*.json.
 */
public final class RolloverBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    try {
      run(args);
      System.exit(0);
    } catch (Throwable e) {
      // The twin's threads would keep the JVM (and its engine) alive after a failure.
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    int docs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    List<String> modes = List.of((args.length > 2 ? args[2] : "count,checksum").split(","));
    int rate = args.length > 3 ? Integer.parseInt(args[3]) : 500;
    TwinFixture twin = TwinFixture.get();
    String base = "rb-" + Instant.now().getEpochSecond();
    String live = base + "-0";
    twin.cluster.create(live, base);
    long loadMillis = twin.cluster.load(live, docs, 1);
    System.out.printf("loaded %,d documents into %s in %d ms%n", docs, live, loadMillis);

    ObjectNode result = JSON.createObjectNode();
    result.put("date", Instant.now().toString());
    result.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
    result.put("engine", TwinFixture.ENGINE.distribution() + " " + TwinFixture.ENGINE.version());
    result.put("documents", docs);
    result.put("writesPerSecondTarget", rate);
    ArrayNode runs = result.putArray("rollovers");
    Map<String, List<JsonNode>> byMode = new LinkedHashMap<>();
    int next = 1;
    try (var sqs = twin.sqs()) {
      String queueUrl = twin.state.queues().get("SyncQueue");
      ChangePublisher publisher = ChangePublisher.create(sqs, queueUrl);
      for (int round = 0; round < rounds; round++) {
        for (String mode : modes) {
          String name = base + "-r" + next;
          String destination = base + "-" + next;
          next++;
          Path recipe =
              twin.writeRecipe(
                  name + ".yaml",
                  """
                  name: %s
                  indexes: [{source: %s, destination: %s}]
                  sync: {mode: events}
                  rollover: {verify: %s}
                  """
                      .formatted(name, base, destination, mode));
          twin.cli("init", name, "--file", recipe.toString()).require();
          long copyStarted = System.nanoTime();
          twin.cli("run", name, "--wait").require();
          long copyMillis = (System.nanoTime() - copyStarted) / 1_000_000;
          LiveWriter writer = new LiveWriter(twin.clusterUrl, base, publisher, next, docs, rate);
          long writeStarted = System.nanoTime();
          writer.start();
          Thread.sleep(3000);
          // As an operator would: start the rollover once status shows the sync caught up (the
          // consumer's environments may be cold, and the copy's end let events queue up).
          long catchUpStarted = System.nanoTime();
          awaitQueueAtMost(sqs, queueUrl, 50, Duration.ofSeconds(240));
          long catchUpMillis = (System.nanoTime() - catchUpStarted) / 1_000_000;
          TwinFixture.Run rollover = twin.cli("rollover", name, "--json");
          Thread.sleep(1000);
          Map<String, LiveWriter.Acked> ledger = writer.stop();
          double achieved = writer.operations.get() / ((System.nanoTime() - writeStarted) / 1e9);
          JsonNode report = JSON.readTree(rollover.out().isBlank() ? "{}" : rollover.out());
          boolean rolled = rollover.exitCode() == 0;
          // After a failed rollover the source is still the live index: check the writes there.
          long lost = lostWrites(twin, rolled ? destination : live, ledger);
          ObjectNode run = runs.addObject();
          run.put("recipe", name);
          run.put("verify", mode);
          run.put("copyMillis", copyMillis);
          run.put("catchUpMillis", catchUpMillis);
          run.put("exitCode", rollover.exitCode());
          run.put("passed", report.path("passed").asBoolean());
          run.put("writeBlockedMillis", report.path("writeBlockedMillis").asLong(-1));
          run.put("aliasWritesBlockedMillis", report.path("aliasWritesBlockedMillis").asLong(-1));
          run.set("blockedWindow", report.path("blockedWindow"));
          run.put("queuedAtBlock", report.path("drainedBacklog").asLong(-1));
          run.set("underTheBlock", underTheBlock(twin.stateDir, name));
          run.put("longestRefusalSeenByWriterMillis", writer.longestRefusalMillis.get());
          run.put("writesPerSecondAchieved", Math.round(achieved));
          run.put("acknowledgedWritesChecked", ledger.size());
          run.put("acknowledgedWritesLost", lost);
          if (!rolled) {
            run.put("message", rollover.all().trim());
            System.out.println("rollover failed: " + rollover.all().trim());
          }
          byMode.computeIfAbsent(mode, m -> new ArrayList<>()).add(run);
          System.out.printf(
              "%s (%s): exit %d, blocked %d ms %s, writer refused up to %d ms, %.0f writes/s,"
                  + " %d lost of %,d checked; copy %d ms, sync caught up after %d ms%n",
              name,
              mode,
              rollover.exitCode(),
              run.path("writeBlockedMillis").asLong(),
              run.path("blockedWindow"),
              writer.longestRefusalMillis.get(),
              achieved,
              lost,
              ledger.size(),
              copyMillis,
              catchUpMillis);
          if (rolled) {
            // The previous live index is the rollback point no more: free its memory and disk.
            twin.cluster.delete(live);
            live = destination;
          } else {
            twin.cli("cancel", name);
          }
        }
      }
    }
    ObjectNode summary = result.putObject("summary");
    byMode.forEach(
        (mode, all) -> {
          // A refused rollover blocked nothing: it counts as refused, not as a 0 ms window.
          List<JsonNode> list = all.stream().filter(r -> r.path("passed").asBoolean()).toList();
          ObjectNode s = summary.putObject(mode);
          s.put("rollovers", all.size());
          s.put("passed", list.size());
          s.put(
              "lostWrites",
              all.stream().mapToLong(r -> r.path("acknowledgedWritesLost").asLong()).sum());
          if (list.isEmpty()) {
            return;
          }
          List<Long> blocked = new ArrayList<>();
          List<Long> alias = new ArrayList<>();
          list.forEach(r -> blocked.add(r.path("writeBlockedMillis").asLong()));
          list.forEach(r -> alias.add(r.path("aliasWritesBlockedMillis").asLong()));
          Collections.sort(blocked);
          Collections.sort(alias);
          s.put("blockedMedianMillis", median(blocked));
          s.put("blockedMaxMillis", blocked.get(blocked.size() - 1));
          s.put("aliasBlockedMedianMillis", median(alias));
          s.put("aliasBlockedMaxMillis", alias.get(alias.size() - 1));
          ObjectNode medians = s.putObject("stepMedianMillis");
          medians(list, "blockedWindow").forEach(medians::put);
          ObjectNode under = s.putObject("underTheBlockMedian");
          medians(list, "underTheBlock").forEach(under::put);
          System.out.printf(
              "%s: %d of %d rolled over, blocked median %d ms, max %d ms (through the alias %d /"
                  + " %d), steps %s, under the block %s, lost %d%n",
              mode,
              list.size(),
              all.size(),
              s.path("blockedMedianMillis").asLong(),
              s.path("blockedMaxMillis").asLong(),
              s.path("aliasBlockedMedianMillis").asLong(),
              s.path("aliasBlockedMaxMillis").asLong(),
              medians,
              under,
              s.path("lostWrites").asLong());
        });
    Path out =
        Path.of("..", "bench", "results", "rollover-" + Instant.now().getEpochSecond() + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
    System.out.println("wrote " + out.normalize());
  }

  /**
   * The median of sorted values; of an even number, the mean of the middle two (rounded), as the
   * README's tables give it.
   */
  private static long median(List<Long> sorted) {
    int n = sorted.size();
    return n % 2 == 1
        ? sorted.get(n / 2)
        : Math.round((sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0);
  }

  /** The median of each numeric field of {@code field} over the runs that have it. */
  private static Map<String, Long> medians(List<JsonNode> runs, String field) {
    Map<String, List<Long>> values = new LinkedHashMap<>();
    runs.forEach(
        r ->
            r.path(field)
                .properties()
                .forEach(
                    e ->
                        values
                            .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(e.getValue().asLong())));
    Map<String, Long> medians = new LinkedHashMap<>();
    values.forEach(
        (key, list) -> {
          Collections.sort(list);
          medians.put(key, median(list));
        });
    return medians;
  }

  private static final java.util.regex.Pattern DELTA_LINE =
      java.util.regex.Pattern.compile(
          "under the block, (\\d+) documents of '[^']*' checked, (\\d+) written \\(search (\\d+)"
              + " ms: source refresh (\\d+), shard searches (\\d+), destination refresh (\\d+);"
              + " compare (\\d+) ms, apply (\\d+) ms\\)");

  private static final java.util.regex.Pattern MARK_LINE =
      java.util.regex.Pattern.compile("blocking writes (\\d+) ms after the last mark");

  private static final java.util.regex.Pattern QUEUE_WAIT_LINE =
      java.util.regex.Pattern.compile("waited (\\d+) ms before the block for the sync queue");

  private static final java.util.regex.Pattern COUNTS_LINE =
      java.util.regex.Pattern.compile(
          "under the block the counts \\w+(?: \\w+)? after \\d+ reads in (\\d+) ms \\(documents"
              + " apart: (\\d+) at the first read");

  /**
   * The under-block pass as the control function logged it (the report gives the delta step as one
   * figure): where its time went, and how long before the block its last mark was taken.
   */
  private static ObjectNode underTheBlock(Path stateDir, String recipe) throws Exception {
    ObjectNode out = JSON.createObjectNode();
    Path logs = stateDir.resolve("lambda").resolve("index-migrator-ControlFunction");
    if (!Files.isDirectory(logs)) {
      return out;
    }
    String prefix = "rollover of " + recipe + ": ";
    List<Path> files;
    try (var listed = Files.list(logs)) {
      files = listed.filter(f -> f.toString().endsWith(".log")).sorted().toList();
    }
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        int at = line.indexOf(prefix);
        if (at < 0) {
          continue;
        }
        String rest = line.substring(at + prefix.length());
        var delta = DELTA_LINE.matcher(rest);
        if (delta.find()) {
          String[] keys = {
            "checked",
            "written",
            "searchMillis",
            "sourceRefreshMillis",
            "shardSearchesMillis",
            "destinationRefreshMillis",
            "compareMillis",
            "applyMillis"
          };
          for (int i = 0; i < keys.length; i++) {
            out.put(keys[i], out.path(keys[i]).asLong(0) + Long.parseLong(delta.group(i + 1)));
          }
        }
        var mark = MARK_LINE.matcher(rest);
        if (mark.find()) {
          out.put("markToBlockMillis", Long.parseLong(mark.group(1)));
        }
        var waited = QUEUE_WAIT_LINE.matcher(rest);
        if (waited.find()) {
          out.put("queueWaitBeforeBlockMillis", Long.parseLong(waited.group(1)));
        }
        var counts = COUNTS_LINE.matcher(rest);
        if (counts.find()) {
          out.put("countsWaitMillis", Long.parseLong(counts.group(1)));
          out.put("countsApartAtFirstRead", Long.parseLong(counts.group(2)));
        }
      }
    }
    return out;
  }

  private static long lostWrites(
      TwinFixture twin, String index, Map<String, LiveWriter.Acked> ledger) throws Exception {
    twin.cluster.post("/" + index + "/_refresh", null);
    List<String> ids = new ArrayList<>(ledger.keySet());
    long lost = 0;
    for (int from = 0; from < ids.size(); from += 500) {
      ArrayNode docs = JSON.createArrayNode();
      ids.subList(from, Math.min(ids.size(), from + 500))
          .forEach(id -> docs.addObject().put("_id", id));
      ObjectNode body = JSON.createObjectNode();
      body.set("docs", docs);
      JsonNode found = twin.cluster.post("/" + index + "/_mget", body.toString());
      for (JsonNode doc : found.path("docs")) {
        LiveWriter.Acked acked = ledger.get(doc.path("_id").asText());
        boolean present = doc.path("found").asBoolean();
        if (acked.source() == null
            ? present
            : !present || !sameJson(acked.source(), doc.path("_source"))) {
          lost++;
        }
      }
    }
    return lost;
  }

  private static boolean sameJson(String expected, JsonNode actual) throws Exception {
    return JSON.readTree(expected).equals(actual);
  }

  /** Until the sync queue holds at most {@code depth} events, visible or in flight. */
  private static void awaitQueueAtMost(
      software.amazon.awssdk.services.sqs.SqsClient sqs,
      String queueUrl,
      long depth,
      Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Long queued = StatusCommand.Watcher.depth(sqs, queueUrl);
      if (queued != null && queued <= depth) {
        return;
      }
      Thread.sleep(200);
    }
  }
}
