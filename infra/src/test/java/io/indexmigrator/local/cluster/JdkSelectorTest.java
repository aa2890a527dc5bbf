package io.indexmigrator.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkSelectorTest {

  private static final InstalledJdk JDK_11 = jdk("11.0.24", "/usr/lib/jvm");
  private static final InstalledJdk JDK_17 = jdk("17.0.16", "/usr/lib/jvm");
  private static final InstalledJdk JDK_21 = jdk("21.0.8", "/usr/lib/jvm");
  private static final InstalledJdk JDK_25 = jdk("25", "/usr/lib/jvm");

  @Test
  void select_picksTheNewestJdkInTheEnginesRange() {
    List<InstalledJdk> found = List.of(JDK_11, JDK_25, JDK_21, JDK_17);

    assertThat(JdkSelector.select(EngineVersion.parse("opensearch:2"), found)).isEqualTo(JDK_21);
    assertThat(JdkSelector.select(EngineVersion.parse("opensearch:3"), found)).isEqualTo(JDK_25);
    assertThat(JdkSelector.select(EngineVersion.parse("elasticsearch"), found)).isEqualTo(JDK_21);
  }

  @Test
  void select_prefersTheOverrideWhenItFits() {
    InstalledJdk override = jdk("17.0.16", JdkSelector.OVERRIDE_ENV);

    assertThat(JdkSelector.select(EngineVersion.parse("opensearch:2"), List.of(JDK_21, override)))
        .isEqualTo(override);
  }

  @Test
  void select_ignoresAnOverrideThatDoesNotFit() {
    InstalledJdk override = jdk("17.0.16", JdkSelector.OVERRIDE_ENV);

    assertThat(JdkSelector.select(EngineVersion.parse("opensearch:3"), List.of(override, JDK_25)))
        .isEqualTo(JDK_25);
  }

  @Test
  void select_namesEngineRangeAndFoundJdksWhenNoneFits() {
    List<InstalledJdk> found = List.of(JDK_25);

    assertThatThrownBy(() -> JdkSelector.select(EngineVersion.parse("opensearch:2"), found))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("opensearch 2.19.6")
        .hasMessageContaining("Java 11 to 21")
        .hasMessageContaining("Java 25 at /jdks/25");
    assertThatThrownBy(
            () -> JdkSelector.select(EngineVersion.parse("opensearch:3"), List.of(JDK_17)))
        .hasMessageContaining("Java 21 or newer")
        .hasMessageContaining("17.0.16");
    assertThatThrownBy(() -> JdkSelector.select(EngineVersion.parse("opensearch:3"), List.of()))
        .hasMessageContaining("no JDK at all");
  }

  @Test
  void featureOf_readsOldAndNewVersionSchemes() {
    assertThat(InstalledJdk.featureOf("1.8.0_402")).isEqualTo(8);
    assertThat(InstalledJdk.featureOf("17.0.16")).isEqualTo(17);
    assertThat(InstalledJdk.featureOf("25")).isEqualTo(25);
    assertThat(InstalledJdk.featureOf("21-ea")).isEqualTo(21);
  }

  @Test
  void discover_readsReleaseFilesAndPutsTheOverrideFirst(@TempDir Path dir) throws IOException {
    Path fake = fakeJdk(dir.resolve("fake-jdk"), "19.0.2");

    List<InstalledJdk> found =
        JdkSelector.discover(Map.of(JdkSelector.OVERRIDE_ENV, fake.toString()));

    assertThat(found.get(0).home()).isEqualTo(fake.toRealPath());
    assertThat(found.get(0).feature()).isEqualTo(19);
    assertThat(found.get(0).source()).isEqualTo(JdkSelector.OVERRIDE_ENV);
    // The JVM running this test is always found, so discovery never comes back empty.
    assertThat(found)
        .anyMatch(j -> j.home().equals(Path.of(System.getProperty("java.home")).normalize()));
  }

  @Test
  void read_skipsDirectoriesThatAreNotJdks(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("release"), "IMPLEMENTOR=\"nobody\"\n");

    assertThat(InstalledJdk.read(dir, "test")).isEmpty();
  }

  private static Path fakeJdk(Path home, String version) throws IOException {
    Files.createDirectories(home.resolve("bin"));
    Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
    java.toFile().setExecutable(true);
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    return home;
  }

  private static InstalledJdk jdk(String version, String source) {
    return new InstalledJdk(
        Path.of("/jdks/" + version), version, InstalledJdk.featureOf(version), source);
  }
}
