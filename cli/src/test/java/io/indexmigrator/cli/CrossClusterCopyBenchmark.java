package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.cli.demo.SampleIndex;
import io.indexmigrator.cli.demo.SampleRecords;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.local.cluster.EngineVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a test): a cross-cluster copy by the product's reader engine against the other
 * ways to move the same index between two clusters, on a twin with a second cluster. Run with
 * {@code bench/run-cross-cluster.sh [documents] [--repeats=N]}; prints docs/s and ratios and writes
 * bench/results/cross-*.json.
 *
 * <p>The twin runs the source engine (Elasticsearch 7.10.2 unless {@code -Dmigrator.bench.source})
 * as its {@code source} cluster and OpenSearch 2.19.6 (or {@code -Dmigrator.it.engine}) as the
 * destination; the functions reach both directly (no test proxy). One source index of generated
 * demo records ({@link SampleRecords}, as {@link CopyBenchmark} loads) with 4 primary shards is
 * loaded once; every variant copies it into a fresh destination index with the source's mappings, 4
 * shards, no replicas and no refreshes during the copy:
 *
 * <ol>
 *   <li>{@code product}: {@code init} + {@code run --wait} of a recipe with {@code source:
 *       {cluster: source}} through the CLI in this JVM (copy mode {@code reader}, the cross-cluster
 *       default); its copy phase is the first work item's start to the last one's end in the state
 *       table.
 *   <li>{@code product-remote} (only when named in {@code --variants}): the same with {@code
 *       copy.mode: remote-reindex}, per {@code --remote-sizes} as its batch size.
 *   <li>{@code --partitions=0,4}: both product variants once per number of parts, with {@code
 *       copy.partition} on the sample's {@code downloads} field (0: no partition).
 *   <li>{@code raw}: the destination's own {@code _reindex?slices=auto} of the product's result
 *       into another index, the ceiling the destination's indexing rate sets.
 *   <li>{@code remote}: one {@code _reindex} task on the destination with {@code source.remote} (it
 *       cannot be sliced), per {@code source.size} asked.
 *   <li>{@code elasticdump}: the npm tool, {@code --type=data}, per {@code --limit} asked.
 * </ol>
 *
 * <p>Each variant's destination is counted against the source; a variant that lost documents says
 * so in its result (the benchmark does not stop). The load average is recorded before and after
 * each variant; before each one the benchmark waits (up to {@code --settle=SECONDS}, default 90)
 * for the 1-minute load to drop below {@code --settle-load} (default 2.0).
 */
public final class CrossClusterCopyBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BULK = 2000;
  private static final int WARM_UP_DOCUMENTS = 20_000;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static final EngineVersion SOURCE_ENGINE =
      EngineVersion.parse(System.getProperty("migrator.bench.source", "elasticsearch:7.10.2"));

  private static URI source;
  private static URI destination;
  private static int shards = 4;
  private static double settleLoad = 2.0;
  private static int settleSeconds = 90;

  public static void main(String[] args) {
    // The twin's threads keep a JVM alive: a failed run must end it too, engines and all.
    try {
      run(args);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(String[] args) throws Exception {
    int documents = 1_000_000;
    int repeats = 1;
    List<Integer> dumpLimits = List.of(1000, 5000, 10000);
    List<Integer> remoteSizes = List.of(1000, 5000);
    Set<String> variants = new LinkedHashSet<>(List.of("product", "remote", "elasticdump"));
    // The recipe's copy.batchSize (documents per page and bulk); "default" leaves it out.
    List<Integer> batchSizes = new ArrayList<>(Collections.singletonList(null));
    // copy.partition parts on the sample's "downloads" field (uniform 0..9999); 0 leaves it out.
    List<Integer> partitions = List.of(0);
    for (String arg : args) {
      if (arg.startsWith("--repeats=")) {
        repeats = Integer.parseInt(value(arg));
      } else if (arg.startsWith("--elasticdump-limits=")) {
        dumpLimits = integers(value(arg));
      } else if (arg.startsWith("--remote-sizes=")) {
        remoteSizes = integers(value(arg));
      } else if (arg.startsWith("--variants=")) {
        variants = new LinkedHashSet<>(List.of(value(arg).split(",")));
      } else if (arg.startsWith("--shards=")) {
        shards = Integer.parseInt(value(arg));
      } else if (arg.startsWith("--batch-sizes=")) {
        batchSizes = new ArrayList<>();
        for (String size : value(arg).split(",")) {
          batchSizes.add(size.equals("default") ? null : Integer.valueOf(size));
        }
      } else if (arg.startsWith("--partitions=")) {
        partitions = integers(value(arg));
      } else if (arg.startsWith("--settle=")) {
        settleSeconds = Integer.parseInt(value(arg));
      } else if (arg.startsWith("--settle-load=")) {
        settleLoad = Double.parseDouble(value(arg));
      } else {
        documents = Integer.parseInt(arg.replace("_", ""));
      }
    }
    Path elasticdump =
        Path.of(
                System.getProperty(
                    "migrator.bench.elasticdump",
                    "target/elasticdump/node_modules/.bin/elasticdump"))
            .toAbsolutePath();
    if (variants.contains("elasticdump") && !Files.isExecutable(elasticdump)) {
      throw new IllegalStateException(
          "no elasticdump at "
              + elasticdump
              + " (bench/run-cross-cluster.sh installs it: npm install --prefix"
              + " cli/target/elasticdump elasticdump)");
    }

    TwinFixture twin = TwinFixture.withSourceUnproxied(SOURCE_ENGINE);
    source = URI.create(twin.state.clusters().get("source").url());
    destination = twin.clusterUrl;
    String stamp = String.valueOf(Instant.now().getEpochSecond());
    ObjectNode summary = JSON.createObjectNode();
    summary.put("date", Instant.now().toString());
    summary.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
    summary.put("sourceEngine", engine(source));
    summary.put("destinationEngine", engine(destination));
    summary.put("documents", documents);
    summary.put("shards", shards);
    summary.put("uptimeAtStart", uptime());
    System.out.printf(
        "source %s at %s, destination %s at %s; %,d documents, %d shards%n",
        summary.get("sourceEngine").asText(),
        source,
        summary.get("destinationEngine").asText(),
        destination,
        documents,
        shards);

    // The first migration of a twin meets cold Lambda environments (a child JVM per function;
    // one per work item running at once): measured on its own, so the variants compare warm runs.
    String warm = "xbench-" + stamp + "-warm";
    load(warm, WARM_UP_DOCUMENTS);
    ObjectNode warmUp = product(twin, warm, WARM_UP_DOCUMENTS, stamp + "w", null, null, 0);
    summary.set("warmUp", warmUp);
    System.out.printf("warm-up (cold twin): %s%n", describe(warmUp));
    request(destination, "DELETE", "/" + warmUp.get("destinationIndex").asText(), null);
    request(source, "DELETE", "/" + warm, null);

    String index = "xbench-" + stamp;
    System.out.printf("loading %,d documents into %s on the source ...%n", documents, index);
    long loadMillis = load(index, documents);
    summary.put("loadMillis", loadMillis);
    System.out.printf("  loaded in %.1f s; %s%n", loadMillis / 1e3, uptime());

    ArrayNode runs = summary.putArray("runs");
    for (int repeat = 0; repeat < repeats; repeat++) {
      // Whatever runs first meets the source's merges after the load, or the last copy's on the
      // destination: the order turns with the repeat.
      List<String> order = new ArrayList<>(variants);
      Collections.rotate(order, -repeat);
      for (String variant : order) {
        switch (variant) {
          case "product" -> {
            for (int b = 0; b < batchSizes.size(); b++) {
              for (int parts : partitions) {
                Integer batchSize = batchSizes.get(b);
                ObjectNode product =
                    product(
                            twin,
                            index,
                            documents,
                            stamp + "r" + repeat + "b" + b + "p" + parts,
                            batchSize,
                            null,
                            parts)
                        .put("repeat", repeat);
                runs.add(product);
                System.out.printf("  %s%n", describe(product));
                if (b == 0 && parts == partitions.get(0)) {
                  // The ceiling: the destination copying the product's result onto itself.
                  ObjectNode raw = raw(product.get("destinationIndex").asText(), documents);
                  raw.put("repeat", repeat);
                  runs.add(raw);
                  System.out.printf("  %s%n", describe(raw));
                }
                request(
                    destination, "DELETE", "/" + product.get("destinationIndex").asText(), null);
              }
            }
          }
          case "product-remote" -> {
            // The product's other engine: the destination's own remote reindex, one task.
            for (int size : remoteSizes) {
              for (int parts : partitions) {
                ObjectNode product =
                    product(
                            twin,
                            index,
                            documents,
                            stamp + "r" + repeat + "m" + size + "p" + parts,
                            size,
                            "remote-reindex",
                            parts)
                        .put("repeat", repeat);
                runs.add(product);
                System.out.printf("  %s%n", describe(product));
                request(
                    destination, "DELETE", "/" + product.get("destinationIndex").asText(), null);
              }
            }
          }
          case "remote" -> {
            for (int size : remoteSizes) {
              ObjectNode remote = remote(index, documents, size).put("repeat", repeat);
              runs.add(remote);
              System.out.printf("  %s%n", describe(remote));
            }
          }
          case "elasticdump" -> {
            for (int limit : dumpLimits) {
              ObjectNode dump =
                  elasticdump(elasticdump, index, documents, limit, stamp).put("repeat", repeat);
              runs.add(dump);
              System.out.printf("  %s%n", describe(dump));
            }
          }
          default -> throw new IllegalArgumentException("no variant " + variant);
        }
      }
    }
    request(source, "DELETE", "/" + index, null);
    summary.put("uptimeAtEnd", uptime());
    summary.set("ratios", ratios(runs));
    String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary);
    System.out.println(json);
    printTable(runs, summary.get("ratios"));
    Path out = Path.of("..", "bench", "results", "cross-" + stamp + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, json + "\n");
    System.out.println("written to " + out.toAbsolutePath().normalize());
  }

  /** The product: init + run --wait of a cross-cluster recipe, as a user types them. */
  private static ObjectNode product(
      TwinFixture twin,
      String index,
      int documents,
      String tag,
      Integer batchSize,
      String mode,
      int parts)
      throws Exception {
    String name =
        "product"
            + (mode == null ? "" : ", copy.mode " + mode)
            + (batchSize == null ? "" : ", batchSize " + batchSize)
            + (parts == 0 ? "" : ", partition " + parts);
    ObjectNode result = begin(name, documents);
    String recipeName = "xbench-" + tag;
    String target = index + "-product-" + tag;
    List<String> options = new ArrayList<>();
    if (mode != null) {
      options.add("mode: " + mode);
    }
    if (batchSize != null) {
      options.add("batchSize: " + batchSize);
    }
    if (parts != 0) {
      options.add("partition: {field: downloads, parts: " + parts + "}");
    }
    String copy = options.isEmpty() ? "" : "copy: {" + String.join(", ", options) + "}\n";
    Path recipe =
        twin.writeRecipe(
            recipeName + ".yaml",
            """
            name: %s
            source: {cluster: source}
            indexes: [{source: %s, destination: %s}]
            %s"""
                .formatted(recipeName, index, target, copy));
    result.put("recipe", Files.readString(recipe));
    long started = System.nanoTime();
    twin.cli("init", recipeName, "--file", recipe.toString()).require();
    long initialized = System.nanoTime();
    twin.cli("run", recipeName, "--wait").require();
    long finished = System.nanoTime();
    result.put("initMillis", (initialized - started) / 1_000_000);
    result.put("runMillis", (finished - initialized) / 1_000_000);
    end(result, (finished - started) / 1_000_000, target, documents);

    // The copy phase from the state table: first work item started to last one finished.
    Instant first = null;
    Instant last = null;
    ArrayNode items = result.putArray("workItems");
    try (var dynamo = twin.dynamo()) {
      var store = twin.store(dynamo);
      var ref = store.getRecipe(recipeName).orElseThrow().ref();
      for (SliceRecord slice : store.listSlices(ref)) {
        long millis = Duration.between(slice.startedAt(), slice.finishedAt()).toMillis();
        items
            .addObject()
            .put("shard", slice.sliceId())
            .put("status", slice.status().name())
            .put("documents", slice.progress().total())
            .put("batches", slice.progress().batches())
            .put("attempts", slice.attempts())
            .put("millis", millis)
            .put("docsPerSecond", rate(slice.progress().total(), millis));
        first = first == null || slice.startedAt().isBefore(first) ? slice.startedAt() : first;
        last = last == null || slice.finishedAt().isAfter(last) ? slice.finishedAt() : last;
      }
    }
    long copyPhase = Duration.between(first, last).toMillis();
    result.put("copyPhaseMillis", copyPhase);
    result.put("copyPhaseDocsPerSecond", rate(documents, copyPhase));
    result.put("destinationIndex", target);
    return result;
  }

  /** The destination's own sliced reindex of {@code from} (already on it) into a fresh index. */
  private static ObjectNode raw(String from, int documents) throws Exception {
    ObjectNode result = begin("raw in-cluster _reindex?slices=auto", documents);
    String target = from + "-raw";
    create(target, request(destination, "GET", "/" + from + "/_mapping", null).path(from));
    ObjectNode body = JSON.createObjectNode();
    body.putObject("source").put("index", from);
    body.putObject("dest").put("index", target);
    long started = System.nanoTime();
    JsonNode response =
        request(
            destination,
            "POST",
            "/_reindex?slices=auto&wait_for_completion=true&refresh=false",
            body.toString());
    long millis = (System.nanoTime() - started) / 1_000_000;
    result.put("tookMillis", response.path("took").asLong());
    result.put("created", response.path("created").asLong());
    result.set("failures", response.path("failures"));
    refreshTimed(target, result);
    end(result, millis, target, documents);
    request(destination, "DELETE", "/" + target, null);
    return result;
  }

  /** One remote reindex task on the destination, reading the source with {@code size} a batch. */
  private static ObjectNode remote(String index, int documents, int size) throws Exception {
    ObjectNode result = begin("remote reindex, size " + size, documents);
    result.put("size", size);
    String target = index + "-remote-" + size;
    create(target, request(source, "GET", "/" + index + "/_mapping", null).path(index));
    ObjectNode body = JSON.createObjectNode();
    ObjectNode from = body.putObject("source");
    from.putObject("remote").put("host", source.toString().replaceAll("/$", ""));
    from.put("index", index).put("size", size);
    body.putObject("dest").put("index", target);
    long started = System.nanoTime();
    String id;
    try {
      id =
          request(destination, "POST", "/_reindex?wait_for_completion=false", body.toString())
              .path("task")
              .asText();
    } catch (IOException refused) {
      // E.g. the host not in reindex.remote.allowlist: the finding, not a crash of the run.
      result.put("error", refused.getMessage());
      System.out.printf("  remote reindex refused: %s%n", refused.getMessage());
      request(destination, "DELETE", "/" + target, null);
      return result;
    }
    result.put("task", id);
    // Polled, not waited for: a GET _tasks/<id>?wait_for_completion=true that times out answers
    // 500 timeout_exception while the task goes on.
    JsonNode task;
    do {
      Thread.sleep(250);
      task = request(destination, "GET", "/_tasks/" + id, null);
    } while (!task.path("completed").asBoolean());
    long millis = (System.nanoTime() - started) / 1_000_000;
    JsonNode response = task.path("response");
    result.put("tookMillis", response.path("took").asLong());
    result.put("created", response.path("created").asLong());
    result.put("batches", response.path("batches").asLong());
    result.set("failures", response.path("failures"));
    if (task.has("error")) {
      result.set("error", task.get("error"));
    }
    refreshTimed(target, result);
    end(result, millis, target, documents);
    request(destination, "DELETE", "/" + target, null);
    return result;
  }

  /** elasticdump --type=data from the source index to a fresh destination index. */
  private static ObjectNode elasticdump(
      Path elasticdump, String index, int documents, int limit, String stamp) throws Exception {
    ObjectNode result = begin("elasticdump, --limit " + limit, documents);
    result.put("limit", limit);
    String target = index + "-dump-" + limit;
    create(target, request(source, "GET", "/" + index + "/_mapping", null).path(index));
    Path log = Path.of("target", "elasticdump", "xbench-" + stamp + "-" + limit + ".log");
    List<String> command =
        List.of(
            elasticdump.toString(),
            "--input=" + source.resolve("/" + index),
            "--output=" + destination.resolve("/" + target),
            "--type=data",
            "--limit=" + limit);
    result.put("command", String.join(" ", command));
    long started = System.nanoTime();
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(2, TimeUnit.HOURS)) {
      process.destroyForcibly();
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    result.put("exitCode", process.exitValue());
    result.put("log", log.toAbsolutePath().normalize().toString());
    // Its own account: the last "Total Writes" line.
    for (String line : Files.readAllLines(log)) {
      if (line.contains("Total Writes")) {
        result.put("reportedWrites", line.replaceAll(".*Total Writes: *", "").trim());
      }
    }
    end(result, millis, target, documents);
    request(destination, "DELETE", "/" + target, null);
    return result;
  }

  private static ObjectNode begin(String variant, int documents) throws Exception {
    ObjectNode result = JSON.createObjectNode();
    result.put("variant", variant);
    result.put("documents", documents);
    result.put("waitedForLoadMillis", settle());
    result.put("loadBefore", loadAverage());
    result.put("uptimeBefore", uptime());
    result.put("startedAt", Instant.now().toString());
    return result;
  }

  /** Records the time, the rate and the count of the destination against the source's. */
  private static void end(ObjectNode result, long millis, String target, int documents)
      throws Exception {
    result.put("loadAfter", loadAverage());
    result.put("uptimeAfter", uptime());
    result.put("millis", millis);
    result.put("docsPerSecond", rate(documents, millis));
    long count = count(destination, target);
    result.put("destinationCount", count);
    result.put("countMatches", count == documents);
    if (count != documents) {
      result.put("lostDocuments", documents - count);
    }
  }

  private static void refreshTimed(String target, ObjectNode result) throws Exception {
    long started = System.nanoTime();
    request(destination, "POST", "/" + target + "/_refresh", null);
    result.put("refreshMillis", (System.nanoTime() - started) / 1_000_000);
  }

  /** A destination index as every variant gets it: the mappings, N shards, no replicas/refresh. */
  private static void create(String index, JsonNode mappingOf) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("settings")
        .putObject("index")
        .put("number_of_shards", shards)
        .put("number_of_replicas", 0)
        .put("refresh_interval", "-1");
    body.set("mappings", mappingOf.path("mappings"));
    request(destination, "PUT", "/" + index, body.toString());
  }

  /** Creates the source index with the demo's mapping and bulk-loads {@code count} records. */
  private static long load(String index, int count) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("settings")
        .putObject("index")
        .put("number_of_shards", shards)
        .put("number_of_replicas", 0)
        .put("refresh_interval", "-1");
    body.set(
        "mappings",
        JSON.readTree(SampleIndex.FIRST_MAPPING.formatted(index + "-a")).path("mappings"));
    request(source, "PUT", "/" + index, body.toString());
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<?>> bulks = new ArrayList<>();
    for (int from = 0; from < count; from += BULK) {
      int first = from;
      bulks.add(
          pool.submit(
              () -> {
                StringBuilder ndjson = new StringBuilder();
                for (int n = first; n < Math.min(count, first + BULK); n++) {
                  ndjson
                      .append("{\"index\":{\"_id\":\"")
                      .append(SampleRecords.id(n))
                      .append("\"}}\n");
                  ndjson.append(SampleRecords.record(n, 1)).append('\n');
                }
                JsonNode response =
                    request(source, "POST", "/" + index + "/_bulk", ndjson.toString());
                if (response.path("errors").asBoolean()) {
                  throw new IOException("bulk item errors into " + index);
                }
                return null;
              }));
    }
    for (Future<?> bulk : bulks) {
      bulk.get();
    }
    pool.shutdown();
    request(source, "PUT", "/" + index + "/_settings", "{\"index\":{\"refresh_interval\":null}}");
    request(source, "POST", "/" + index + "/_flush", null);
    if (count(source, index) != count) {
      throw new IllegalStateException("loaded " + count(source, index) + " of " + count);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  /** Per repeat: the product against the best of each other variant. */
  private static ArrayNode ratios(ArrayNode runs) {
    ArrayNode ratios = JSON.createArrayNode();
    int repeats = 0;
    for (JsonNode run : runs) {
      repeats = Math.max(repeats, run.path("repeat").asInt() + 1);
    }
    for (int repeat = 0; repeat < repeats; repeat++) {
      for (boolean tuned : new boolean[] {false, true}) {
        JsonNode product = tuned ? best(runs, repeat, "product") : exact(runs, repeat, "product");
        if (product == null || (tuned && product.path("variant").asText().equals("product"))) {
          continue;
        }
        ratios.add(ratiosOf(runs, repeat, product));
      }
    }
    return ratios;
  }

  /** The product's rate against the best of each other variant in the same repeat. */
  private static ObjectNode ratiosOf(ArrayNode runs, int repeat, JsonNode product) {
    ObjectNode r = JSON.createObjectNode().put("repeat", repeat);
    r.put("product", product.path("variant").asText());
    double endToEnd = product.path("docsPerSecond").asDouble();
    double copyPhase = product.path("copyPhaseDocsPerSecond").asDouble();
    r.put("productDocsPerSecond", endToEnd);
    r.put("productCopyPhaseDocsPerSecond", copyPhase);
    for (String[] other :
        new String[][] {
          {"remote", "overRemoteReindex"},
          {"elasticdump", "overElasticdump"},
          {"raw", "overInClusterRaw"}
        }) {
      JsonNode best = best(runs, repeat, other[0]);
      if (best != null && best.path("docsPerSecond").asDouble() > 0) {
        double rate = best.path("docsPerSecond").asDouble();
        r.put(other[1] + "Against", best.path("variant").asText());
        r.put(other[1], round(endToEnd / rate));
        r.put(other[1] + "CopyPhase", round(copyPhase / rate));
      }
    }
    return r;
  }

  private static JsonNode exact(ArrayNode runs, int repeat, String variant) {
    for (JsonNode run : runs) {
      if (run.path("repeat").asInt() == repeat && run.path("variant").asText().equals(variant)) {
        return run;
      }
    }
    return null;
  }

  /** The fastest run of a variant (by prefix) in a repeat that copied every document. */
  private static JsonNode best(ArrayNode runs, int repeat, String prefix) {
    JsonNode best = null;
    for (JsonNode run : runs) {
      if (run.path("repeat").asInt() == repeat
          && run.path("variant").asText().startsWith(prefix)
          && run.path("countMatches").asBoolean()
          && (best == null
              || run.path("docsPerSecond").asDouble() > best.path("docsPerSecond").asDouble())) {
        best = run;
      }
    }
    return best;
  }

  private static void printTable(ArrayNode runs, JsonNode ratios) {
    System.out.println();
    System.out.println("| Repeat | Variant | Time | docs/s | Count | Load before → after |");
    System.out.println("|---|---|---|---|---|---|");
    for (JsonNode run : runs) {
      System.out.printf(
          "| %d | %s | %.1f s%s | %,.0f%s | %,d%s | %s → %s |%n",
          run.path("repeat").asInt(),
          run.path("variant").asText(),
          run.path("millis").asLong() / 1e3,
          run.has("copyPhaseMillis")
              ? " (copy phase " + run.path("copyPhaseMillis").asLong() / 1e3 + " s)"
              : "",
          run.path("docsPerSecond").asDouble(),
          run.has("copyPhaseDocsPerSecond")
              ? String.format(" (%,.0f)", run.path("copyPhaseDocsPerSecond").asDouble())
              : "",
          run.path("destinationCount").asLong(),
          run.path("countMatches").asBoolean() ? "" : " **LOST " + run.path("lostDocuments") + "**",
          first(run.path("loadBefore").asText()),
          first(run.path("loadAfter").asText()));
    }
    System.out.println();
    System.out.println(ratios.toPrettyString());
  }

  private static String describe(JsonNode run) {
    return String.format(
        "%s: %.1f s, %,.0f docs/s%s; %,d of %,d documents%s; load %s → %s",
        run.path("variant").asText(),
        run.path("millis").asLong() / 1e3,
        run.path("docsPerSecond").asDouble(),
        run.has("copyPhaseMillis")
            ? String.format(
                " (copy phase %.1f s, %,.0f docs/s)",
                run.path("copyPhaseMillis").asLong() / 1e3,
                run.path("copyPhaseDocsPerSecond").asDouble())
            : "",
        run.path("destinationCount").asLong(),
        run.path("documents").asLong(),
        run.path("countMatches").asBoolean() ? "" : " — DOCUMENTS LOST",
        first(run.path("loadBefore").asText()),
        first(run.path("loadAfter").asText()));
  }

  /** Waits, up to --settle seconds, for the 1-minute load to drop below --settle-load. */
  private static long settle() throws Exception {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(settleSeconds);
    while (Double.parseDouble(first(loadAverage())) >= settleLoad && System.nanoTime() < deadline) {
      Thread.sleep(5_000);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  private static String engine(URI cluster) throws Exception {
    JsonNode version = request(cluster, "GET", "/", null).path("version");
    return version.path("distribution").asText("elasticsearch")
        + " "
        + version.path("number").asText();
  }

  private static long count(URI cluster, String index) throws Exception {
    request(cluster, "POST", "/" + index + "/_refresh", null);
    return request(cluster, "GET", "/" + index + "/_count", null).path("count").asLong();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static String uptime() {
    try {
      Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return out;
    } catch (IOException | InterruptedException e) {
      return loadAverage();
    }
  }

  private static String first(String loadAverage) {
    return loadAverage.split(" ")[0];
  }

  private static double rate(long documents, long millis) {
    return millis <= 0 ? 0 : Math.round(documents * 1000.0 / millis);
  }

  private static double round(double ratio) {
    return Math.round(ratio * 1000) / 1000.0;
  }

  private static String value(String arg) {
    return arg.substring(arg.indexOf('=') + 1);
  }

  private static List<Integer> integers(String csv) {
    List<Integer> list = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        list.add(Integer.parseInt(s.trim()));
      }
    }
    return list;
  }

  private static JsonNode request(URI cluster, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(cluster.resolve(path)).timeout(Duration.ofMinutes(60));
    if (body != null) {
      request.header(
          "Content-Type", path.endsWith("_bulk") ? "application/x-ndjson" : "application/json");
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IOException(
          method + " " + path + ": " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
