package io.indexmigrator.cli;

import io.indexmigrator.local.cluster.EngineVersion;
import io.indexmigrator.local.twin.TwinMain;
import io.indexmigrator.local.twin.TwinState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code migrator local up | env | down}: the local twin of the AWS stack. */
@Command(
    name = "local",
    description = "Run the whole stack locally: real clusters plus a twin of the AWS services.",
    subcommands = {LocalCommand.Up.class, LocalCommand.Env.class, LocalCommand.Down.class})
final class LocalCommand {
  static Path stateDir(Path option) {
    return option != null ? option.toAbsolutePath() : ProjectHome.defaultStateDir();
  }

  /** The twin described by twin.json, if its process is still alive. */
  static Optional<TwinState> running(Path stateDir) {
    return TwinState.read(stateDir)
        .filter(s -> ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false));
  }

  @Command(
      name = "up",
      description = "Start the twin in the background (returns when it is ready).")
  static final class Up implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--engine",
        defaultValue = "opensearch:2.19.6",
        description =
            "Destination cluster engine, e.g. opensearch:2.19.6, opensearch:3, elasticsearch:7.10.2 (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(
        names = "--source-engine",
        description = "Also start a source cluster with this engine, for cross-cluster migrations.")
    String sourceEngine;

    @Option(
        names = "--state-dir",
        description = "Where the twin keeps its state (default: .migrator/local).")
    Path stateDirOption;

    @Option(names = "--timeout", defaultValue = "600", description = "Seconds to wait for startup.")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      // Parse first: a bad engine must fail now, not in the background process.
      EngineVersion.parse(engine);
      if (sourceEngine != null) {
        EngineVersion.parse(sourceEngine);
      }
      Path stateDir = stateDir(stateDirOption);
      Optional<TwinState> existing = running(stateDir);
      if (existing.isPresent()) {
        out.println("local twin already running (pid " + existing.get().pid() + ")");
        printSummary(out, existing.get());
        return 0;
      }
      Files.createDirectories(stateDir);
      Files.deleteIfExists(TwinState.file(stateDir));
      Files.deleteIfExists(stateDir.resolve("startup-error.txt"));
      Path log = stateDir.resolve("twin.log");
      List<String> command = new ArrayList<>();
      if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
        // Its own session: a Ctrl-C in the shell that ran `up` must not stop the twin.
        command.add("/usr/bin/setsid");
      }
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx1g");
      command.add("-Dmigrator.home=" + ProjectHome.get());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(TwinMain.class.getName());
      command.add(stateDir.toString());
      command.add(ProjectHome.get().resolve("template.yaml").toString());
      command.add(engine);
      if (sourceEngine != null) {
        command.add(sourceEngine);
      }
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      out.println("starting local twin (log: " + log + ") ...");
      out.flush();
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      while (System.nanoTime() < deadline) {
        Optional<TwinState> state = TwinState.read(stateDir);
        if (state.isPresent()) {
          printSummary(out, state.get());
          out.println(
              "next: eval \"$(bin/migrator local env)\"; stop with: bin/migrator local down");
          return 0;
        }
        if (!process.isAlive()) {
          Path error = stateDir.resolve("startup-error.txt");
          String reason =
              Files.exists(error) ? Files.readString(error) : "exit code " + process.exitValue();
          throw new UserError("local twin failed to start: " + reason + " (see " + log + ")");
        }
        Thread.sleep(500);
      }
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      throw new UserError(
          "local twin did not start within " + timeoutSeconds + " s (see " + log + ")");
    }
  }

  @Command(name = "env", description = "Print shell export lines for every local endpoint.")
  static final class Env implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--state-dir", description = "The twin's state directory.")
    Path stateDirOption;

    @Override
    public Integer call() {
      TwinState state =
          running(stateDir(stateDirOption))
              .orElseThrow(
                  () ->
                      new UserError(
                          "no local twin is running; start it with: bin/migrator local up"));
      PrintWriter out = spec.commandLine().getOut();
      state.environment().forEach((k, v) -> out.println("export " + k + "='" + v + "'"));
      return 0;
    }
  }

  @Command(
      name = "down",
      description = "Stop the twin and every process it started; delete its state.")
  static final class Down implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--state-dir", description = "The twin's state directory.")
    Path stateDirOption;

    @Option(names = "--keep-state", description = "Keep the state directory (DynamoDB data, logs).")
    boolean keepState;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path stateDir = stateDir(stateDirOption);
      Optional<TwinState> state = TwinState.read(stateDir);
      Optional<ProcessHandle> twin = state.flatMap(s -> ProcessHandle.of(s.pid()));
      if (twin.isPresent() && twin.get().isAlive()) {
        stop(twin.get(), state.get(), out);
      } else {
        out.println("no local twin is running");
      }
      if (!keepState && Files.isDirectory(stateDir)) {
        deleteTree(stateDir);
      }
      return 0;
    }

    private static void stop(ProcessHandle twin, TwinState state, PrintWriter out)
        throws InterruptedException {
      List<ProcessHandle> family = new ArrayList<>(twin.descendants().toList());
      // Clusters run under a watchdog as another user; remember them by pid as well.
      state.clusters().values().forEach(c -> ProcessHandle.of(c.pid()).ifPresent(family::add));
      twin.destroy();
      waitForExit(twin, Duration.ofSeconds(90));
      if (twin.isAlive()) {
        twin.destroyForcibly();
      }
      for (ProcessHandle child : family) {
        waitForExit(child, Duration.ofSeconds(20));
        if (child.isAlive()) {
          child.destroyForcibly();
        }
      }
      long left = family.stream().filter(ProcessHandle::isAlive).count();
      out.println(
          "local twin stopped (pid "
              + twin.pid()
              + ", "
              + family.size()
              + " child processes"
              + (left > 0 ? ", " + left + " still alive" : "")
              + ")");
    }

    private static void waitForExit(ProcessHandle process, Duration timeout)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (process.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
    }

    private static void deleteTree(Path dir) throws IOException {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  static void printSummary(PrintWriter out, TwinState state) {
    state
        .clusters()
        .forEach((role, c) -> out.printf("  %-12s %s (%s)%n", role, c.url(), c.engine()));
    state.endpoints().forEach((name, url) -> out.printf("  %-12s %s%n", name, url));
  }
}
