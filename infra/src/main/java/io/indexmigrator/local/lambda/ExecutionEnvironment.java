package io.indexmigrator.local.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.indexmigrator.local.aws.AwsClients;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution environment: a child JVM running the AWS runtime interface client, fed through its
 * own Lambda Runtime API endpoint. It serves one invocation at a time and stays warm between
 * invocations, like a Lambda sandbox.
 *
 * <p>An environment that timed out, crashed or failed to initialise is never reused; the pool
 * replaces it with a fresh one, as Lambda does.
 */
final class ExecutionEnvironment implements AutoCloseable {

  /**
   * How long a cold JVM may take to ask for its first invocation. Lambda allows 10 s for init; a
   * local machine shared with clusters and builds needs more slack, and a slow start is not the
   * function's fault.
   */
  static final Duration INIT_TIMEOUT = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(ExecutionEnvironment.class);
  private static final String RUNTIME_API = "/2018-06-01/runtime";
  private static final String ENTRY_POINT = "io.indexmigrator.local.lambda.child.EnvironmentMain";
  private static final int MAX_HEAP_MB = 512;

  private final FunctionSpec spec;
  private final String functionArn;
  private final String id;
  private final HttpServer runtimeApi;
  private final Process process;
  private final EnvironmentLog log;
  private final BlockingQueue<Invocation> inbox = new LinkedBlockingQueue<>();
  private final AtomicLong delivered = new AtomicLong();
  private volatile Invocation assigned;
  private volatile boolean diedWhileIdle;
  private final long launchedAt = System.currentTimeMillis();
  private volatile long initDurationMs = -1;
  private volatile boolean broken;
  private volatile boolean closed;

  private ExecutionEnvironment(
      FunctionSpec spec,
      String functionArn,
      String id,
      HttpServer runtimeApi,
      Process process,
      EnvironmentLog log) {
    this.spec = spec;
    this.functionArn = functionArn;
    this.id = id;
    this.runtimeApi = runtimeApi;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the Runtime API endpoint and the child JVM. Returns at once; the JVM initialises while
   * the first invocation waits for it.
   */
  static ExecutionEnvironment launch(
      FunctionSpec spec,
      String functionArn,
      String region,
      String id,
      ManagedRuntime runtime,
      Path functionDir)
      throws IOException {
    Path taskRoot = Files.createDirectories(functionDir.resolve(id));
    EnvironmentLog log = EnvironmentLog.create(functionDir.resolve(id + ".log"));
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    String runtimeApiAddress = "127.0.0.1:" + server.getAddress().getPort();

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + Math.min(spec.memoryMb(), MAX_HEAP_MB) + "m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:-UsePerfData");
    command.add("-Xshare:auto");
    command.add("-Djava.net.preferIPv4Stack=true");
    // Lambda's Java runtimes open java.io to the runtime client (it wraps stdout/stderr).
    command.add("--add-opens=java.base/java.io=ALL-UNNAMED");
    // The runtime client loads its JNI library from the class path (unnamed module).
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-D" + ManagedRuntime.NATIVE_CLIENT_PROPERTY + "=" + runtime.nativeClient());
    command.add("-cp");
    List<String> classpath = new ArrayList<>();
    runtime.classpath().forEach(p -> classpath.add(p.toString()));
    spec.classpath().forEach(p -> classpath.add(p.toAbsolutePath().toString()));
    command.add(String.join(File.pathSeparator, classpath));
    command.add(ENTRY_POINT);
    command.add(spec.handler());

    ProcessBuilder builder = new ProcessBuilder(command).directory(taskRoot.toFile());
    builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()));
    Map<String, String> env = builder.environment();
    String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.clear();
    env.putAll(lambdaEnvironment(spec, region, id, taskRoot, runtimeApiAddress));
    env.put("PATH", path);

    ExecutionEnvironment environment;
    try {
      Process process = builder.start();
      environment = new ExecutionEnvironment(spec, functionArn, id, server, process, log);
    } catch (IOException e) {
      server.stop(0);
      throw new IOException("Cannot start an execution environment for " + spec.name(), e);
    }
    server.createContext(RUNTIME_API + "/", environment::handleRuntimeApi);
    server.start();
    environment.process.onExit().thenRun(environment::onProcessExit);
    LOG.debug("Started environment {} (pid {})", id, environment.process.pid());
    return environment;
  }

  /** The environment Lambda gives a function: the function's variables plus the reserved ones. */
  static Map<String, String> lambdaEnvironment(
      FunctionSpec spec, String region, String id, Path taskRoot, String runtimeApiAddress) {
    Map<String, String> env = new LinkedHashMap<>();
    // Credentials are the only reserved names a function may bring itself (the twin passes its
    // own).
    env.put("AWS_ACCESS_KEY_ID", AwsClients.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", AwsClients.SECRET_KEY);
    env.put("AWS_SESSION_TOKEN", "local");
    env.putAll(spec.environment());
    env.put("LANG", "en_US.UTF-8");
    env.put("TZ", ":UTC");
    env.put("_HANDLER", spec.handler());
    env.put("AWS_REGION", region);
    env.put("AWS_DEFAULT_REGION", region);
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
    env.put("AWS_LAMBDA_FUNCTION_NAME", spec.name());
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + spec.name());
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", id);
    env.put("AWS_LAMBDA_RUNTIME_API", runtimeApiAddress);
    env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
    return env;
  }

  String id() {
    return id;
  }

  Path logFile() {
    return log.file();
  }

  long pid() {
    return process.pid();
  }

  /**
   * Whether the environment died between invocations, before the last one reached the runtime: for
   * example after a fatal error (OutOfMemoryError) the runtime client reports it and then exits.
   * That invocation never ran, so it deserves a fresh environment rather than this environment's
   * crash.
   */
  boolean diedWhileIdle() {
    return diedWhileIdle;
  }

  /** Whether the pool may hand this environment another invocation. */
  boolean reusable() {
    return !broken && !closed && process.isAlive();
  }

  /**
   * Runs one invocation and waits for its outcome. Timeouts, crashes and init failures come back as
   * results shaped like Lambda's, never as exceptions; the environment is then unusable.
   */
  InvocationResult invoke(String requestId, byte[] payload) throws InterruptedException {
    Invocation invocation = new Invocation(requestId, payload);
    assigned = invocation;
    if (!process.isAlive()) {
      onProcessExit();
      return invocation.result.join();
    }
    long logStart = log.mark();
    inbox.add(invocation);
    try {
      CompletableFuture.anyOf(invocation.deliveredAt, invocation.result)
          .get(INIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!invocation.result.isDone()) {
        long remaining = invocation.deliveredAt.join() + spec.timeout().toMillis() - now();
        invocation.result.get(Math.max(remaining, 0), TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      Duration limit = invocation.deliveredAt.isDone() ? spec.timeout() : INIT_TIMEOUT;
      invocation.result.complete(
          InvocationResult.platformError(
              requestId,
              "Sandbox.Timedout",
              String.format(
                  Locale.ROOT,
                  "%s Task timed out after %.2f seconds",
                  requestId,
                  limit.toMillis() / 1000.0)));
      broken = true;
      kill();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Invocation futures are completed, never failed", e);
    }
    InvocationResult result = invocation.result.join();
    assigned = null;
    if (invocation.deliveredAt.isDone()) {
      writeReport(invocation, result);
    }
    return result.withLogTail(log.tail(logStart));
  }

  private void onProcessExit() {
    broken = true;
    Invocation invocation = assigned;
    // Also when the host closes the environment: a caller still waiting must get an answer.
    if (invocation != null) {
      diedWhileIdle = !invocation.deliveredAt.isDone() && delivered.get() > 0;
      int status = process.exitValue();
      String reason =
          status > 128 ? "signal: " + signalName(status - 128) : "exit status " + status;
      invocation.result.complete(
          InvocationResult.platformError(
              invocation.requestId,
              "Runtime.ExitError",
              "RequestId: "
                  + invocation.requestId
                  + " Error: Runtime exited with error: "
                  + reason));
    }
    LOG.debug("Environment {} exited with status {}", id, process.exitValue());
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 9 -> "killed";
      case 15 -> "terminated";
      case 6 -> "aborted";
      default -> "signal " + signal;
    };
  }

  private void handleRuntimeApi(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().substring(RUNTIME_API.length());
      String method = exchange.getRequestMethod();
      if (method.equals("GET") && path.equals("/invocation/next")) {
        nextInvocation(exchange);
      } else if (method.equals("POST") && path.equals("/init/error")) {
        broken = true;
        byte[] error = readBody(exchange);
        Invocation invocation = assigned;
        if (invocation != null) {
          invocation.result.complete(InvocationResult.unhandled(invocation.requestId, error));
        }
        respond(exchange, 202, "{\"status\":\"OK\"}");
      } else if (method.equals("POST") && path.startsWith("/invocation/")) {
        finishInvocation(exchange, path);
      } else {
        respond(exchange, 404, "{\"errorMessage\":\"Unknown Runtime API path\"}");
      }
    }
  }

  private void nextInvocation(HttpExchange exchange) throws IOException {
    Invocation invocation = null;
    try {
      while (invocation == null) {
        if (closed) {
          // Failing `next` makes the runtime client exit: the host is shutting this environment
          // down.
          respond(exchange, 500, "{\"errorMessage\":\"Environment is shutting down\"}");
          return;
        }
        invocation = inbox.poll(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      respond(exchange, 500, "{\"errorMessage\":\"Interrupted\"}");
      return;
    }
    long deliveredAt = now();
    if (initDurationMs < 0) {
      initDurationMs = deliveredAt - launchedAt;
    }
    log.start(invocation.requestId);
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json");
    headers.set("Lambda-Runtime-Aws-Request-Id", invocation.requestId);
    headers.set(
        "Lambda-Runtime-Deadline-Ms", Long.toString(deliveredAt + spec.timeout().toMillis()));
    headers.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
    exchange.sendResponseHeaders(
        200, invocation.payload.length == 0 ? -1 : invocation.payload.length);
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(invocation.payload);
    }
    delivered.incrementAndGet();
    invocation.deliveredAt.complete(deliveredAt);
  }

  private void finishInvocation(HttpExchange exchange, String path) throws IOException {
    String[] parts = path.split("/");
    // ["", "invocation", "{id}", "response" | "error"]
    Invocation invocation = assigned;
    if (parts.length != 4 || invocation == null || !invocation.requestId.equals(parts[2])) {
      respond(
          exchange,
          400,
          "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
      return;
    }
    byte[] body = readBody(exchange);
    switch (parts[3]) {
      case "response" -> invocation.result.complete(InvocationResult.success(parts[2], body));
      case "error" -> invocation.result.complete(InvocationResult.unhandled(parts[2], body));
      default -> {
        respond(exchange, 404, "{\"errorMessage\":\"Unknown Runtime API path\"}");
        return;
      }
    }
    respond(exchange, 202, "{\"status\":\"OK\"}");
  }

  private void writeReport(Invocation invocation, InvocationResult result) {
    // Only errors of the platform's own (timeouts, crashes) mark the REPORT line; handler errors
    // don't.
    String errorType = result.failed() ? result.errorType() : null;
    boolean platformError =
        errorType != null && (errorType.startsWith("Runtime.") || errorType.startsWith("Sandbox."));
    log.end(
        invocation.requestId,
        now() - invocation.deliveredAt.join(),
        spec.memoryMb(),
        peakResidentMb(),
        delivered.get() == 1 ? initDurationMs : -1,
        platformError ? errorType : null);
  }

  /** The child's peak resident memory (VmHWM), or -1 once it is gone. */
  private long peakResidentMb() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Gone, or not Linux: leave the figure out.
    }
    return -1;
  }

  private static byte[] readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      return in.readAllBytes();
    }
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(bytes);
    }
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Stops the child JVM (politely, then forcibly) and the Runtime API endpoint. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        kill();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
    }
    runtimeApi.stop(0);
    ((ExecutorService) runtimeApi.getExecutor()).shutdownNow();
    LOG.debug("Closed environment {} after {} invocations", id, delivered.get());
  }

  private static final class Invocation {
    final String requestId;
    final byte[] payload;
    final CompletableFuture<Long> deliveredAt = new CompletableFuture<>();
    final CompletableFuture<InvocationResult> result = new CompletableFuture<>();

    Invocation(String requestId, byte[] payload) {
      this.requestId = requestId;
      this.payload = payload;
    }
  }
}
