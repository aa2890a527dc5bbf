package io.indexmigrator.local.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Picks the JDK an engine runs on. Engines before OpenSearch 3 need a SecurityManager (gone since
 * JDK 24), OpenSearch 3 needs Java 21, and our own JVM may be neither, so the choice is per engine.
 */
public final class JdkSelector {

  /** Env var naming a JDK to prefer for engines, when it suits the engine. */
  public static final String OVERRIDE_ENV = "MIGRATOR_ENGINE_JAVA_HOME";

  private JdkSelector() {}

  /**
   * Chooses from {@code found}: the {@value #OVERRIDE_ENV} JDK if it fits the engine, else the
   * newest one that fits.
   *
   * @throws IllegalStateException naming the engine, the Java range it needs and what was found
   */
  public static InstalledJdk select(EngineVersion engine, List<InstalledJdk> found) {
    List<InstalledJdk> fitting = found.stream().filter(j -> fits(engine, j)).toList();
    return fitting.stream()
        .filter(j -> j.source().equals(OVERRIDE_ENV))
        .findFirst()
        .or(() -> fitting.stream().max(Comparator.comparingInt(InstalledJdk::feature)))
        .orElseThrow(() -> noneFits(engine, found));
  }

  static boolean fits(EngineVersion engine, InstalledJdk jdk) {
    return jdk.feature() >= engine.minJava() && jdk.feature() <= engine.maxJava();
  }

  /** The Java range an engine needs, e.g. {@code 11 to 21} or {@code 21 or newer}. */
  static String range(EngineVersion engine) {
    return engine.maxJava() == Integer.MAX_VALUE
        ? engine.minJava() + " or newer"
        : engine.minJava() + " to " + engine.maxJava();
  }

  private static IllegalStateException noneFits(EngineVersion engine, List<InstalledJdk> found) {
    String seen =
        found.isEmpty()
            ? "no JDK at all"
            : String.join(", ", found.stream().map(InstalledJdk::toString).toList());
    return new IllegalStateException(
        "no JDK for "
            + engine.displayName()
            + ": it needs Java "
            + range(engine)
            + ", found "
            + seen
            + ". Install a suitable JDK under /usr/lib/jvm or point "
            + OVERRIDE_ENV
            + " at one.");
  }

  /**
   * Lists the JDKs on this machine: {@value #OVERRIDE_ENV}, {@code /usr/lib/jvm/*}, {@code
   * /opt/java/*}, {@code JAVA_HOME} and the running JVM, each real directory once.
   */
  public static List<InstalledJdk> discover(Map<String, String> env) {
    Map<Path, InstalledJdk> byRealPath = new LinkedHashMap<>();
    List<Map.Entry<Path, String>> candidates = new ArrayList<>();
    Optional.ofNullable(env.get(OVERRIDE_ENV))
        .filter(s -> !s.isBlank())
        .ifPresent(s -> candidates.add(Map.entry(Path.of(s), OVERRIDE_ENV)));
    for (String parent : List.of("/usr/lib/jvm", "/opt/java")) {
      childrenOf(Path.of(parent)).forEach(p -> candidates.add(Map.entry(p, parent)));
    }
    Optional.ofNullable(env.get("JAVA_HOME"))
        .filter(s -> !s.isBlank())
        .ifPresent(s -> candidates.add(Map.entry(Path.of(s), "JAVA_HOME")));
    candidates.add(Map.entry(Path.of(System.getProperty("java.home")), "java.home"));
    for (Map.Entry<Path, String> c : candidates) {
      Path real;
      try {
        real = c.getKey().toRealPath();
      } catch (IOException e) {
        continue;
      }
      InstalledJdk.read(real, c.getValue()).ifPresent(j -> byRealPath.putIfAbsent(real, j));
    }
    return List.copyOf(byRealPath.values());
  }

  private static List<Path> childrenOf(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children.sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
