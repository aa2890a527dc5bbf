package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.local.lambda.testfns.EchoHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Execution environments must not outlive a host that is killed outright (no shutdown hook runs):
 * both an idle one (waiting in {@code next}) and a busy one (inside a long handler call).
 */
class OrphanedEnvironmentIT {

  @Test
  void environmentsDieWithAKilledHost() throws Exception {
    Path workDir = Path.of("target", "lambda-orphan-it").toAbsolutePath();
    Process host =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                HostMain.class.getName(),
                workDir.toString())
            .redirectErrorStream(true)
            .start();
    List<Long> environments;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("ENVIRONMENTS="));
      assertThat(line).as("host process output").isNotNull();
      environments =
          Arrays.stream(line.substring("ENVIRONMENTS=".length()).split(","))
              .map(Long::parseLong)
              .toList();
      assertThat(environments).hasSize(2).allMatch(OrphanedEnvironmentIT::alive);

      host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } finally {
      host.destroyForcibly();
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (environments.stream().anyMatch(OrphanedEnvironmentIT::alive)
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(environments).noneMatch(OrphanedEnvironmentIT::alive);
  }

  @Test
  void closeStopsEveryEnvironment() throws Exception {
    List<FunctionSpec> functions =
        List.of(
            TestFunctions.function("first", EchoHandler.class, Duration.ofSeconds(30), 2, Map.of()),
            TestFunctions.function(
                "second", EchoHandler.class, Duration.ofSeconds(30), 1, Map.of()));
    List<Long> environments;
    try (LocalLambdaHost host =
            LocalLambdaHost.start(
                0, functions, List.of(), null, Path.of("target", "lambda-close-it"));
        var lambda = TestFunctions.lambdaClient(host)) {
      for (String function : List.of("first", "second")) {
        lambda.invoke(r -> r.functionName(function));
      }
      environments = ProcessHandle.current().children().map(ProcessHandle::pid).toList();
      assertThat(environments).hasSize(2).allMatch(OrphanedEnvironmentIT::alive);
    }

    assertThat(environments).noneMatch(OrphanedEnvironmentIT::alive);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** A host in its own JVM with one idle and one busy environment; prints their pids. */
  public static final class HostMain {
    public static void main(String[] args) throws Exception {
      FunctionSpec idle =
          TestFunctions.function("idle", EchoHandler.class, Duration.ofMinutes(10), 1, Map.of());
      FunctionSpec busy =
          TestFunctions.function("busy", EchoHandler.class, Duration.ofMinutes(10), 1, Map.of());
      LocalLambdaHost lambdaHost =
          LocalLambdaHost.start(0, List.of(idle, busy), List.of(), null, Path.of(args[0]));
      HttpClient http = HttpClient.newHttpClient();
      http.send(
          invocation(lambdaHost, "idle", "RequestResponse", "{}"),
          HttpResponse.BodyHandlers.ofString());
      http.send(
          invocation(lambdaHost, "busy", "Event", "{\"sleepMs\":600000}"),
          HttpResponse.BodyHandlers.ofString());
      Thread.sleep(3000);
      List<String> pids =
          ProcessHandle.current().children().map(p -> Long.toString(p.pid())).toList();
      System.out.println("ENVIRONMENTS=" + String.join(",", pids));
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }

    private static HttpRequest invocation(
        LocalLambdaHost host, String function, String type, String payload) {
      return HttpRequest.newBuilder(
              URI.create(host.endpoint() + "/2015-03-31/functions/" + function + "/invocations"))
          .header("X-Amz-Invocation-Type", type)
          .POST(HttpRequest.BodyPublishers.ofString(payload))
          .build();
    }
  }
}
