package io.indexmigrator.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReindexModuleTest {

  @Test
  void artifactIdOf_stripsVersionsIncludingOddOnes() {
    assertThat(ReindexModule.artifactIdOf("opensearch-core-2.19.6.jar"))
        .isEqualTo("opensearch-core");
    assertThat(ReindexModule.artifactIdOf("log4j-api-2.25.4.jar")).isEqualTo("log4j-api");
    assertThat(ReindexModule.artifactIdOf("zstd-jni-1.5.5-5.jar")).isEqualTo("zstd-jni");
    assertThat(ReindexModule.artifactIdOf("HdrHistogram-2.2.2.jar")).isEqualTo("HdrHistogram");
    assertThat(ReindexModule.artifactIdOf("jackson-core-3.2.1.jar")).isEqualTo("jackson-core");
    assertThat(ReindexModule.artifactIdOf("README.txt")).isNull();
    assertThat(ReindexModule.artifactIdOf("tools")).isNull();
  }

  @Test
  void jarsToInstall_leavesOutWhatLibAlreadyHas(@TempDir Path home) throws IOException {
    Path lib = Files.createDirectories(home.resolve("lib"));
    for (String name : List.of("opensearch-core-2.19.6.jar", "jackson-core-2.18.8.jar")) {
      Files.createFile(lib.resolve(name));
    }
    Files.createDirectories(lib.resolve("tools"));
    List<MavenArtifacts.Jar> resolved =
        List.of(
            jar("org.opensearch.plugin", "reindex-client", "2.19.6"),
            jar("org.opensearch.client", "opensearch-rest-client", "2.19.6"),
            jar("org.opensearch", "opensearch-core", "2.19.6"),
            jar("com.fasterxml.jackson.core", "jackson-core", "2.17.0"),
            jar("org.apache.httpcomponents", "httpclient", "4.5.14"));

    Set<String> inLib = ReindexModule.artifactIdsIn(lib);
    List<MavenArtifacts.Jar> toInstall = ReindexModule.jarsToInstall(resolved, inLib);

    assertThat(inLib).containsExactly("jackson-core", "opensearch-core");
    assertThat(toInstall)
        .extracting(MavenArtifacts.Jar::artifactId)
        .containsExactly("reindex-client", "opensearch-rest-client", "httpclient");
  }

  @Test
  void descriptor_namesTheModuleItsClassAndTheEngineVersion() throws IOException {
    Properties os =
        load(
            ReindexModule.descriptor(
                EngineVersion.parse("opensearch:2.19.6"),
                "org.opensearch.index.reindex.ReindexPlugin"));
    Properties es =
        load(
            ReindexModule.descriptor(
                EngineVersion.parse("elasticsearch"),
                "org.elasticsearch.index.reindex.ReindexPlugin"));

    assertThat(os)
        .containsEntry("name", "reindex")
        .containsEntry("classname", "org.opensearch.index.reindex.ReindexPlugin")
        .containsEntry("version", "2.19.6")
        .containsEntry("opensearch.version", "2.19.6")
        .containsEntry("java.version", "11")
        .containsKey("description")
        .doesNotContainKey("elasticsearch.version");
    assertThat(es)
        .containsEntry("elasticsearch.version", "7.10.2")
        .containsEntry("classname", "org.elasticsearch.index.reindex.ReindexPlugin")
        .doesNotContainKey("opensearch.version");
  }

  @Test
  void securityPolicy_allowsOutgoingConnectionsForRemoteReindex() {
    assertThat(ReindexModule.securityPolicy())
        .contains("permission java.net.SocketPermission \"*\", \"connect,resolve\";");
  }

  @Test
  void pluginClass_findsTheRenamedOpenSearch3Class(@TempDir Path dir) throws IOException {
    Path old = jarWith(dir.resolve("old.jar"), "org/opensearch/index/reindex/ReindexPlugin.class");
    Path renamed =
        jarWith(dir.resolve("new.jar"), "org/opensearch/index/reindex/ReindexModulePlugin.class");
    Path es = jarWith(dir.resolve("es.jar"), "org/elasticsearch/index/reindex/ReindexPlugin.class");

    assertThat(ReindexModule.pluginClass(old))
        .isEqualTo("org.opensearch.index.reindex.ReindexPlugin");
    assertThat(ReindexModule.pluginClass(renamed))
        .isEqualTo("org.opensearch.index.reindex.ReindexModulePlugin");
    assertThat(ReindexModule.pluginClass(es))
        .isEqualTo("org.elasticsearch.index.reindex.ReindexPlugin");
  }

  private static Path jarWith(Path file, String entry) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
      out.putNextEntry(new JarEntry(entry));
      out.closeEntry();
    }
    return file;
  }

  private static Properties load(String text) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }

  private static MavenArtifacts.Jar jar(String group, String artifact, String version) {
    return new MavenArtifacts.Jar(group, artifact, version, Path.of(artifact + ".jar"));
  }
}
