package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * bin/migrator rebuilds when a file under the source tree is newer than the CLI jar. After the twin
 * has run (npm ci, its lock, its state), nothing it wrote may count as a changed source, or every
 * later call would rebuild.
 */
class NoRebuildIT {
  private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  private static final Path CLI_JAR = HOME.resolve("cli/target/migrator-cli.jar");

  @Test
  void afterTheTwinRan_noSourceIsNewerThanTheCliJar() throws Exception {
    TwinFixture.get();

    assertThat(newerSource()).as("a file that would make bin/migrator rebuild").isEmpty();
  }

  @Test
  void aChangedSourceIsSeen() throws Exception {
    Path probe = HOME.resolve("infra/src/.rebuild-probe-" + UUID.randomUUID());
    try {
      Files.writeString(probe, "");
      Files.setLastModifiedTime(
          probe,
          java.nio.file.attribute.FileTime.fromMillis(
              Files.getLastModifiedTime(CLI_JAR).toMillis() + 2_000));

      assertThat(newerSource()).isEqualTo(probe.toString());
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  /** What bin/migrator's staleness check prints: the first newer source, or nothing. */
  private static String newerSource() throws Exception {
    assertThat(CLI_JAR).exists();
    Process check =
        new ProcessBuilder(
                "bash",
                "-c",
                "source \"$0/bin/lib/common.sh\" && newer_source \"$1\"",
                HOME.toString(),
                CLI_JAR.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(check.waitFor()).as(out).isZero();
    return out;
  }
}
