package io.indexmigrator.local.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;

/**
 * A standard engine module that the integ-test zips of OpenSearch 1.x/2.x and Elasticsearch 7 leave
 * out, rebuilt from its jar on Maven Central: {@code lang-painless} (script transforms) and {@code
 * ingest-common} (the {@code set}, {@code rename}, ... processors of ingest pipelines).
 *
 * <p>Like {@link ReindexModule}, the module directory gets its jar plus those runtime dependencies
 * the engine's class path does not already have, because a class seen twice stops the engine. For a
 * module that extends another, the extended module's jars are on its class path too.
 *
 * @param name the module name, which is also its artifact id and directory
 * @param description the descriptor's description line
 * @param classNames candidate plugin class names under {@code org/<vendor>/}, newest naming first
 * @param extendedPlugins modules whose classes this one sees (the descriptor's extended.plugins)
 * @param securityPolicy the module's plugin-security.policy, or null when it needs none
 */
record MavenModule(
    String name,
    String description,
    List<String> classNames,
    List<MavenModule> extendedPlugins,
    String securityPolicy) {

  /**
   * OpenSearch stopped publishing its module jars after 1.3.14; the 1.3 line kept the module API
   * unchanged since, so 1.3.20 loads the 1.3.14 jars (ClusterLauncherIT runs scripts on it).
   */
  static final String NEWEST_PUBLISHED_OPENSEARCH_1 = "1.3.14";

  /**
   * Elastic never published the 7.10.2 module jars; CodeLibs republishes the unmodified release
   * jars on Maven Central under its own group.
   */
  static final String ELASTICSEARCH_MODULE_GROUP = "org.codelibs.elasticsearch.module";

  static final MavenModule LANG_PAINLESS =
      new MavenModule(
          "lang-painless",
          "The painless scripting language (script transforms, script processors).",
          List.of("painless/PainlessModulePlugin", "painless/PainlessPlugin"),
          List.of(),
          String.join(
              "\n",
              "grant {",
              "  // Painless compiles each script into a class of its own class loader,",
              "  // whose parent it has to look up first.",
              "  permission java.lang.RuntimePermission \"createClassLoader\";",
              "  permission java.lang.RuntimePermission \"getClassLoader\";",
              "};",
              ""));

  static final MavenModule INGEST_COMMON =
      new MavenModule(
          "ingest-common",
          "The common ingest processors (set, rename, remove, script, ...).",
          List.of("ingest/common/IngestCommonModulePlugin", "ingest/common/IngestCommonPlugin"),
          List.of(LANG_PAINLESS),
          null);

  /** Assembled in this order, a module after those it extends. */
  static final List<MavenModule> ALL = List.of(LANG_PAINLESS, INGEST_COMMON);

  /** Maven coordinates of this module's jar for an engine. */
  String coordinates(EngineVersion engine) {
    if (engine.distribution() == Distribution.ELASTICSEARCH) {
      return ELASTICSEARCH_MODULE_GROUP + ":" + name + ":" + engine.version();
    }
    String version = engine.major() == 1 ? NEWEST_PUBLISHED_OPENSEARCH_1 : engine.version();
    return "org.opensearch.plugin:" + name + ":" + version;
  }

  /** The descriptor, declaring the engine's own version so the engine accepts the module. */
  String descriptor(EngineVersion engine, String pluginClass) {
    return String.join(
        "\n",
        "# Written by index-migrator: the integ-test distribution ships without this module.",
        "description=" + description,
        "version=" + engine.version(),
        "name=" + name,
        "classname=" + pluginClass,
        "java.version=" + engine.minJava(),
        engine.distribution().descriptorVersionKey() + "=" + engine.version(),
        "extended.plugins="
            + String.join(",", extendedPlugins.stream().map(MavenModule::name).toList()),
        "has.native.controller=false",
        "");
  }

  /** The plugin class in the module jar, whichever vendor package and naming it uses. */
  String pluginClass(Path moduleJar) throws IOException {
    try (JarFile jar = new JarFile(moduleJar.toFile())) {
      for (String candidate : classNames) {
        for (String vendor : List.of("org/opensearch/", "org/elasticsearch/")) {
          if (jar.getEntry(vendor + candidate + ".class") != null) {
            return (vendor + candidate).replace('/', '.');
          }
        }
      }
    }
    throw new IOException("no " + name + " plugin class " + classNames + " in " + moduleJar);
  }

  Path directory(Path home) {
    return home.resolve("modules").resolve(name);
  }

  boolean isShippedWith(Path home) {
    return Files.exists(directory(home).resolve("plugin-descriptor.properties"));
  }

  /**
   * Writes the module into {@code <home>/modules/<name>} unless the distribution ships it (the
   * OpenSearch 3 zips do). Modules it extends must have been assembled first.
   *
   * @return the jars copied into the module; empty when the distribution had the module
   */
  List<MavenArtifacts.Jar> assemble(Path home, EngineVersion engine, MavenArtifacts maven)
      throws IOException {
    if (isShippedWith(home)) {
      return List.of();
    }
    List<MavenArtifacts.Jar> resolved = maven.resolveWithDependencies(coordinates(engine));
    Set<String> visible = new TreeSet<>(ReindexModule.artifactIdsIn(home.resolve("lib")));
    for (MavenModule parent : extendedPlugins) {
      visible.addAll(ReindexModule.artifactIdsIn(parent.directory(home)));
    }
    List<MavenArtifacts.Jar> needed = ReindexModule.jarsToInstall(resolved, visible);
    Path module = Files.createDirectories(directory(home));
    for (MavenArtifacts.Jar jar : needed) {
      Files.copy(
          jar.file(),
          module.resolve(jar.artifactId() + "-" + jar.version() + ".jar"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(
        module.resolve("plugin-descriptor.properties"),
        descriptor(engine, pluginClass(resolved.get(0).file())),
        StandardCharsets.UTF_8);
    if (securityPolicy != null) {
      Files.writeString(
          module.resolve("plugin-security.policy"), securityPolicy, StandardCharsets.UTF_8);
    }
    return needed;
  }
}
