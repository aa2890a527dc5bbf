package io.indexmigrator.cli;

import io.indexmigrator.cli.demo.SampleIndex;
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

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (docs < 1) {
      throw new UserError("--docs must be at least 1");
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
                recid: {type: keyword}
                title: {type: text, fields: {raw: {type: keyword, ignore_above: 256}}}
                creators: {type: text, fields: {raw: {type: keyword}}}
                publication_year: {type: short}
                resource_type: {type: keyword}
                keywords: {type: keyword}
                doi: {type: keyword}
                downloads: {type: integer}
        copy:
          slices: 4
          batchSize: 2000
        rollover:
          verify: checksum
        """
            .formatted(RECIPE, ALIAS));
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
