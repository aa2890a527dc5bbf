package io.indexmigrator.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    watchdog.destroy();

    assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(engine.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).get()).isNotNull();
    // Deleting it is close()'s job, after it has read what it needs (the log tail on failure).
    assertThat(pidFile).exists();
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
