package io.indexmigrator.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchdogTest {

  @Test
  void stopsTheEngineAndDeletesItsWorkDirWhenItsParentIsKilled(@TempDir Path dir) throws Exception {
    Path workDir = Files.createDirectory(dir.resolve("work"));
    Path pidFile = workDir.resolve(Watchdog.PID_FILE);
    // An intermediate shell stands in for our JVM, so that it can be SIGKILLed.
    List<String> parent = new ArrayList<>(List.of("bash", "-c", "\"$@\" & wait", "parent"));
    parent.addAll(Watchdog.wrap(workDir, Duration.ofSeconds(2), List.of("sleep", "300")));
    Process shell = new ProcessBuilder(parent).start();
    ProcessHandle engine = awaitPid(pidFile);
    assertThat(engine.isAlive()).isTrue();

    shell.destroyForcibly();

    assertThat(engine.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).get())
        .as("engine stopped after its parent died")
        .isNotNull();
    for (int i = 0; i < 50 && Files.exists(workDir); i++) {
      Thread.sleep(100);
    }
    assertThat(workDir).doesNotExist();
  }

  @Test
  void stopsTheEngineButKeepsTheWorkDirWhenAskedTo(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve(Watchdog.PID_FILE);
    Process watchdog =
        new ProcessBuilder(Watchdog.wrap(dir, Duration.ofSeconds(2), List.of("sleep", "300")))
            .start();
    ProcessHandle engine = awaitPid(pidFile);
    try {
      // A pid is only worth publishing once a group kill can reach it.
      assertThat(sessionOf(engine.pid())).isEqualTo(engine.pid());

      watchdog.destroy();

      assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(engine.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).get())
          .as("engine %d stopped after its watchdog was asked to stop", engine.pid())
          .isNotNull();
      // Deleting it is close()'s job, after it has read what it needs (the log tail on failure).
      assertThat(pidFile).exists();
    } finally {
      watchdog.destroyForcibly();
      engine.destroyForcibly();
    }
  }

  /**
   * The engine becomes its own session (and process group) only when the forked child has run
   * setsid(2), some time after the watchdog learnt its pid. A busy machine can stretch that time to
   * hundreds of milliseconds; a {@code setsid} that holds back until the test lets it go stands in
   * for it, so that the stop request lands inside that window every time.
   */
  @Test
  void stopsTheEngineWhenAskedToBeforeItLeadsItsOwnSession(@TempDir Path dir) throws Exception {
    Path workDir = Files.createDirectory(dir.resolve("work"));
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path forkedPidFile = dir.resolve("forked.pid");
    Path go = dir.resolve("go");
    Path slowSetsid = bin.resolve("setsid");
    Files.writeString(
        slowSetsid,
        """
        #!/bin/sh
        echo $$ > "$FORKED_PID_FILE"
        while [ ! -e "$GO" ]; do sleep 0.05; done
        PATH=$REAL_PATH exec setsid "$@"
        """);
    Files.setPosixFilePermissions(slowSetsid, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder builder =
        new ProcessBuilder(Watchdog.wrap(workDir, Duration.ofSeconds(2), List.of("sleep", "300")));
    String path = builder.environment().getOrDefault("PATH", "/usr/bin:/bin");
    builder.environment().put("REAL_PATH", path);
    builder.environment().put("PATH", bin + ":" + path);
    builder.environment().put("FORKED_PID_FILE", forkedPidFile.toString());
    builder.environment().put("GO", go.toString());
    Process watchdog = builder.start();
    // Same pid throughout: the child execs the slow setsid, which execs the real one, then sleep.
    ProcessHandle engine = awaitPid(forkedPidFile);
    try {
      assertThat(sessionOf(engine.pid())).isNotEqualTo(engine.pid());

      watchdog.destroy();
      // Give a watchdog that would stop "-pid" now the time to do so, and to miss the engine.
      watchdog.waitFor(300, TimeUnit.MILLISECONDS);
      Files.createFile(go);

      assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(engine.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).get())
          .as("engine %d stopped although asked to before it had its own session", engine.pid())
          .isNotNull();
    } finally {
      watchdog.destroyForcibly();
      engine.destroyForcibly();
    }
  }

  /** The session id of a live process, from the sixth field of /proc/PID/stat. */
  private static long sessionOf(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // The command name (field 2) may hold spaces and parentheses; the fields after it do not.
    String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(afterName[3]);
  }

  private static ProcessHandle awaitPid(Path pidFile) throws IOException, InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (Files.exists(pidFile) && !Files.readString(pidFile).isBlank()) {
        Optional<ProcessHandle> handle =
            ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()));
        if (handle.isPresent()) {
          return handle.get();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the watchdog never wrote " + pidFile);
  }
}
