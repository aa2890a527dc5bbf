package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/lib/common.sh picks a JDK >= 21 itself, and says clearly when there is none. */
class ScriptsTest {
  static final Path COMMON = Path.of("..", "bin", "lib", "common.sh").toAbsolutePath().normalize();

  @TempDir Path dir;

  /** A directory that looks like a JDK of the given feature version to the script. */
  private Path fakeJdk(String name, int version) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("jdks").resolve(name).resolve("bin"));
    String java = "#!/bin/sh\necho '    java.specification.version = " + version + "' >&2\n";
    for (String tool : new String[] {"java", "javac"}) {
      Path file = bin.resolve(tool);
      Files.writeString(file, java);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin.getParent();
  }

  private Process run(Map<String, String> env) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
            "bash", "-c", "source '" + COMMON + "' && find_jdk 21 && echo \"$JAVA_HOME\"");
    builder.environment().clear();
    builder.environment().put("PATH", dir.resolve("jdks/old/bin") + ":/usr/bin:/bin");
    builder.environment().putAll(env);
    return builder.redirectErrorStream(true).start();
  }

  @Test
  void findJdk_failsClearly_whenOnlyAnOldJdkExists() throws Exception {
    Path old = fakeJdk("old", 17);
    Files.createDirectories(dir.resolve("empty"));

    Process p =
        run(
            Map.of(
                "JAVA_HOME", old.toString(), "MIGRATOR_JDK_DIRS", dir.resolve("empty").toString()));
    String output = new String(p.getInputStream().readAllBytes());

    assertThat(p.waitFor()).isEqualTo(2);
    assertThat(output).contains("no JDK >= 21 found").contains("MIGRATOR_JAVA_HOME");
  }

  @Test
  void findJdk_picksANewerJdkBesideTheDefault() throws Exception {
    Path old = fakeJdk("old", 17);
    Path newer = fakeJdk("newer", 22);

    Process p =
        run(
            Map.of(
                "JAVA_HOME", old.toString(), "MIGRATOR_JDK_DIRS", dir.resolve("jdks").toString()));
    String output = new String(p.getInputStream().readAllBytes()).trim();

    assertThat(p.waitFor()).isZero();
    assertThat(output).endsWith(newer.toString());
  }
}
