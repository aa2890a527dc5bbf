package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.indexmigrator.local.lambda.testfns.BrokenInitHandler;
import io.indexmigrator.local.lambda.testfns.EchoHandler;
import io.indexmigrator.local.lambda.testfns.ExitingHandler;
import io.indexmigrator.local.lambda.testfns.MemoryHogHandler;
import io.indexmigrator.local.lambda.testfns.ThrowingHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** The host behind the real Lambda Invoke API, driven by the AWS SDK v2 {@link LambdaClient}. */
class LocalLambdaHostIT {

  /** Kept after the run: each environment's log is there for post-mortems. */
  static final Path workDir = Path.of("target", "lambda-host-it");

  static LocalLambdaHost host;
  static LambdaClient lambda;

  @BeforeAll
  static void startHost() {
    host =
        LocalLambdaHost.start(
            0,
            List.of(
                TestFunctions.function(
                    "echo",
                    EchoHandler.class,
                    Duration.ofSeconds(30),
                    3,
                    Map.of("GREETING", "hej")),
                TestFunctions.function(
                    "latency-probe", EchoHandler.class, Duration.ofSeconds(30), 1, Map.of()),
                TestFunctions.function(
                    "serial-echo", EchoHandler.class, Duration.ofSeconds(30), 1, Map.of()),
                TestFunctions.function(
                    "sleepy", EchoHandler.class, Duration.ofSeconds(2), 1, Map.of()),
                TestFunctions.function(
                    "thrower", ThrowingHandler.class, Duration.ofSeconds(30), 1, Map.of()),
                TestFunctions.function(
                    "exiter", ExitingHandler.class, Duration.ofSeconds(30), 1, Map.of()),
                new FunctionSpec(
                    "hog",
                    MemoryHogHandler.class.getName(),
                    TestFunctions.classpath(),
                    Map.of(),
                    Duration.ofSeconds(30),
                    128,
                    1),
                TestFunctions.function(
                    "broken-init", BrokenInitHandler.class, Duration.ofSeconds(30), 1, Map.of()),
                new FunctionSpec(
                    "missing-class",
                    "io.indexmigrator.nowhere.NoHandler::handleRequest",
                    TestFunctions.classpath(),
                    Map.of(),
                    Duration.ofSeconds(30),
                    128,
                    1)),
            List.of(),
            null,
            workDir);
    lambda = TestFunctions.lambdaClient(host);
  }

  @AfterAll
  static void stopHost() {
    if (lambda != null) {
      lambda.close();
    }
    if (host != null) {
      host.close();
    }
  }

  @Test
  void payloadRoundTripsAndTheFunctionSeesItsEnvironment() throws Exception {
    InvokeResponse response = invoke("echo", "{\"index\":\"products-v2\",\"docs\":[1,2,3]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.functionError()).isNull();
    assertThat(response.executedVersion()).isEqualTo("$LATEST");
    JsonNode out = json(response);
    assertThat(out.get("input").toString())
        .isEqualTo("{\"index\":\"products-v2\",\"docs\":[1,2,3]}");
    JsonNode env = out.get("env");
    assertThat(env.get("GREETING").asText()).isEqualTo("hej");
    assertThat(env.get("AWS_LAMBDA_FUNCTION_NAME").asText()).isEqualTo("echo");
    assertThat(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText()).isEqualTo("256");
    assertThat(env.get("AWS_LAMBDA_FUNCTION_VERSION").asText()).isEqualTo("$LATEST");
    assertThat(env.get("AWS_REGION").asText()).isEqualTo("us-east-1");
    assertThat(env.get("_HANDLER").asText()).isEqualTo(EchoHandler.class.getName());
    assertThat(env.get("TZ").asText()).isEqualTo(":UTC");
    assertThat(env.get("AWS_ACCESS_KEY_ID").asText()).isNotEmpty();
    assertThat(out.get("requestId").asText()).isEqualTo(response.responseMetadata().requestId());
    assertThat(out.get("remainingMs").asLong()).isBetween(1L, 30_000L);
    assertThat(out.get("maxHeapMb").asLong()).isLessThanOrEqualTo(256);
    assertThat(out.get("invokedFunctionArn").asText())
        .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:echo");
  }

  @Test
  void tailOfTheLogComesBackOnRequest() {
    InvokeResponse response =
        lambda.invoke(
            r ->
                r.functionName("echo")
                    .logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{}")));

    String requestId = response.responseMetadata().requestId();
    String log =
        new String(Base64.getDecoder().decode(response.logResult()), StandardCharsets.UTF_8);
    assertThat(log)
        .startsWith("START RequestId: " + requestId + " Version: $LATEST\n")
        .contains("echoing for " + requestId)
        .contains("END RequestId: " + requestId + "\n")
        .containsPattern(
            "REPORT RequestId: "
                + requestId
                + "\tDuration: [0-9.]+ ms\tBilled Duration: [0-9]+ ms\tMemory Size: 256 MB");
  }

  @Test
  void functionsCanBeAddressedByArn() throws Exception {
    InvokeResponse response =
        invoke("arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST", "{\"n\":1}");

    assertThat(response.functionError()).isNull();
    assertThat(json(response).at("/input/n").asInt()).isEqualTo(1);
  }

  @Test
  void customExceptionComesBackAsUnhandledWithItsClassName() throws Exception {
    InvokeResponse response = invoke("thrower", "{\"index\":\"logs-2024\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.functionError()).isEqualTo("Unhandled");
    JsonNode error = json(response);
    assertThat(error.get("errorType").asText())
        .isEqualTo("io.indexmigrator.local.lambda.testfns.IndexCorruptedException");
    assertThat(error.get("errorMessage").asText()).isEqualTo("index logs-2024 is corrupted");
    assertThat(error.get("stackTrace").isArray()).isTrue();
    assertThat(error.get("stackTrace").get(0).asText()).contains("ThrowingHandler.handleRequest");

    // The environment survives a handled exception, as on Lambda.
    int coldStarts = host.coldStarts("thrower");
    assertThat(invoke("thrower", "{}").functionError()).isEqualTo("Unhandled");
    assertThat(host.coldStarts("thrower")).isEqualTo(coldStarts);
  }

  @Test
  void timeoutKillsTheEnvironmentAndTheNextInvocationGetsAFreshOne() throws Exception {
    long pidBefore = json(invoke("sleepy", "{}")).get("pid").asLong();
    int coldStarts = host.coldStarts("sleepy");

    long start = System.nanoTime();
    InvokeResponse timedOut = invoke("sleepy", "{\"sleepMs\":20000}");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(timedOut.functionError()).isEqualTo("Unhandled");
    JsonNode error = json(timedOut);
    assertThat(error.get("errorType").asText()).isEqualTo("Sandbox.Timedout");
    assertThat(error.get("errorMessage").asText())
        .isEqualTo(timedOut.responseMetadata().requestId() + " Task timed out after 2.00 seconds");
    assertThat(elapsedMs).isBetween(2_000L, 6_000L);
    assertThat(ProcessHandle.of(pidBefore).map(ProcessHandle::isAlive).orElse(false)).isFalse();

    InvokeResponse next = invoke("sleepy", "{\"sleepMs\":10}");
    assertThat(next.functionError()).isNull();
    assertThat(json(next).get("pid").asLong()).isNotEqualTo(pidBefore);
    assertThat(host.coldStarts("sleepy")).isEqualTo(coldStarts + 1);
  }

  @Test
  void exitingRuntimeIsReportedAsRuntimeExitError() throws Exception {
    long pid = json(invoke("exiter", "{}")).asLong();

    InvokeResponse crashed = invoke("exiter", "{\"exit\":true}");

    assertThat(crashed.functionError()).isEqualTo("Unhandled");
    JsonNode error = json(crashed);
    assertThat(error.get("errorType").asText()).isEqualTo("Runtime.ExitError");
    assertThat(error.get("errorMessage").asText())
        .isEqualTo(
            "RequestId: "
                + crashed.responseMetadata().requestId()
                + " Error: Runtime exited with error: exit status 3");
    InvokeResponse next = invoke("exiter", "{}");
    assertThat(next.functionError()).isNull();
    assertThat(json(next).asLong()).isNotEqualTo(pid);
  }

  @Test
  void outOfMemoryIsReportedAndTheNextInvocationGetsAFreshEnvironment() throws Exception {
    long pid = json(invoke("hog", "{}")).asLong();

    InvokeResponse exhausted = invoke("hog", "{\"hog\":true}");

    assertThat(exhausted.functionError()).isEqualTo("Unhandled");
    assertThat(json(exhausted).get("errorType").asText()).isEqualTo("java.lang.OutOfMemoryError");
    // The runtime client exits after a fatal error; the next invocation must not inherit that.
    InvokeResponse next = invoke("hog", "{}");
    assertThat(next.functionError()).as(next.payload().asUtf8String()).isNull();
    assertThat(json(next).asLong()).isNotEqualTo(pid);
  }

  @Test
  void constructorFailureIsAnInitError() throws Exception {
    InvokeResponse response = invoke("broken-init", "{}");

    assertThat(response.functionError()).isEqualTo("Unhandled");
    JsonNode error = json(response);
    assertThat(error.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(error.get("errorMessage").asText()).contains("SOURCE_CLUSTER_URL is not set");
  }

  @Test
  void missingHandlerClassIsReported() throws Exception {
    InvokeResponse response = invoke("missing-class", "{}");

    assertThat(response.functionError()).isEqualTo("Unhandled");
    JsonNode error = json(response);
    assertThat(error.get("errorType").asText()).isEqualTo("java.lang.ClassNotFoundException");
    assertThat(error.get("errorMessage").asText()).contains("io.indexmigrator.nowhere.NoHandler");
  }

  @Test
  void unknownFunctionIsResourceNotFound() {
    assertThatThrownBy(() -> invoke("no-such-function", "{}"))
        .isInstanceOfSatisfying(
            ResourceNotFoundException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(404);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
              assertThat(e.awsErrorDetails().errorMessage())
                  .isEqualTo(
                      "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function");
            });
  }

  @Test
  void eventAndDryRunInvocationsAreAccepted() {
    InvokeResponse event =
        lambda.invoke(
            r ->
                r.functionName("echo")
                    .invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("{}")));
    InvokeResponse dryRun =
        lambda.invoke(
            r ->
                r.functionName("echo")
                    .invocationType(InvocationType.DRY_RUN)
                    .payload(SdkBytes.fromUtf8String("{}")));

    assertThat(event.statusCode()).isEqualTo(202);
    assertThat(dryRun.statusCode()).isEqualTo(204);
  }

  @Test
  void parallelInvocationsRunInSeparateEnvironmentsUpToTheLimit() throws Exception {
    Set<Long> parallelPids = pidsOfParallelInvocations("echo", 3, 1500);
    Set<Long> serialPids = pidsOfParallelInvocations("serial-echo", 3, 300);

    assertThat(parallelPids).hasSize(3);
    // Above maxConcurrency invocations queue for the one environment instead of failing.
    assertThat(serialPids).hasSize(1);
  }

  @Test
  void coldAndWarmLatency() throws Exception {
    long coldStart = System.nanoTime();
    assertThat(host.coldStarts("latency-probe")).isZero();
    invoke("latency-probe", "{\"sleepMs\":0}");
    long coldMs = (System.nanoTime() - coldStart) / 1_000_000;
    int warmRuns = 20;
    long warmStart = System.nanoTime();
    for (int i = 0; i < warmRuns; i++) {
      assertThat(invoke("latency-probe", "{\"i\":" + i + "}").functionError()).isNull();
    }
    double warmMs = (System.nanoTime() - warmStart) / 1e6 / warmRuns;

    System.out.printf(
        "Lambda host latency: cold invoke %d ms, warm invoke %.1f ms (mean of %d)%n",
        coldMs, warmMs, warmRuns);
    assertThat(host.coldStarts("latency-probe")).isEqualTo(1);
    assertThat(warmMs).isLessThan(coldMs);
  }

  private static Set<Long> pidsOfParallelInvocations(String function, int count, int sleepMs)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      List<Future<InvokeResponse>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        futures.add(pool.submit(() -> invoke(function, "{\"sleepMs\":" + sleepMs + "}")));
      }
      Set<Long> pids = new HashSet<>();
      for (Future<InvokeResponse> future : futures) {
        InvokeResponse response = future.get();
        assertThat(response.functionError()).as(response.payload().asUtf8String()).isNull();
        pids.add(json(response).get("pid").asLong());
      }
      return pids;
    } finally {
      pool.shutdownNow();
    }
  }

  private static InvokeResponse invoke(String function, String payload) {
    return lambda.invoke(r -> r.functionName(function).payload(SdkBytes.fromUtf8String(payload)));
  }

  private static JsonNode json(InvokeResponse response) throws Exception {
    return JsonText.MAPPER.readTree(response.payload().asUtf8String());
  }
}
