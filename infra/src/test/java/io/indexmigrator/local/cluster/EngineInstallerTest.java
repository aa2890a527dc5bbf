package io.indexmigrator.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Installs a miniature engine from a file:// Maven repository laid out like Central. */
class EngineInstallerTest {

  private static final EngineVersion ENGINE = EngineVersion.parse("opensearch:2.19.6");
  private static final String INSTALL = "opensearch-2.19.6-" + EngineInstaller.LAYOUT;

  @TempDir Path dir;
  private Path remote;
  private MavenArtifacts maven;

  @BeforeEach
  void fakeCentral() throws IOException {
    remote = dir.resolve("remote");
    zip(
        remote.resolve(
            "org/opensearch/distribution/integ-test-zip/opensearch/2.19.6/opensearch-2.19.6.zip"),
        Map.of(
            "opensearch-2.19.6/bin/opensearch", "#!/bin/bash\n",
            "opensearch-2.19.6/lib/opensearch-core-2.19.6.jar", "",
            "opensearch-2.19.6/config/jvm.options", "-Xss1m\n",
            "opensearch-2.19.6/modules/transport-netty4/plugin-descriptor.properties", ""));
    publishJar(
        "org.opensearch.plugin",
        "reindex-client",
        "2.19.6",
        "org/opensearch/index/reindex/ReindexPlugin.class",
        "org.opensearch:opensearch-core:2.19.6",
        "org.apache.httpcomponents:httpclient:4.5.14");
    publishJar("org.opensearch", "opensearch-core", "2.19.6", "Core.class");
    publishJar(
        "org.opensearch.plugin",
        "lang-painless",
        "2.19.6",
        "org/opensearch/painless/PainlessPlugin.class",
        "org.opensearch.plugin:opensearch-scripting-painless-spi:2.19.6",
        "org.opensearch:opensearch-core:2.19.6");
    publishJar("org.opensearch.plugin", "opensearch-scripting-painless-spi", "2.19.6", "Spi.class");
    publishJar(
        "org.opensearch.plugin",
        "ingest-common",
        "2.19.6",
        "org/opensearch/ingest/common/IngestCommonPlugin.class",
        "org.opensearch:opensearch-grok:2.19.6",
        "org.opensearch.plugin:opensearch-scripting-painless-spi:2.19.6");
    publishJar("org.opensearch", "opensearch-grok", "2.19.6", "Grok.class");
    publishJar("org.apache.httpcomponents", "httpclient", "4.5.14", "Client.class");
    writeChecksums(remote);
    maven = new MavenArtifacts(dir.resolve("local-repo"), remote.toUri().toString());
  }

  /** Central serves a .sha1 next to every file; without them the resolver warns loudly. */
  private static void writeChecksums(Path repository) throws IOException {
    try (Stream<Path> files = Files.walk(repository)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path sha1 = file.resolveSibling(file.getFileName() + ".sha1");
        Files.writeString(sha1, HexFormat.of().formatHex(sha1Of(file)));
      }
    }
  }

  private static byte[] sha1Of(Path file) throws IOException {
    try {
      return MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void install_unpacksTheZipAndAddsTheReindexModuleWithoutJarsLibHas() throws IOException {
    Path cache = dir.resolve("cache");

    Path home = new EngineInstaller(cache, maven).install(ENGINE);

    assertThat(home).isEqualTo(cache.resolve(INSTALL));
    assertThat(home.resolve("bin/opensearch")).isExecutable();
    assertThat(Files.getPosixFilePermissions(home.resolve("config/jvm.options")))
        .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(home.resolve("plugins")).isDirectory();
    Path module = home.resolve("modules/reindex");
    assertThat(fileNames(module))
        .containsExactlyInAnyOrder(
            "reindex-client-2.19.6.jar",
            "httpclient-4.5.14.jar",
            "plugin-descriptor.properties",
            "plugin-security.policy");
    assertThat(Files.readString(module.resolve("plugin-descriptor.properties")))
        .contains("classname=org.opensearch.index.reindex.ReindexPlugin");
    assertThat(fileNames(cache)).containsExactly(INSTALL);
  }

  @Test
  void install_addsPainlessAndIngestCommonWithoutJarsTheEngineOrPainlessHas() throws IOException {
    Path home = new EngineInstaller(dir.resolve("cache"), maven).install(ENGINE);

    Path painless = home.resolve("modules/lang-painless");
    assertThat(fileNames(painless))
        .containsExactlyInAnyOrder(
            "lang-painless-2.19.6.jar",
            "opensearch-scripting-painless-spi-2.19.6.jar",
            "plugin-descriptor.properties",
            "plugin-security.policy");
    assertThat(Files.readString(painless.resolve("plugin-descriptor.properties")))
        .contains("classname=org.opensearch.painless.PainlessPlugin")
        .contains("opensearch.version=2.19.6")
        .contains("extended.plugins=\n");
    Path ingest = home.resolve("modules/ingest-common");
    assertThat(fileNames(ingest))
        .as("the painless SPI comes from the extended lang-painless, not a second copy")
        .containsExactlyInAnyOrder(
            "ingest-common-2.19.6.jar",
            "opensearch-grok-2.19.6.jar",
            "plugin-descriptor.properties");
    assertThat(Files.readString(ingest.resolve("plugin-descriptor.properties")))
        .contains("classname=org.opensearch.ingest.common.IngestCommonPlugin")
        .contains("extended.plugins=lang-painless\n");
  }

  @Test
  void install_rebuildsAnEngineCachedByAnOlderLayoutInsteadOfReusingIt() throws IOException {
    Path cache = dir.resolve("cache");
    Path oldLayout = Files.createDirectories(cache.resolve("opensearch-2.19.6/modules/reindex"));

    Path home = new EngineInstaller(cache, maven).install(ENGINE);

    assertThat(home).isNotEqualTo(oldLayout.getParent().getParent());
    assertThat(home.resolve("modules/lang-painless/plugin-descriptor.properties")).exists();
    assertThat(home.resolve("modules/ingest-common/plugin-descriptor.properties")).exists();
  }

  @Test
  void install_reusesAnExistingInstallWithoutTheNetwork() throws IOException {
    Path cache = dir.resolve("cache");
    Path first = new EngineInstaller(cache, maven).install(ENGINE);
    MavenArtifacts unreachable =
        new MavenArtifacts(dir.resolve("empty-local"), dir.resolve("nowhere").toUri().toString());

    Path second = new EngineInstaller(cache, unreachable).install(ENGINE);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void install_fromConcurrentLaunchersEndsWithOneCompleteInstall() throws Exception {
    Path cache = dir.resolve("cache");
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Callable<Path> install = () -> new EngineInstaller(cache, maven).install(ENGINE);
      List<Future<Path>> results = pool.invokeAll(List.of(install, install, install));
      for (Future<Path> result : results) {
        assertThat(result.get()).isEqualTo(cache.resolve(INSTALL));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fileNames(cache)).containsExactly(INSTALL);
    assertThat(cache.resolve(INSTALL + "/modules/reindex/plugin-descriptor.properties")).exists();
  }

  @Test
  void install_namesTheArtifactWhenItCannotBeResolved() {
    EngineVersion missing = EngineVersion.parse("opensearch:2.99.0");

    assertThatThrownBy(() -> new EngineInstaller(dir.resolve("cache"), maven).install(missing))
        .hasMessageContaining("org.opensearch.distribution.integ-test-zip:opensearch:zip:2.99.0")
        .hasMessageContaining(remote.toUri().toString());
  }

  @Test
  void unzip_rejectsEntriesThatEscapeTheTarget() throws IOException {
    Path evil = dir.resolve("evil.zip");
    zip(evil, Map.of("opensearch-2.19.6/../../escaped", "x"));

    assertThatThrownBy(
            () -> EngineInstaller.unzipStrippingTopDirectory(evil, dir.resolve("target")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("escapes");
    assertThat(dir.resolve("escaped")).doesNotExist();
  }

  private void publishJar(
      String group, String artifact, String version, String entry, String... dependencies)
      throws IOException {
    Path folder = remote.resolve(group.replace('.', '/')).resolve(artifact).resolve(version);
    Files.createDirectories(folder);
    try (JarOutputStream out =
        new JarOutputStream(
            Files.newOutputStream(folder.resolve(artifact + "-" + version + ".jar")))) {
      out.putNextEntry(new JarEntry(entry));
      out.closeEntry();
    }
    StringBuilder deps = new StringBuilder();
    for (String d : dependencies) {
      String[] gav = d.split(":");
      deps.append("<dependency><groupId>")
          .append(gav[0])
          .append("</groupId><artifactId>")
          .append(gav[1])
          .append("</artifactId><version>")
          .append(gav[2])
          .append("</version></dependency>");
    }
    Files.writeString(
        folder.resolve(artifact + "-" + version + ".pom"),
        "<project><modelVersion>4.0.0</modelVersion><groupId>"
            + group
            + "</groupId><artifactId>"
            + artifact
            + "</artifactId><version>"
            + version
            + "</version><dependencies>"
            + deps
            + "</dependencies></project>");
  }

  private static void zip(Path file, Map<String, String> entries) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream raw = Files.newOutputStream(file);
        ZipOutputStream out = new ZipOutputStream(raw)) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
