package io.indexmigrator.cli;

import io.indexmigrator.cli.demo.DemoChanges;
import io.indexmigrator.cli.demo.SampleIndex;
import io.indexmigrator.events.ChangePublisher;
import io.indexmigrator.local.cluster.EngineVersion;
import io.indexmigrator.local.twin.TwinState;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code migrator demo}: the whole lifecycle on the local twin. A research-records index of 100k
 * generated documents sits behind the alias {@code records}; its keywords were mapped as text, so
 * they cannot be faceted. A recipe remaps them as keyword; init, run, status and rollover (checksum
 * verification) follow, and a terms aggregation through the alias shows the new mapping serving.
 */
@Command(
    name = "demo",
    description = "Run a full migration on the local twin (starts it if needed).")
final class DemoCommand implements Callable<Integer> {
  static final String RECIPE = "demo-records";
  static final String ALIAS = "records";
  static final String FIRST_INDEX = "records-v1";

  /**
   * The records' new mapping, in both demos: keywords, creators and resource_type become keyword
   * fields (facetable); titles keep full text and gain a keyword sub-field for sorting. Indented
   * for its place under {@code indexes[0].mappings.properties}.
   */
  static final String REMAPPED_PROPERTIES =
      """
      recid: {type: keyword}
      title: {type: text, fields: {raw: {type: keyword, ignore_above: 256}}}
      creators: {type: text, fields: {raw: {type: keyword}}}
      publication_year: {type: short}
      resource_type: {type: keyword}
      keywords: {type: keyword}
      doi: {type: keyword}
      downloads: {type: integer}"""
          .indent(8)
          .stripLeading();

  @Spec CommandSpec spec;

  @Option(
      names = "--docs",
      defaultValue = "100000",
      description = "Documents to generate (default: ${DEFAULT-VALUE}).")
  int docs;

  @Option(
      names = "--engine",
      defaultValue = "opensearch:2.19.6",
      description = "Engine of the twin's cluster if it has to be started.")
  String engine;

  @Option(
      names = "--source-engine",
      description =
          "Migrate between clusters instead: the records start on a second cluster running this"
              + " engine (e.g. elasticsearch:7.10.2) and move to the twin's cluster.")
  String sourceEngine;

  static final String UPGRADE_RECIPE = "demo-upgrade";
  static final String UPGRADE_DESTINATION = "records-os";

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (docs < 1) {
      throw new UserError("--docs must be at least 1");
    }
    if (sourceEngine != null) {
      return upgrade(out);
    }
    Path stateDir = ProjectHome.defaultStateDir();
    if (LocalCommand.running(stateDir).isEmpty()) {
      step(out, "starting the local twin");
      require(run("local", "up", "--engine", engine));
    }
    TwinState twin = LocalCommand.running(stateDir).orElseThrow();
    URI cluster = URI.create(twin.clusters().get("destination").url());
    SampleIndex app = new SampleIndex(cluster);

    step(out, "resetting what an earlier demo left");
    runQuietly("cancel", RECIPE, "--local");
    app.deleteBehindAlias(ALIAS);
    app.delete(FIRST_INDEX);

    step(
        out,
        "the application's index: "
            + docs
            + " records in "
            + FIRST_INDEX
            + " behind alias '"
            + ALIAS
            + "'");
    app.create(FIRST_INDEX, ALIAS);
    long loadMs = app.load(FIRST_INDEX, docs, 42);
    out.printf("  loaded %,d documents in %.1f s%n", docs, loadMs / 1000.0);
    var facet =
        app.post(
            "/" + ALIAS + "/_search",
            "{\"size\":0,\"aggs\":{\"k\":{\"terms\":{\"field\":\"keywords\"}}}}");
    out.println(
        "  faceting on keywords fails with the text mapping: "
            + facet.path("error").path("root_cause").path(0).path("type").asText("(no error?)"));

    Path recipe = stateDir.getParent().resolve("demo").resolve("records.yaml");
    Files.createDirectories(recipe.getParent());
    Files.writeString(
        recipe,
        """
        # Remap the records: keywords, creators and resource_type become keyword fields (facetable),
        # titles keep full text and gain a keyword sub-field for sorting.
        name: %s
        indexes:
          - source: %s
            mappings:
              properties:
                %s
        copy:
          slices: 4
          batchSize: 2000
        rollover:
          verify: checksum
        """
            .formatted(RECIPE, ALIAS, REMAPPED_PROPERTIES));
    out.println("  recipe: " + recipe);

    step(out, "migrator init " + RECIPE);
    require(run("init", RECIPE, "--file", recipe.toString(), "--local"));
    step(out, "migrator run " + RECIPE + " --wait");
    require(run("run", RECIPE, "--local", "--wait"));
    step(out, "migrator status " + RECIPE + " --json");
    require(run("status", RECIPE, "--local", "--json"));
    step(out, "migrator rollover " + RECIPE + " --verify checksum");
    int rollover = run("rollover", RECIPE, "--local", "--verify", "checksum");
    require(rollover);

    var after =
        app.post(
            "/" + ALIAS + "/_search",
            "{\"size\":0,\"track_total_hits\":true,\"aggs\":{\"k\":{\"terms\":{\"field\":\"keywords\",\"size\":3}}}}");
    step(
        out,
        "after rollover, alias '"
            + ALIAS
            + "' -> "
            + app.get("/_alias/" + ALIAS).fieldNames().next());
    out.println(
        "  top keywords through the alias: "
            + after.path("aggregations").path("k").path("buckets"));
    out.println("  hits: " + after.path("hits").path("total").path("value").asLong());
    out.println("\ndemo finished; stop the twin with: bin/migrator local down");
    return 0;
  }

  /**
   * The records on a second cluster (an older engine), copied into the twin's cluster by the reader
   * engine with the keyword remapping, while changes the application makes on the old cluster reach
   * the new one through events naming that cluster; then the two are compared document by document,
   * the rollover publishes the new endpoint, and the switch is committed.
   */
  private Integer upgrade(PrintWriter out) throws Exception {
    EngineVersion engineOfSource;
    try {
      engineOfSource = EngineVersion.parse(sourceEngine);
    } catch (IllegalArgumentException e) {
      throw new UserError("--source-engine: " + e.getMessage());
    }
    Path stateDir = ProjectHome.defaultStateDir();
    if (LocalCommand.running(stateDir).isEmpty()) {
      step(out, "starting the local twin with a second cluster (" + engineOfSource + ")");
      require(run("local", "up", "--engine", engine, "--source-engine", sourceEngine));
    }
    TwinState twin = LocalCommand.running(stateDir).orElseThrow();
    if (twin.clusters().get("source") == null) {
      throw new UserError(
          "the running twin has no second cluster; stop it with 'bin/migrator local down' and"
              + " run the demo again");
    }
    SampleIndex old = new SampleIndex(URI.create(twin.clusters().get("source").url()));
    SampleIndex fresh = new SampleIndex(URI.create(twin.clusters().get("destination").url()));

    step(out, "resetting what an earlier demo left");
    // An earlier demo stopped between rollover and commit left the old cluster frozen.
    runQuietly("rollback", UPGRADE_RECIPE, "--local");
    runQuietly("cancel", UPGRADE_RECIPE, "--local");
    old.deleteBehindAlias(ALIAS);
    old.delete(FIRST_INDEX);
    fresh.delete(UPGRADE_DESTINATION);

    step(
        out,
        "the application's index on the old cluster ("
            + old.get("/").path("version").path("number").asText()
            + "): "
            + docs
            + " records in "
            + FIRST_INDEX
            + " behind alias '"
            + ALIAS
            + "'");
    old.create(FIRST_INDEX, ALIAS);
    long loadMs = old.load(FIRST_INDEX, docs, 42);
    out.printf("  loaded %,d documents in %.1f s%n", docs, loadMs / 1000.0);

    Path recipe = stateDir.getParent().resolve("demo").resolve("upgrade.yaml");
    Files.createDirectories(recipe.getParent());
    Files.writeString(
        recipe,
        """
        # Move the records to the new cluster, remapping keywords as keyword fields on the way.
        name: %s
        source: {cluster: source}
        indexes:
          - source: %s
            destination: %s
            mappings:
              properties:
                %s
        copy:
          batchSize: 2000
        sync:
          mode: events
        """
            .formatted(UPGRADE_RECIPE, ALIAS, UPGRADE_DESTINATION, REMAPPED_PROPERTIES));
    out.println("  recipe: " + recipe);

    step(out, "migrator init " + UPGRADE_RECIPE);
    require(run("init", UPGRADE_RECIPE, "--file", recipe.toString(), "--local"));
    step(
        out,
        "migrator run " + UPGRADE_RECIPE + " --wait   (the reader engine, one item per shard)");
    require(run("run", UPGRADE_RECIPE, "--local", "--wait"));

    Deployment.Options local = new Deployment.Options();
    local.local = true;
    Deployment deployment = local.resolve();
    int changes;
    try (var sqs = deployment.sqs()) {
      ChangePublisher publisher =
          ChangePublisher.builder(sqs, deployment.queueUrl("SyncQueue")).cluster("source").build();
      step(out, "the application keeps writing to the old cluster, publishing change events");
      changes = new DemoChanges(old, publisher, 7).apply(ALIAS, docs, 1_000);
      out.printf(
          "  %,d updates and deletes through alias '%s', each event naming cluster 'source'%n",
          changes, ALIAS);
    }

    step(out, "waiting for the sync to apply them on the new cluster");
    long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
    java.util.List<String> differences;
    do {
      Thread.sleep(1_000);
      differences = DemoChanges.differences(old, FIRST_INDEX, fresh, UPGRADE_DESTINATION);
    } while (!differences.isEmpty() && System.nanoTime() < deadline);
    if (!differences.isEmpty()) {
      out.println(
          "  still different after 2 minutes: "
              + differences.subList(0, Math.min(5, differences.size())));
      require(1);
    }
    out.printf(
        "  the new cluster holds exactly the old one's %,d documents (ids, versions, sources)%n",
        old.get("/" + FIRST_INDEX + "/_count").path("count").asLong());

    step(out, "migrator status " + UPGRADE_RECIPE);
    require(run("status", UPGRADE_RECIPE, "--local"));
    var facet =
        fresh.post(
            "/" + UPGRADE_DESTINATION + "/_search",
            "{\"size\":0,\"aggs\":{\"k\":{\"terms\":{\"field\":\"keywords\",\"size\":3}}}}");
    out.println(
        "  top keywords on the new cluster: "
            + facet.path("aggregations").path("k").path("buckets"));

    step(
        out,
        "migrator rollover "
            + UPGRADE_RECIPE
            + "   (block the old cluster, prove equal, create the aliases on the new one, publish"
            + " the new endpoint)");
    require(run("rollover", UPGRADE_RECIPE, "--local"));
    var refused =
        old.post("/" + ALIAS + "/_doc/after-switch?refresh=true", "{\"title\":\"too late\"}");
    out.println(
        "  a write to the old cluster now: "
            + refused.path("error").path("type").asText("accepted")
            + " (status "
            + refused.path("status").asText("200")
            + "): it stays frozen as the rollback point");
    out.println(
        "  on the new cluster, alias '"
            + ALIAS
            + "' -> "
            + fresh.get("/_alias/" + ALIAS).fieldNames().next()
            + ", "
            + fresh.get("/" + ALIAS + "/_count").path("count").asLong()
            + " documents through it");
    java.nio.file.Path events = stateDir.resolve("events.jsonl");
    if (Files.exists(events)) {
      var lines = Files.readAllLines(events);
      out.println("  the last event published (" + events + "):");
      out.println("  " + lines.get(lines.size() - 1));
    }
    step(out, "migrator status " + UPGRADE_RECIPE);
    require(run("status", UPGRADE_RECIPE, "--local"));

    step(
        out, "migrator commit " + UPGRADE_RECIPE + "   (keep the switch, release the old cluster)");
    require(run("commit", UPGRADE_RECIPE, "--local"));
    out.println(
        "\nThe application now uses the new cluster; before commit, 'bin/migrator rollback "
            + UPGRADE_RECIPE
            + " --local' would have published the old one again.");
    out.println("demo finished; stop the twin with: bin/migrator local down");
    return 0;
  }

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(spec.commandLine().getOut());
    cli.setErr(spec.commandLine().getErr());
    return cli.execute(args);
  }

  /** For clean-up steps whose failure (nothing to clean) is expected. */
  private void runQuietly(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(java.io.Writer.nullWriter()));
    cli.setErr(new PrintWriter(java.io.Writer.nullWriter()));
    cli.execute(args);
  }

  private static void require(int exitCode) {
    if (exitCode != 0) {
      throw new UserError("demo stopped: the step above failed (exit " + exitCode + ")");
    }
  }

  private static void step(PrintWriter out, String text) {
    out.println();
    out.println("== " + text);
    out.flush();
  }
}
