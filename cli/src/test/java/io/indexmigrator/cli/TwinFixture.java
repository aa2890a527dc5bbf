package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.indexmigrator.cli.demo.SampleIndex;
import io.indexmigrator.core.state.DynamoStateStore;
import io.indexmigrator.local.aws.AwsClients;
import io.indexmigrator.local.cluster.EngineVersion;
import io.indexmigrator.local.twin.LocalTwin;
import io.indexmigrator.local.twin.TwinOptions;
import io.indexmigrator.local.twin.TwinState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One local twin (real OpenSearch 2.19.6, DynamoDB Local, ElasticMQ, the Lambda host running the
 * built functions jar, the ASL in aws-local-stepfunctions) shared by every IT of this module, and
 * the CLI pointed at it exactly as a user runs it with {@code --local}.
 */
final class TwinFixture {
  private static TwinFixture shared;

  final Path stateDir;
  final LocalTwin twin;
  final TwinState state;
  final SampleIndex cluster;
  final URI clusterUrl;

  /** Between the functions and the cluster: a test may fail or hold one request there. */
  FaultProxy proxy;

  /**
   * The engine the twin's cluster runs: OpenSearch 2.19.6 unless {@code -Dmigrator.it.engine} names
   * another (e.g. {@code opensearch:3}, {@code elasticsearch:7.10.2}), so the same ITs can be run
   * against every supported engine.
   */
  static final EngineVersion ENGINE =
      EngineVersion.parse(System.getProperty("migrator.it.engine", "opensearch:2.19.6"));

  /** The twin's second cluster ({@code --source-engine}), or null when it has none. */
  final SampleIndex sourceCluster;

  private TwinFixture(Optional<EngineVersion> sourceEngine, boolean faultProxy) throws IOException {
    stateDir = Files.createTempDirectory("migrator-it-twin");
    Path home = Path.of("..").toAbsolutePath().normalize();
    System.setProperty("migrator.home", home.toString());
    twin =
        LocalTwin.start(
            new TwinOptions(
                stateDir,
                home.resolve("template.yaml"),
                ENGINE,
                sourceEngine,
                TwinOptions.DEFAULT_STACK,
                cluster -> {
                  if (!faultProxy) {
                    return cluster;
                  }
                  try {
                    proxy = new FaultProxy(cluster);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                  return proxy.uri();
                }));
    System.out.println("twin cluster: " + ENGINE.distribution() + " " + ENGINE.version());
    state = twin.state();
    state.write(stateDir);
    clusterUrl = URI.create(state.clusters().get("destination").url());
    cluster = new SampleIndex(clusterUrl);
    var source = state.clusters().get("source");
    sourceCluster = source == null ? null : new SampleIndex(URI.create(source.url()));
    Runtime.getRuntime().addShutdownHook(new Thread(twin::close));
  }

  private static final java.util.concurrent.atomic.AtomicInteger ATTEMPTS =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * A recipe/index name of its own per attempt: a rerun of a failed test must not meet the indexes
   * and state its first attempt left on the shared twin.
   */
  static String fresh(String base) {
    return base + "-" + ATTEMPTS.incrementAndGet();
  }

  static synchronized TwinFixture get() throws IOException {
    if (shared == null) {
      shared = new TwinFixture(Optional.empty(), true);
    }
    return shared;
  }

  /**
   * A twin of its own with a second cluster, as {@code migrator local up --source-engine} starts
   * it; the caller closes it.
   */
  static TwinFixture withSource(EngineVersion sourceEngine) throws IOException {
    return new TwinFixture(Optional.of(sourceEngine), true);
  }

  /**
   * The same, with the functions reaching the destination directly, as on {@code migrator local
   * up}: no {@link #proxy} (it stays null) between them and the cluster. For benchmarks, where the
   * proxy would carry every bulk request of a reader copy through this JVM.
   */
  static TwinFixture withSourceUnproxied(EngineVersion sourceEngine) throws IOException {
    return new TwinFixture(Optional.of(sourceEngine), false);
  }

  void close() {
    twin.close();
  }

  /** What a CLI run printed and returned. */
  record Run(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }

    /** This run, if it exited 0; else what it printed, as the failure. */
    Run require() {
      if (exitCode != 0) {
        throw new IllegalStateException(all());
      }
      return this;
    }
  }

  /** Runs the CLI against this twin, as {@code bin/migrator <args> --local}. */
  Run cli(String... args) {
    List<String> full = new ArrayList<>(List.of(args));
    if (!List.of("local").contains(args[0])) {
      full.add("--local");
      full.add("--state-dir");
      full.add(stateDir.toString());
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(full.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  DynamoStateStore store(DynamoDbClient dynamo) {
    return new DynamoStateStore(dynamo, state.tables().get("StateTable"));
  }

  DynamoDbClient dynamo() {
    return AwsClients.dynamo(state.endpoint("dynamodb"), state.region());
  }

  SfnClient sfn() {
    return AwsClients.sfn(state.endpoint("stepfunctions"), state.region());
  }

  SqsClient sqs() {
    return AwsClients.sqs(state.endpoint("sqs"), state.region());
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    return cluster.get(path);
  }

  long count(String index) throws IOException, InterruptedException {
    cluster.post("/" + index + "/_refresh", null);
    return get("/" + index + "/_count").path("count").asLong();
  }

  /** Names of all indexes that are not hidden system indexes. */
  List<String> indexNames() throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    get("/_cat/indices?format=json&h=index")
        .forEach(
            i -> {
              String name = i.path("index").asText();
              if (!name.startsWith(".")) {
                names.add(name);
              }
            });
    names.sort(null);
    return names;
  }

  Path writeRecipe(String fileName, String yaml) throws IOException {
    Path file = stateDir.resolve("recipes").resolve(fileName);
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }
}
