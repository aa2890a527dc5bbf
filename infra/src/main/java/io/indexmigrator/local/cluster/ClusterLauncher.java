package io.indexmigrator.local.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts real single-node OpenSearch and Elasticsearch clusters as child processes, from the
 * integ-test zips on Maven Central.
 *
 * <p>Each cluster gets a fresh temp directory for its data, logs and a copy of the config, so the
 * cached install is shared read-only. When this JVM runs as root the engine runs as an unprivileged
 * user ({@value #DEFAULT_ENGINE_USER}, or env {@value #ENGINE_USER_ENV}), because the engines
 * refuse to run as root. Engines are stopped at JVM exit, and a watchdog stops them even when the
 * JVM is killed.
 */
public final class ClusterLauncher {

  public static final String DEFAULT_ENGINE_USER = "migrator";
  public static final String ENGINE_USER_ENV = "MIGRATOR_ENGINE_USER";

  /**
   * JVM options added to every engine the launcher starts, after the heap size: for diagnosis (GC
   * logs, JFR), never needed to run.
   */
  public static final String EXTRA_JAVA_OPTS_ENV = "MIGRATOR_ENGINE_JAVA_OPTS";

  private static final Logger LOG = LoggerFactory.getLogger(ClusterLauncher.class);
  private static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final int LOG_TAIL_LINES = 60;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RELATIVE_PATH_OPTION =
      Pattern.compile("(?m)(?<=[=:])(logs|data)(?=/|$)");

  private final EngineInstaller installer;
  private final Duration startTimeout;
  private final String engineUser;

  /** Default cache directory, Maven settings from the environment, 3 minute start timeout. */
  public ClusterLauncher() {
    this(EngineInstaller.defaultCacheDir(), DEFAULT_START_TIMEOUT);
  }

  /**
   * @param cacheDir where unpacked engines are kept; must be readable by the engine's user
   * @param startTimeout how long to wait for the cluster to report yellow or green health
   */
  public ClusterLauncher(Path cacheDir, Duration startTimeout) {
    this.installer = new EngineInstaller(cacheDir, MavenArtifacts.fromEnvironment());
    this.startTimeout = startTimeout;
    String user = System.getenv(ENGINE_USER_ENV);
    this.engineUser =
        Processes.isRoot() ? (user == null || user.isBlank() ? DEFAULT_ENGINE_USER : user) : null;
  }

  /**
   * Downloads and unpacks an engine if needed and returns its home; {@link #start} does this too.
   */
  public Path install(EngineVersion engine) {
    return installer.install(engine);
  }

  /**
   * Starts a cluster and waits until it reports yellow or green health.
   *
   * @throws IllegalArgumentException if the requested HTTP port is already in use
   * @throws IllegalStateException if no installed JDK suits the engine
   * @throws ClusterStartException if the engine exits or stays unhealthy; carries its log's end
   */
  public RunningCluster start(ClusterSpec spec) {
    EngineVersion engine = spec.engine();
    int httpPort = spec.httpPort() == 0 ? freePort() : requireFree(spec.httpPort());
    InstalledJdk jdk = JdkSelector.select(engine, JdkSelector.discover(System.getenv()));
    Path home = installer.install(engine);
    long startedAt = System.nanoTime();
    Path workDir;
    try {
      workDir = prepareWorkDir(engine, home);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a work directory for " + engine, e);
    }
    URI uri = URI.create("http://127.0.0.1:" + httpPort);
    Path consoleLog = workDir.resolve("console.log");
    Path pidFile = workDir.resolve(Watchdog.PID_FILE);
    ProcessBuilder builder =
        new ProcessBuilder(
                Watchdog.wrap(workDir, STOP_GRACE, engineCommand(spec, home, workDir, httpPort)))
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(consoleLog.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    configureEnvironment(builder.environment(), engine, jdk, spec, workDir);
    Process watchdog;
    try {
      watchdog = builder.start();
    } catch (IOException e) {
      deleteQuietly(workDir);
      throw new UncheckedIOException("cannot start " + engine.displayName(), e);
    }
    // A restart appends to the same console log: the engine's earlier life stays readable.
    ProcessBuilder relaunch =
        new ProcessBuilder(builder.command())
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    relaunch.environment().clear();
    relaunch.environment().putAll(builder.environment());
    LocalCluster cluster =
        new LocalCluster(
            engine,
            uri,
            relaunch,
            started -> awaitHealthyOrExplain(started, consoleLog),
            watchdog,
            pidFile,
            workDir,
            consoleLog,
            STOP_GRACE);
    try {
      awaitHealthyOrExplain(cluster, consoleLog);
    } catch (ClusterStartException e) {
      cluster.close();
      throw e;
    }
    double seconds = (System.nanoTime() - startedAt) / 1e9;
    LOG.info(
        "started {} at {} in {} s (pid {}, Java {}{})",
        engine.displayName(),
        uri,
        String.format("%.1f", seconds),
        cluster.pid(),
        jdk.version(),
        engineUser == null ? "" : ", user " + engineUser);
    return cluster;
  }

  private Path prepareWorkDir(EngineVersion engine, Path home) throws IOException {
    Path workDir =
        Files.createTempDirectory(
            "migrator-" + engine.distribution().id() + "-" + engine.version() + "-");
    for (String sub : List.of("data", "logs", "tmp")) {
      Files.createDirectory(workDir.resolve(sub));
    }
    copyTree(home.resolve("config"), workDir.resolve("config"));
    Path jvmOptions = workDir.resolve("config").resolve("jvm.options");
    Files.writeString(jvmOptions, relocateJvmOptions(Files.readString(jvmOptions), workDir));
    if (engineUser != null) {
      Processes.ensureUser(engineUser);
      Processes.chownRecursively(workDir, engineUser);
    }
    return workDir;
  }

  private List<String> engineCommand(ClusterSpec spec, Path home, Path workDir, int httpPort) {
    EngineVersion engine = spec.engine();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("cluster.name", spec.clusterName());
    settings.put("node.name", spec.clusterName() + "-node");
    settings.put("path.data", workDir.resolve("data").toString());
    settings.put("path.logs", workDir.resolve("logs").toString());
    settings.put("network.host", "127.0.0.1");
    settings.put("http.port", Integer.toString(httpPort));
    settings.put("transport.port", Integer.toString(freePortOtherThan(httpPort)));
    settings.put("discovery.type", "single-node");
    settings.put(engine.remoteAllowlistSetting(), "127.0.0.1:*, localhost:*");
    // A busy shared disk must not turn test indices read-only.
    settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
    settings.putAll(spec.settings());

    List<String> command = new ArrayList<>();
    if (engineUser != null) {
      // setpriv execs in place (runuser would stay around as a parent that must forward signals).
      command.addAll(
          List.of(
              "setpriv",
              "--reuid=" + engineUser,
              "--regid=" + Processes.primaryGroup(engineUser),
              "--init-groups",
              "--"));
    }
    command.add(home.resolve("bin").resolve(engine.distribution().id()).toString());
    settings.forEach((key, value) -> command.add("-E" + key + "=" + value));
    return command;
  }

  private void configureEnvironment(
      Map<String, String> env,
      EngineVersion engine,
      InstalledJdk jdk,
      ClusterSpec spec,
      Path workDir) {
    // Options meant for our JVM (or Maven's) must not leak into the engine's.
    env.keySet()
        .removeIf(
            k ->
                k.equals("JAVA_TOOL_OPTIONS")
                    || k.equals("_JAVA_OPTIONS")
                    || k.equals("JDK_JAVA_OPTIONS")
                    || k.startsWith("OPENSEARCH_")
                    || k.startsWith("ES_"));
    String prefix = engine.distribution().envPrefix();
    env.put("JAVA_HOME", jdk.home().toString());
    env.put(prefix + "_JAVA_HOME", jdk.home().toString());
    env.put(prefix + "_PATH_CONF", workDir.resolve("config").toString());
    env.put(prefix + "_TMPDIR", workDir.resolve("tmp").toString());
    String extra = System.getenv(EXTRA_JAVA_OPTS_ENV);
    env.put(
        prefix + "_JAVA_OPTS",
        "-Xms"
            + spec.heap()
            + " -Xmx"
            + spec.heap()
            + (extra == null || extra.isBlank() ? "" : " " + extra.trim()));
    env.put("HOME", workDir.toString());
  }

  private void awaitHealthyOrExplain(LocalCluster cluster, Path consoleLog) {
    try {
      awaitHealthy(cluster);
    } catch (RuntimeException e) {
      String tail = Processes.tail(consoleLog, LOG_TAIL_LINES);
      throw new ClusterStartException(
          e.getMessage() + "\n--- last lines of " + consoleLog + " ---\n" + tail, e);
    }
  }

  private void awaitHealthy(LocalCluster cluster) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI health = cluster.httpUri().resolve("/_cluster/health?wait_for_status=yellow&timeout=1s");
    long deadline = System.nanoTime() + startTimeout.toNanos();
    String lastProblem = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (!cluster.watchdogAlive()) {
        throw new IllegalStateException(cluster.engine().displayName() + " exited during startup");
      }
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          JsonNode body = JSON.readTree(response.body());
          String status = body.path("status").asText();
          if (status.equals("yellow") || status.equals("green")) {
            return;
          }
        }
        lastProblem = "health answered " + response.statusCode() + ": " + response.body();
      } catch (IOException e) {
        lastProblem = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + cluster.httpUri(), e);
      }
      sleep(Duration.ofMillis(500));
    }
    throw new IllegalStateException(
        cluster.engine().displayName()
            + " at "
            + cluster.httpUri()
            + " was not healthy within "
            + startTimeout.toSeconds()
            + " s ("
            + lastProblem
            + ")");
  }

  /**
   * Points the relative {@code logs/} and {@code data} paths in {@code jvm.options} (GC log, heap
   * dumps, crash logs) into the cluster's work directory. The start script runs the JVM from the
   * install directory, which is shared and read-only.
   */
  static String relocateJvmOptions(String jvmOptions, Path workDir) {
    return RELATIVE_PATH_OPTION
        .matcher(jvmOptions)
        .replaceAll(m -> workDir.resolve(m.group()).toString());
  }

  /** A port that is free on 127.0.0.1 right now. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port", e);
    }
  }

  private static int freePortOtherThan(int taken) {
    int port;
    do {
      port = freePort();
    } while (port == taken);
    return port;
  }

  /**
   * Returns the port if nothing listens on it on 127.0.0.1.
   *
   * @throws IllegalArgumentException "port N is already in use"
   */
  static int requireFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return port;
    } catch (BindException e) {
      throw new IllegalArgumentException("port " + port + " is already in use", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check whether port " + port + " is free", e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path source : all.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      Processes.deleteRecursively(dir);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", dir, e.toString());
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
