package io.indexmigrator.local.sfn;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.local.aws.AwsClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Step Functions service: our ASL definitions run in {@code aws-local-stepfunctions} (a
 * Node process), behind the Step Functions JSON API, so an {@code SfnClient} with {@link
 * #endpoint()} as endpoint override works unchanged.
 *
 * <p>Supported operations: StartExecution, DescribeExecution, StopExecution, ListExecutions,
 * GetExecutionHistory, ListStateMachines, DescribeStateMachine. Task states call Lambda functions
 * (direct ARN integration) at the given Lambda endpoint. AWS's 25,000-events-per-execution and 256
 * KiB payload quotas are enforced. Finished executions are persisted in the state dir and survive a
 * restart; executions still running when the service stopped are reported as FAILED afterwards.
 * Which ASL features work is recorded in {@code docs/local-stepfunctions.md}.
 *
 * <p>The Node process is tied to this JVM: it exits on {@link #close()}, and also on its own when
 * this JVM dies.
 */
public final class LocalStepFunctions implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(LocalStepFunctions.class);

  private static final String DEFAULT_REGION = "us-east-1";
  private static final String DEFAULT_ACCOUNT = "000000000000";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  static final String LOG_FILE = "sfn-server.log";
  static final String PORT_FILE = "sfn-server.port";
  static final String CONFIG_FILE = "sfn-server.config.json";

  private final Process process;
  private final URI endpoint;
  private final Path stateDir;

  private LocalStepFunctions(Process process, URI endpoint, Path stateDir) {
    this.process = process;
    this.endpoint = endpoint;
    this.stateDir = stateDir;
  }

  /**
   * Starts the service and returns once it answers API calls.
   *
   * @param port port on 127.0.0.1, or 0 for any free port
   * @param stateMachines the state machines to serve; all must share one region and account (taken
   *     from their ARNs)
   * @param lambdaEndpoint where Task states invoke Lambda functions ({@code
   *     AWS_ENDPOINT_URL_LAMBDA})
   * @param stateDir execution records, the server's config and its log ({@value #LOG_FILE}); reuse
   *     it to keep execution history across restarts
   * @throws IllegalStateException if node is missing or too old, {@code npm ci} fails, a definition
   *     is invalid, or the service does not come up; the message carries the relevant output
   */
  public static LocalStepFunctions start(
      int port, List<StateMachineSpec> stateMachines, URI lambdaEndpoint, Path stateDir) {
    Objects.requireNonNull(stateMachines, "stateMachines");
    Objects.requireNonNull(lambdaEndpoint, "lambdaEndpoint");
    Objects.requireNonNull(stateDir, "stateDir");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535 (0 = any free port), got " + port);
    }
    long started = System.nanoTime();
    String region = common(stateMachines, StateMachineSpec::region, DEFAULT_REGION, "region");
    String account = common(stateMachines, StateMachineSpec::account, DEFAULT_ACCOUNT, "account");
    SfnServerProject project = SfnServerProject.prepare();
    try {
      Path dir = stateDir.toAbsolutePath();
      Files.createDirectories(dir);
      Path configFile = writeConfig(dir, port, region, account, stateMachines);
      Path portFile = dir.resolve(PORT_FILE);
      Files.deleteIfExists(portFile);
      Path logFile = dir.resolve(LOG_FILE);

      var builder =
          new ProcessBuilder(
                  project.node.toString(), project.serverScript().toString(), configFile.toString())
              .directory(project.dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      // stdin stays a pipe: the server exits when it closes, which also happens when this JVM dies.
      Map<String, String> env = builder.environment();
      // Never let the Node AWS SDK pick up real credentials or profiles from the developer's
      // environment.
      env.keySet().removeIf(key -> key.startsWith("AWS_"));
      env.put("AWS_ENDPOINT_URL_LAMBDA", lambdaEndpoint.toString());
      env.put("AWS_REGION", region);
      env.put("AWS_ACCESS_KEY_ID", AwsClients.ACCESS_KEY);
      env.put("AWS_SECRET_ACCESS_KEY", AwsClients.SECRET_KEY);
      env.put("AWS_EC2_METADATA_DISABLED", "true");
      // Step Functions does not retry a failed Lambda invoke behind the ASL's back; only Retry
      // clauses do.
      env.put("AWS_MAX_ATTEMPTS", "1");
      if (project.needsPolyfill()) {
        env.put("NODE_OPTIONS", "--require \"" + project.polyfill() + "\"");
      } else {
        env.remove("NODE_OPTIONS");
      }
      Process process = builder.start();
      LocalStepFunctions service;
      try {
        URI endpoint = URI.create("http://127.0.0.1:" + awaitPort(process, portFile, logFile));
        awaitAnswer(process, endpoint, logFile);
        service = new LocalStepFunctions(process, endpoint, dir);
      } catch (RuntimeException e) {
        stop(process);
        throw e;
      }
      LOGGER.info(
          "local Step Functions at {} ({} state machines, node {}) started in {} ms; log {}",
          service.endpoint,
          stateMachines.size(),
          project.nodeMajor,
          (System.nanoTime() - started) / 1_000_000,
          logFile);
      return service;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start local Step Functions in " + stateDir, e);
    }
  }

  /** The API endpoint, for {@code SfnClient.builder().endpointOverride(...)}. */
  public URI endpoint() {
    return endpoint;
  }

  /** Where executions, config and the server log live. */
  public Path stateDir() {
    return stateDir;
  }

  /** Stops the Node process (closing its stdin, then by signal if it does not exit promptly). */
  @Override
  public void close() {
    stop(process);
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    try {
      process.getOutputStream().close();
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String common(
      List<StateMachineSpec> specs,
      Function<StateMachineSpec, String> part,
      String fallback,
      String what) {
    List<String> values = specs.stream().map(part).distinct().toList();
    if (values.size() > 1) {
      throw new IllegalArgumentException(
          "all state machines must share one " + what + ", got " + values);
    }
    return values.isEmpty() ? fallback : values.get(0);
  }

  private static Path writeConfig(
      Path dir, int port, String region, String account, List<StateMachineSpec> specs)
      throws IOException {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("port", port);
    config.put("region", region);
    config.put("account", account);
    config.put("stateDir", dir.toString());
    config.put("parentPid", ProcessHandle.current().pid());
    config.put(
        "stateMachines",
        specs.stream()
            .map(
                s ->
                    Map.of(
                        "name", s.name(),
                        "arn", s.arn(),
                        "definition", s.definitionJson(),
                        "roleArn", s.roleArn()))
            .toList());
    Path file = dir.resolve(CONFIG_FILE);
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), config);
    return file;
  }

  private static int awaitPort(Process process, Path portFile, Path logFile) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "local Step Functions exited with code "
                + process.exitValue()
                + " during start; "
                + logFile
                + ":\n"
                + tail(logFile));
      }
      try {
        String text = Files.isRegularFile(portFile) ? Files.readString(portFile).strip() : "";
        if (!text.isEmpty()) {
          return Integer.parseInt(text);
        }
      } catch (IOException | NumberFormatException e) {
        // written but not yet complete: try again
      }
      sleep(50);
    }
    throw new IllegalStateException(
        "local Step Functions did not start listening within "
            + START_TIMEOUT.toSeconds()
            + " s; "
            + logFile
            + ":\n"
            + tail(logFile));
  }

  private static void awaitAnswer(Process process, URI endpoint, Path logFile) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .header("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
            .header("Content-Type", "application/x-amz-json-1.0")
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for local Step Functions", e);
      }
      sleep(50);
    }
    throw new IllegalStateException(
        "local Step Functions at "
            + endpoint
            + " does not answer ("
            + last
            + "); "
            + logFile
            + ":\n"
            + tail(logFile));
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting local Step Functions", e);
    }
  }
}
