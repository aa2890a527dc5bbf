package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionSpecTest {

  @Test
  void badSpecsAreRejectedWithTheFunctionNamed() {
    assertThatThrownBy(() -> spec("reindex", List.of(), Duration.ofSeconds(3), 1))
        .hasMessageContaining("reindex")
        .hasMessageContaining("classpath");
    assertThatThrownBy(() -> spec("reindex", List.of(Path.of("f.jar")), Duration.ZERO, 1))
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> spec("reindex", List.of(Path.of("f.jar")), Duration.ofSeconds(3), 0))
        .hasMessageContaining("maxConcurrency");
    assertThatThrownBy(() -> spec("re index", List.of(Path.of("f.jar")), Duration.ofSeconds(3), 1))
        .hasMessageContaining("not a valid Lambda name");
  }

  @Test
  void hostRefusesAFunctionWhoseCodeIsMissing(@TempDir Path workDir) {
    FunctionSpec spec =
        spec("reindex", List.of(workDir.resolve("missing.jar")), Duration.ofSeconds(3), 1);

    assertThatThrownBy(() -> LocalLambdaHost.start(0, List.of(spec), List.of(), null, workDir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Function reindex: classpath entry "
                + workDir.resolve("missing.jar")
                + " does not exist");
  }

  @Test
  void reservedVariablesWinButCredentialsMayBeGiven() {
    FunctionSpec spec =
        new FunctionSpec(
            "reindex",
            "io.example.Handler::handleRequest",
            List.of(Path.of("f.jar")),
            Map.of(
                "AWS_REGION", "eu-north-1",
                "AWS_ACCESS_KEY_ID", "twin-key",
                "TABLE_NAME", "migrations"),
            Duration.ofSeconds(3),
            1024,
            1);

    Map<String, String> env =
        ExecutionEnvironment.lambdaEnvironment(
            spec, "us-east-1", "reindex-1", Path.of("/tmp/task"), "127.0.0.1:1234");

    assertThat(env)
        .containsEntry("AWS_REGION", "us-east-1")
        .containsEntry("AWS_DEFAULT_REGION", "us-east-1")
        .containsEntry("AWS_ACCESS_KEY_ID", "twin-key")
        .containsEntry("TABLE_NAME", "migrations")
        .containsEntry("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .containsEntry("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .containsEntry("_HANDLER", "io.example.Handler::handleRequest")
        .containsEntry("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1234")
        .containsEntry("TZ", ":UTC");
  }

  private static FunctionSpec spec(
      String name, List<Path> classpath, Duration timeout, int maxConcurrency) {
    return new FunctionSpec(
        name, "io.example.Handler", classpath, Map.of(), timeout, 256, maxConcurrency);
  }
}
