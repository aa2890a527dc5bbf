package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.cli.demo.SampleRecords;
import io.indexmigrator.core.state.SliceRecord;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark (not a test): the product's in-cluster copy against the engine's own {@code
 * _reindex?slices=auto} on the same source index, on the local twin. Run with {@code
 * bench/run-copy.sh [documents...]}; prints the ratios and writes bench/results/copy-*.json.
 *
 * <p>Per size: a 4-shard source is loaded once; then raw and product runs alternate (raw first),
 * each into a fresh destination that is deleted afterwards. Raw = one {@code POST
 * _reindex?slices=auto&wait_for_completion=true} into a destination created with the source's
 * mappings, 4 shards, no replicas and no refreshes (what the product gives its destination during
 * the copy), timed by the client. Product = {@code init} + {@code run --wait} through the CLI, as a
 * user runs them, in this JVM (so without the CLI's JVM start, which is the same for any size).
 * Copy phase = from the start of the first of the product's reindex tasks to the end of the last,
 * as the engine's task results record them; the raw task's own {@code took} is its counterpart.
 */
public final class CopyBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SHARDS = 4;
  private static final int BULK = 2000;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static URI cluster;

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

  /** Extra plain raw copies with these {@code source.size} values ({@code --raw-sizes=}). */
  private static final List<Integer> RAW_SIZES = new ArrayList<>();

  /** The product's recipe {@code copy.batchSize} ({@code --product-batch=}); 0: its default. */
  private static int productBatch;

  private static void run(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    int repeats = 1;
    for (String arg : args) {
      if (arg.startsWith("--repeats=")) {
        repeats = Integer.parseInt(arg.substring("--repeats=".length()));
      } else if (arg.startsWith("--product-batch=")) {
        productBatch = Integer.parseInt(arg.substring("--product-batch=".length()));
      } else if (arg.startsWith("--raw-sizes=")) {
        for (String n : arg.substring("--raw-sizes=".length()).split(",")) {
          RAW_SIZES.add(Integer.parseInt(n.trim()));
        }
      } else {
        sizes.add(Integer.parseInt(arg.replace("_", "")));
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(40_000, 100_000, 1_000_000, 5_000_000);
    }
    TwinFixture twin = TwinFixture.get();
    cluster = twin.clusterUrl;
    String stamp = String.valueOf(Instant.now().getEpochSecond());
    ArrayNode results = JSON.createArrayNode();
    // The first migration of a twin meets cold Lambda environments (a child JVM per function, as
    // a Lambda cold start): measured once on its own, so the sizes compare warm runs.
    List<Integer> runs = new ArrayList<>();
    runs.add(-10_000);
    runs.addAll(sizes);
    for (int run : runs) {
      boolean cold = run < 0;
      int size = Math.abs(run);
      String source = "copybench-" + stamp + "-" + (cold ? "cold" : size);
      System.out.printf("%,d documents: loading %s ...%n", size, source);
      long loadMillis = load(source, size);
      System.out.printf("  loaded in %.1f s; load average %s%n", loadMillis / 1e3, load());
      for (int repeat = 0; repeat < (cold ? 1 : repeats); repeat++) {
        ObjectNode result = results.addObject();
        result.put("documents", size);
        result.put("coldStart", cold);
        result.put("shards", SHARDS);
        result.put("repeat", repeat);
        result.put("loadAverageBefore", load());
        raw(source, size, result, repeat);
        product(twin, source, size, stamp + (cold ? "c" : "r") + repeat, result);
        result.put("loadAverageAfter", load());
        double endToEnd =
            result.get("rawMillis").asDouble() / result.get("productMillis").asDouble();
        double copyPhase =
            result.get("rawTookMillis").asDouble() / result.get("copyPhaseMillis").asDouble();
        result.put("endToEndRatio", round(endToEnd));
        result.put(
            "endToEndRatioAgainstRawWithRefresh",
            round(
                (result.get("rawMillis").asDouble() + result.get("rawRefreshMillis").asDouble())
                    / result.get("productMillis").asDouble()));
        result.put("copyPhaseRatio", round(copyPhase));
        result.put(
            "productOverheadMillis",
            result.get("productMillis").asLong() - result.get("rawMillis").asLong());
        System.out.printf(
            "  raw with the product's request body: %.2f s; with external versions only: %.2f s"
                + " (order %s)%n",
            result.get("rawAsProductMillis").asLong() / 1e3,
            result.get("rawExternalOnlyMillis").asLong() / 1e3,
            result.get("rawOrder"));
        System.out.printf(
            (cold ? "  cold start: " : "  ")
                + "raw %.2f s (took %.2f s, then refresh %.2f s) | product %.2f s (init %.2f s, run %.2f s, copy phase %.2f"
                + " s) | end to end %.2fx, copy phase %.2fx, overhead %+.2f s%n",
            result.get("rawMillis").asLong() / 1e3,
            result.get("rawTookMillis").asLong() / 1e3,
            result.get("rawRefreshMillis").asLong() / 1e3,
            result.get("productMillis").asLong() / 1e3,
            result.get("initMillis").asLong() / 1e3,
            result.get("runMillis").asLong() / 1e3,
            result.get("copyPhaseMillis").asLong() / 1e3,
            endToEnd,
            copyPhase,
            result.get("productOverheadMillis").asLong() / 1e3);
      }
      request("DELETE", "/" + source, null);
    }
    ObjectNode summary = JSON.createObjectNode();
    summary.put("date", Instant.now().toString());
    summary.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
    summary.put("engine", TwinFixture.ENGINE.distribution() + " " + TwinFixture.ENGINE.version());
    summary.set("runs", results);
    String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary);
    System.out.println(json);
    Path out = Path.of("..", "bench", "results", "copy-" + stamp + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, json + "\n");
    System.out.println("written to " + out.toAbsolutePath().normalize());
  }

  private static void raw(String source, int size, ObjectNode result, int repeat) throws Exception {
    // The same copy with the body the product sends, and with only its external versions, to
    // tell the request's cost from the orchestration's and to find which field costs. The order
    // turns with each repeat, so that background merges after the load or after the previous
    // copy do not always fall on the same variant.
    List<String> order = new ArrayList<>(List.of("plain", "product", "external"));
    for (int n : RAW_SIZES) {
      order.add("size:" + n);
    }
    Collections.rotate(order, -repeat);
    ArrayNode ran = result.putArray("rawOrder");
    for (String variant : order) {
      ran.add(variant);
      if (variant.startsWith("size:")) {
        // Plain, with a scroll batch other than the engine's default of 1000.
        int n = Integer.parseInt(variant.substring("size:".length()));
        ObjectNode sized = JSON.createObjectNode();
        raw(source, size, sized, Body.PLAIN, n);
        result.put("rawSize" + n + "Millis", sized.get("rawMillis").asLong());
        result.put("rawSize" + n + "TookMillis", sized.get("rawTookMillis").asLong());
        continue;
      }
      switch (variant) {
        case "plain" -> raw(source, size, result, Body.PLAIN);
        case "product" -> {
          ObjectNode asProduct = JSON.createObjectNode();
          raw(source, size, asProduct, Body.PRODUCT);
          result.put("rawAsProductMillis", asProduct.get("rawMillis").asLong());
          result.put("rawAsProductTookMillis", asProduct.get("rawTookMillis").asLong());
        }
        default -> {
          ObjectNode external = JSON.createObjectNode();
          raw(source, size, external, Body.EXTERNAL_ONLY);
          result.put("rawExternalOnlyMillis", external.get("rawMillis").asLong());
          result.put("rawExternalOnlyTookMillis", external.get("rawTookMillis").asLong());
        }
      }
    }
  }

  /** The request bodies compared. */
  private enum Body {
    /** {@code _reindex?slices=auto} with nothing but the indexes. */
    PLAIN,
    /**
     * What the product sends: slices=shards, conflicts proceed, size 1000, external versions,
     * refresh as the task ends.
     */
    PRODUCT,
    /** PLAIN plus {@code dest.version_type: external}. */
    EXTERNAL_ONLY
  }

  private static void raw(String source, int size, ObjectNode result, Body variant)
      throws Exception {
    raw(source, size, result, variant, 0);
  }

  private static void raw(String source, int size, ObjectNode result, Body variant, int sourceSize)
      throws Exception {
    boolean asProduct = variant == Body.PRODUCT;
    String destination =
        source + "-raw-" + variant.name().toLowerCase() + (sourceSize > 0 ? "-" + sourceSize : "");
    JsonNode mappings =
        request("GET", "/" + source + "/_mapping", null).path(source).path("mappings");
    ObjectNode body = JSON.createObjectNode();
    body.putObject("settings")
        .putObject("index")
        .put("number_of_shards", SHARDS)
        .put("number_of_replicas", 0)
        .put("refresh_interval", "-1");
    body.set("mappings", mappings);
    request("PUT", "/" + destination, body.toString());
    ObjectNode reindex = JSON.createObjectNode();
    reindex.putObject("source").put("index", source);
    reindex.putObject("dest").put("index", destination);
    if (variant == Body.EXTERNAL_ONLY) {
      ((ObjectNode) reindex.get("dest")).put("version_type", "external");
    }
    if (sourceSize > 0) {
      ((ObjectNode) reindex.get("source")).put("size", sourceSize);
    }
    if (asProduct) {
      reindex.put("conflicts", "proceed");
      ((ObjectNode) reindex.get("source")).put("size", 1000);
      ((ObjectNode) reindex.get("dest")).put("version_type", "external");
    }
    long started = System.nanoTime();
    JsonNode response =
        request(
            "POST",
            asProduct
                ? "/_reindex?slices=" + SHARDS + "&wait_for_completion=true&refresh=true"
                : "/_reindex?slices=auto&wait_for_completion=true&refresh=false",
            reindex.toString());
    long millis = (System.nanoTime() - started) / 1_000_000;
    long created = response.path("created").asLong();
    if (created != size) {
      throw new IllegalStateException(
          "raw reindex created " + created + " of " + size + ": " + response);
    }
    result.put("rawMillis", millis);
    result.put("rawTookMillis", response.path("took").asLong());
    // The product hands over a searchable destination (it refreshes after the copy); the raw
    // copy's documents are searchable after this refresh.
    long refreshStarted = System.nanoTime();
    request("POST", "/" + destination + "/_refresh", null);
    result.put("rawRefreshMillis", (System.nanoTime() - refreshStarted) / 1_000_000);
    request("DELETE", "/" + destination, null);
  }

  private static void product(
      TwinFixture twin, String source, int size, String tag, ObjectNode result) throws Exception {
    String recipeName = "copybench-" + tag + "-" + size;
    String destination = source + "-v2";
    Path recipe =
        twin.writeRecipe(
            recipeName + ".yaml",
            """
            name: %s
            indexes: [{source: %s, destination: %s}]
            """
                    .formatted(recipeName, source, destination)
                + (productBatch > 0 ? "copy: {batchSize: " + productBatch + "}\n" : ""));
    long started = System.nanoTime();
    twin.cli("init", recipeName, "--file", recipe.toString()).require();
    long initialized = System.nanoTime();
    twin.cli("run", recipeName, "--wait").require();
    long finished = System.nanoTime();
    long count = count(destination);
    if (count != size) {
      throw new IllegalStateException("the product copied " + count + " of " + size);
    }
    if (productBatch > 0) {
      result.put("productBatchSize", productBatch);
    }
    result.put("initMillis", (initialized - started) / 1_000_000);
    result.put("runMillis", (finished - initialized) / 1_000_000);
    result.put("productMillis", (finished - started) / 1_000_000);

    // The copy phase as the engine saw it: first task start to last task end.
    Set<String> tasks = new HashSet<>();
    try (var dynamo = twin.dynamo()) {
      var store = twin.store(dynamo);
      var ref = store.getRecipe(recipeName).orElseThrow().ref();
      for (SliceRecord slice : store.listSlices(ref)) {
        tasks.add(slice.taskId());
      }
    }
    long firstStart = Long.MAX_VALUE;
    long lastEnd = 0;
    for (String task : tasks) {
      JsonNode t = request("GET", "/_tasks/" + task, null).path("task");
      long start = t.path("start_time_in_millis").asLong();
      long end = start + t.path("running_time_in_nanos").asLong() / 1_000_000;
      firstStart = Math.min(firstStart, start);
      lastEnd = Math.max(lastEnd, end);
    }
    result.put("productTasks", tasks.size());
    result.put("copyPhaseMillis", lastEnd - firstStart);
    long epochStart = System.currentTimeMillis() - (System.nanoTime() - started) / 1_000_000;
    ArrayNode timeline = result.putArray("timeline");
    timeline.add(event(0, "init started"));
    timeline.add(event((initialized - started) / 1_000_000, "init returned, run started"));
    timeline.add(event(firstStart - epochStart, "first reindex task started (engine)"));
    timeline.add(event(lastEnd - epochStart, "last reindex task ended (engine)"));
    stateTimeline(twin, recipeName, epochStart, timeline);
    timeline.add(event((finished - started) / 1_000_000, "run --wait returned"));
    request("DELETE", "/" + destination, null);
  }

  private static ObjectNode event(long atMillis, String what) {
    return JSON.createObjectNode().put("atMillis", atMillis).put("event", what);
  }

  /** When each state of the recipe's executions was entered, from the Step Functions history. */
  private static void stateTimeline(
      TwinFixture twin, String recipeName, long epochStart, ArrayNode timeline) {
    try (var sfn = twin.sfn()) {
      String machine = twin.state.stateMachines().get("MigrationStateMachine");
      var executions =
          sfn.listExecutions(r -> r.stateMachineArn(machine).maxResults(100)).executions().stream()
              .filter(e -> e.name().startsWith(recipeName + "-"))
              .toList();
      for (var execution : executions) {
        for (var e :
            sfn.getExecutionHistory(r -> r.executionArn(execution.executionArn()).maxResults(1000))
                .events()) {
          if (e.stateEnteredEventDetails() != null) {
            timeline.add(
                event(
                    e.timestamp().toEpochMilli() - epochStart,
                    execution.name().replace(recipeName, "")
                        + " "
                        + e.stateEnteredEventDetails().name()));
          }
        }
      }
    } catch (RuntimeException e) {
      timeline.add(event(-1, "no state history: " + e.getMessage()));
    }
    List<JsonNode> sorted = new ArrayList<>();
    timeline.forEach(sorted::add);
    sorted.sort(java.util.Comparator.comparingLong(n -> n.path("atMillis").asLong()));
    timeline.removeAll();
    sorted.forEach(timeline::add);
  }

  /** Creates a 4-shard index with the demo's mapping and bulk-loads {@code count} records. */
  private static long load(String index, int count) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("settings")
        .putObject("index")
        .put("number_of_shards", SHARDS)
        .put("number_of_replicas", 0)
        .put("refresh_interval", "-1");
    JsonNode demo =
        JSON.readTree(
            io.indexmigrator.cli.demo.SampleIndex.FIRST_MAPPING.formatted(index + "-alias"));
    body.set("mappings", demo.path("mappings"));
    request("PUT", "/" + index, body.toString());
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
                JsonNode response = request("POST", "/" + index + "/_bulk", ndjson.toString());
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
    request("PUT", "/" + index + "/_settings", "{\"index\":{\"refresh_interval\":null}}");
    request("POST", "/" + index + "/_refresh", null);
    request("POST", "/" + index + "/_flush", null);
    if (count(index) != count) {
      throw new IllegalStateException("loaded " + count(index) + " of " + count);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  private static long count(String index) throws Exception {
    request("POST", "/" + index + "/_refresh", null);
    return request("GET", "/" + index + "/_count", null).path("count").asLong();
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static double round(double ratio) {
    return Math.round(ratio * 1000) / 1000.0;
  }

  private static JsonNode request(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(cluster.resolve(path)).timeout(Duration.ofMinutes(30));
    if (body != null) {
      request.header("Content-Type", "application/json");
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
