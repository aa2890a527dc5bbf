package io.indexmigrator.local.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK found on this machine.
 *
 * @param home its root directory (the one with {@code bin/java} and {@code release})
 * @param version the full version from {@code release}, e.g. {@code 17.0.16}
 * @param feature the feature release, e.g. 17
 * @param source where we found it, for error messages ("/usr/lib/jvm", "JAVA_HOME", ...)
 */
public record InstalledJdk(Path home, String version, int feature, String source) {

  private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?([^\"\\s]+)");

  /** Reads {@code <home>/release}; empty when the directory is not a usable JDK. */
  static Optional<InstalledJdk> read(Path home, String source) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin/java"))) {
      return Optional.empty();
    }
    try {
      Matcher m = JAVA_VERSION.matcher(Files.readString(release));
      if (!m.find()) {
        return Optional.empty();
      }
      String version = m.group(1);
      return Optional.of(new InstalledJdk(home, version, featureOf(version), source));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** {@code 1.8.0_402} is 8, {@code 17.0.16} is 17, {@code 25} is 25. */
  static int featureOf(String version) {
    String[] parts = version.split("[._+-]");
    int first = Integer.parseInt(parts[0]);
    return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
  }

  @Override
  public String toString() {
    return "Java " + version + " at " + home + " (" + source + ")";
  }
}
