package io.indexmigrator.local.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.local.cluster.EngineVersion;
import io.indexmigrator.local.template.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTwinTest {
  @TempDir Path dir;

  private Path templateWithHandler(String handler, String codeUri) throws IOException {
    Files.writeString(
        dir.resolve("m.asl.json"), "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Succeed\"}}}");
    Path template = dir.resolve("template.yaml");
    Files.writeString(
        template,
        """
        Parameters:
          ClusterEndpoint: {Type: String}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: %s
              CodeUri: %s
        """
            .formatted(handler, codeUri));
    return template;
  }

  private Path jarWith(String classEntry) throws IOException {
    Path jar = dir.resolve("code.jar");
    try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new ZipEntry(classEntry));
      out.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
      out.closeEntry();
    }
    return jar;
  }

  private TwinOptions options(Path template) {
    return new TwinOptions(
        dir.resolve("state"), template, EngineVersion.DEFAULT, Optional.empty(), "t");
  }

  @Test
  void start_shouldNameTheHandler_whenTheCodeDoesNotContainIt() throws IOException {
    jarWith("com/example/Present.class");
    Path template = templateWithHandler("com.example.Missing::handleRequest", "code.jar");
    long before = ProcessHandle.current().descendants().count();

    assertThatThrownBy(() -> LocalTwin.start(options(template)))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("function Fn: handler class com.example.Missing is not in")
        .hasMessageContaining("code.jar");
    // It failed before starting anything slow: no cluster, no environment.
    assertThat(ProcessHandle.current().descendants().count()).isEqualTo(before);
  }

  @Test
  void start_shouldSayHowToBuild_whenTheCodeUriDoesNotExist() throws IOException {
    Path template = templateWithHandler("com.example.Fn", "target/none.jar");

    assertThatThrownBy(() -> LocalTwin.start(options(template)))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("CodeUri")
        .hasMessageContaining("does not exist")
        .hasMessageContaining("mvn -DskipTests package");
  }

  @Test
  void requireHandlerInCode_shouldAccept_aHandlerThatIsThere() throws IOException {
    jarWith("com/example/Present.class");
    Path template = templateWithHandler("com.example.Present::handleRequest", "code.jar");
    var fn =
        io.indexmigrator.local.template.SamTemplate.load(
                template,
                io.indexmigrator.local.template.LocalAccount.of("t", "http://127.0.0.1:1"),
                java.util.Map.of("ClusterEndpoint", "http://x"))
            .function("Fn");

    LocalTwin.requireHandlerInCode(fn);
  }

  @Test
  void snake_shouldTurnLogicalIdsIntoVariableNames() {
    assertThat(TwinState.snake("SmokeDeadLetterQueue")).isEqualTo("SMOKE_DEAD_LETTER_QUEUE");
    assertThat(TwinState.snake("StateTable")).isEqualTo("STATE_TABLE");
  }
}
