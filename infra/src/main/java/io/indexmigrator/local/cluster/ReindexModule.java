package io.indexmigrator.local.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Rebuilds the reindex module that the integ-test zips leave out (they ship only transport-netty4),
 * from the reindex client jar published on Maven Central.
 *
 * <p>A module's jars share one class loader with the engine's {@code lib/} as parent, and the
 * engine refuses to start when a class appears twice ("jar hell"). So the module gets only those
 * dependencies that {@code lib/} does not already provide.
 */
final class ReindexModule {

  static final String NAME = "reindex";

  /** {@code name-1.2.3.jar}: the artifact id is everything before the first "-digit". */
  private static final Pattern JAR_NAME = Pattern.compile("(.+?)-\\d[^/]*\\.jar");

  private ReindexModule() {}

  /** Maven coordinates of the published reindex client jar for an engine. */
  static String clientCoordinates(EngineVersion engine) {
    return engine.distribution().reindexGroupId() + ":reindex-client:" + engine.version();
  }

  /** Artifact ids of the jars directly in an engine's {@code lib/} directory. */
  static Set<String> artifactIdsIn(Path libDir) {
    try (Stream<Path> files = Files.list(libDir)) {
      Set<String> ids = new TreeSet<>();
      files
          .map(p -> p.getFileName().toString())
          .map(ReindexModule::artifactIdOf)
          .filter(id -> id != null)
          .forEach(ids::add);
      return ids;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + libDir, e);
    }
  }

  /**
   * The artifact id in a jar file name, or null when the name is not {@code <id>-<version>.jar}.
   */
  static String artifactIdOf(String jarFileName) {
    Matcher m = JAR_NAME.matcher(jarFileName);
    return m.matches() ? m.group(1) : null;
  }

  /** The resolved jars the module must carry: all whose artifact id the engine lacks. */
  static List<MavenArtifacts.Jar> jarsToInstall(
      List<MavenArtifacts.Jar> resolved, Set<String> libArtifactIds) {
    return resolved.stream().filter(j -> !libArtifactIds.contains(j.artifactId())).toList();
  }

  /**
   * The {@code plugin-descriptor.properties} the engine reads to load the module. {@code
   * java.version} is the oldest JDK the engine runs on, which is also what its own modules declare.
   */
  static String descriptor(EngineVersion engine, String pluginClass) {
    return String.join(
        "\n",
        "# Written by index-migrator: the integ-test distribution ships without this module.",
        "description=Adds the _reindex, _update_by_query and _delete_by_query APIs.",
        "version=" + engine.version(),
        "name=" + NAME,
        "classname=" + pluginClass,
        "java.version=" + engine.minJava(),
        engine.distribution().descriptorVersionKey() + "=" + engine.version(),
        "extended.plugins=",
        "has.native.controller=false",
        "");
  }

  /**
   * Grants remote reindex its outgoing connections. Engines before OpenSearch 3 enforce this
   * through the SecurityManager; OpenSearch 3 reads the same file for its replacement agent.
   */
  static String securityPolicy() {
    return String.join(
        "\n",
        "grant {",
        "  // _reindex from a remote cluster connects to it with the bundled REST client.",
        "  permission java.net.SocketPermission \"*\", \"connect,resolve\";",
        "  permission java.net.NetPermission \"getProxySelector\";",
        "};",
        "");
  }

  /**
   * The plugin class in the client jar: {@code ReindexPlugin} until OpenSearch renamed it to {@code
   * ReindexModulePlugin} in 3.0. Read from the jar so a rename in a later release is found.
   */
  static String pluginClass(Path clientJar) throws IOException {
    try (JarFile jar = new JarFile(clientJar.toFile())) {
      for (String candidate : List.of("ReindexModulePlugin", "ReindexPlugin")) {
        for (String prefix : List.of("org/opensearch", "org/elasticsearch")) {
          String packagePath = prefix + "/index/reindex/" + candidate;
          if (jar.getEntry(packagePath + ".class") != null) {
            return packagePath.replace('/', '.');
          }
        }
      }
    }
    throw new IOException("no reindex plugin class in " + clientJar);
  }

  private static Path clientJar(List<MavenArtifacts.Jar> resolved) {
    return resolved.stream()
        .filter(j -> j.artifactId().equals("reindex-client"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("reindex-client missing from " + resolved))
        .file();
  }

  /** Whether the distribution already has the module (the OpenSearch 3 zips ship all modules). */
  static boolean isShippedWith(Path home) {
    return Files.exists(
        home.resolve("modules").resolve(NAME).resolve("plugin-descriptor.properties"));
  }

  /**
   * Writes the module into {@code <home>/modules/reindex}, resolving its jars through Maven, unless
   * the distribution ships it.
   *
   * @return the jars copied into the module; empty when the distribution had the module
   */
  static List<MavenArtifacts.Jar> assemble(Path home, EngineVersion engine, MavenArtifacts maven)
      throws IOException {
    if (isShippedWith(home)) {
      return List.of();
    }
    List<MavenArtifacts.Jar> resolved = maven.resolveWithDependencies(clientCoordinates(engine));
    List<MavenArtifacts.Jar> needed = jarsToInstall(resolved, artifactIdsIn(home.resolve("lib")));
    Path module = Files.createDirectories(home.resolve("modules").resolve(NAME));
    for (MavenArtifacts.Jar jar : needed) {
      Files.copy(
          jar.file(),
          module.resolve(jar.artifactId() + "-" + jar.version() + ".jar"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(
        module.resolve("plugin-descriptor.properties"),
        descriptor(engine, pluginClass(clientJar(resolved))),
        StandardCharsets.UTF_8);
    Files.writeString(
        module.resolve("plugin-security.policy"), securityPolicy(), StandardCharsets.UTF_8);
    return needed;
  }
}
