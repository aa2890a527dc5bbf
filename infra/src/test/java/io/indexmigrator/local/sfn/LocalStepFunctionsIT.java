package io.indexmigrator.local.sfn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InvalidExecutionInputException;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;

/**
 * Our ASL test definitions run by the local Step Functions service, observed only through {@link
 * SfnClient}.
 */
class LocalStepFunctionsIT {

  private static final String ACCOUNT = "000000000000";
  private static final String ROLE_ARN = "arn:aws:iam::" + ACCOUNT + ":role/migrator-state-machine";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path stateDir;

  private static FakeLambda lambda;
  private static LocalStepFunctions service;
  private static SfnClient sfn;
  private static final AtomicInteger flakyCalls = new AtomicInteger();
  private static final Map<String, List<Instant>> countedCalls = new ConcurrentHashMap<>();

  @BeforeAll
  static void startService() throws IOException {
    lambda = new FakeLambda();
    lambda.define(
        "Double",
        event ->
            FakeLambda.Reply.ok(
                "{\"doubled\":"
                    + event.get("value").asInt() * 2
                    + ",\"executionName\":\""
                    + event.get("executionName").asText()
                    + "\"}"));
    lambda.define(
        "Flaky",
        event ->
            flakyCalls.incrementAndGet() <= 2
                ? FakeLambda.Reply.error("com.example.TransientException", "try again later")
                : FakeLambda.Reply.ok("{\"attempts\":" + flakyCalls.get() + "}"));
    lambda.define(
        "Fatal",
        event -> FakeLambda.Reply.error("com.example.FatalException", "index is read-only"));
    // Fails `failTimes` times per execution and key with the requested error type, then succeeds.
    lambda.define(
        "Counted",
        event -> {
          String key = event.get("executionId").asText() + "/" + event.get("key").asText();
          List<Instant> calls =
              countedCalls.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
          calls.add(Instant.now());
          return calls.size() <= event.get("failTimes").asInt()
              ? FakeLambda.Reply.error(event.get("errorType").asText(), "attempt " + calls.size())
              : FakeLambda.Reply.ok("{\"calls\":" + calls.size() + "}");
        });
    lambda.define(
        "Slow",
        event -> {
          sleep(2_000);
          return FakeLambda.Reply.ok("{\"late\":true}");
        });

    long started = System.nanoTime();
    service = LocalStepFunctions.start(0, testStateMachines(), lambda.endpoint(), stateDir);
    System.out.printf(
        "TIMING local Step Functions start: %d ms%n", (System.nanoTime() - started) / 1_000_000);
    sfn = client(service);
  }

  @AfterAll
  static void stopService() {
    if (sfn != null) sfn.close();
    if (service != null) service.close();
    if (lambda != null) lambda.close();
  }

  @Test
  void mapRetryAndWaitSucceed() throws IOException {
    String arn =
        sfn.startExecution(
                r ->
                    r.stateMachineArn(machineArn("MapRetryWait"))
                        .name("map-" + UUID.randomUUID())
                        .input("{\"items\":[1,2,3,4,5],\"pauseSeconds\":1}"))
            .executionArn();

    DescribeExecutionResponse done = awaitEnd(arn, Duration.ofSeconds(60));

    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    JsonNode output = JSON.readTree(done.output());
    assertThat(output.get("doubled").findValuesAsText("doubled"))
        .containsExactly("2", "4", "6", "8", "10");
    assertThat(output.get("doubled").findValuesAsText("executionName")).containsOnly(done.name());
    assertThat(output.at("/flaky/attempts").asInt()).isEqualTo(3);
    assertThat(lambda.calls("Double")).hasSize(5);
    assertThat(lambda.calls("Flaky")).hasSize(3);
    assertThat(lambda.calls("Flaky").get(0).get("executionId").asText()).isEqualTo(arn);
    // Two 1 s retry intervals and a 1 s Wait are really waited for.
    assertThat(Duration.between(done.startDate(), done.stopDate()))
        .isGreaterThan(Duration.ofSeconds(3));

    List<HistoryEvent> history = fullHistory(arn, 7);
    Map<HistoryEventType, Long> counts =
        history.stream().collect(Collectors.groupingBy(HistoryEvent::type, Collectors.counting()));
    assertThat(counts)
        .containsEntry(HistoryEventType.EXECUTION_STARTED, 1L)
        .containsEntry(HistoryEventType.MAP_STATE_ENTERED, 1L)
        .containsEntry(HistoryEventType.MAP_STATE_STARTED, 1L)
        .containsEntry(HistoryEventType.MAP_ITERATION_STARTED, 5L)
        .containsEntry(HistoryEventType.MAP_ITERATION_SUCCEEDED, 5L)
        .containsEntry(HistoryEventType.MAP_STATE_SUCCEEDED, 1L)
        .containsEntry(HistoryEventType.LAMBDA_FUNCTION_SCHEDULED, 8L)
        .containsEntry(HistoryEventType.LAMBDA_FUNCTION_FAILED, 2L)
        .containsEntry(HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED, 6L)
        .containsEntry(HistoryEventType.WAIT_STATE_ENTERED, 1L)
        .containsEntry(HistoryEventType.EXECUTION_SUCCEEDED, 1L);
    assertThat(history).extracting(HistoryEvent::id).isEqualTo(rangeClosed(1, history.size()));
    HistoryEvent failure = first(history, HistoryEventType.LAMBDA_FUNCTION_FAILED);
    assertThat(failure.lambdaFunctionFailedEventDetails().error())
        .isEqualTo("com.example.TransientException");
    HistoryEvent started = history.get(0);
    assertThat(started.executionStartedEventDetails().roleArn()).isEqualTo(ROLE_ARN);
    assertThat(started.executionStartedEventDetails().input()).contains("\"pauseSeconds\":1");

    List<HistoryEvent> newestFirst =
        sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(true).maxResults(2)).events();
    assertThat(newestFirst)
        .extracting(HistoryEvent::type)
        .first()
        .isEqualTo(HistoryEventType.EXECUTION_SUCCEEDED);
    assertThat(newestFirst.get(0).id()).isEqualTo((long) history.size());

    Instant mapEntered = first(history, HistoryEventType.MAP_STATE_ENTERED).timestamp();
    Instant mapExited = first(history, HistoryEventType.MAP_STATE_EXITED).timestamp();
    System.out.printf(
        "TIMING 5-item Map (MaxConcurrency 2, one Lambda each): %d ms; whole execution %d ms, %d events%n",
        Duration.between(mapEntered, mapExited).toMillis(),
        Duration.between(done.startDate(), done.stopDate()).toMillis(),
        history.size());
  }

  /** The ASL features our lifecycle state machine uses (docs/local-stepfunctions.md lists them). */
  @Test
  void aslFeaturesUsedByTheLifecycleWork() throws IOException {
    String arn =
        sfn.startExecution(
                r ->
                    r.stateMachineArn(machineArn("Features"))
                        .name("features-" + UUID.randomUUID())
                        .input(
                            "{\"items\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}],"
                                + "\"kind\":\"reindex\",\"flag\":true,\"count\":5,\"waitSeconds\":1}"))
            .executionArn();

    DescribeExecutionResponse done = awaitEnd(arn, Duration.ofSeconds(60));

    // Fail with static Error/Cause ends the run; everything before it is visible in the Fail
    // state's input.
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.error()).isEqualTo("Feature.Done");
    assertThat(done.cause()).isEqualTo("every feature state ran");
    List<HistoryEvent> history = fullHistory(arn, 100);
    HistoryEvent finish = first(history, HistoryEventType.FAIL_STATE_ENTERED);
    assertThat(finish.stateEnteredEventDetails().name()).isEqualTo("Finish");
    JsonNode state = JSON.readTree(finish.stateEnteredEventDetails().input());

    assertThat(state.get("constant").asText()).isEqualTo("kept");
    assertThat(state.get("itemCount").asInt()).isEqualTo(3);
    assertThat(state.get("nextCount").asInt()).isEqualTo(6);
    assertThat(state.get("label").asText()).isEqualTo(done.name() + "/reindex");
    assertThat(state.get("itemsText").asText())
        .isEqualTo("[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]");
    assertThat(state.get("executionId").asText()).isEqualTo(arn);
    assertThat(state.get("executionName").asText()).isEqualTo(done.name());
    assertThat(state.get("stateMachineName").asText()).isEqualTo("Features");
    assertThat(state.get("legacyMap").toString())
        .isEqualTo(
            "[{\"id\":\"a\",\"position\":0},{\"id\":\"b\",\"position\":1},{\"id\":\"c\",\"position\":2}]");
    assertThat(state.at("/taskFailedRetry/calls").asInt()).isEqualTo(2);
    assertThat(state.at("/allRetry/calls").asInt()).isEqualTo(3);
    assertThat(state.at("/caught/Error").asText()).isEqualTo("com.example.FatalException");
    assertThat(state.at("/caught/Cause").asText()).contains("index is read-only");
    assertThat(state.at("/timedOut/Error").asText()).isEqualTo("States.Timeout");

    // IntervalSeconds 1 with BackoffRate 2: the retries come about 1 s and then about 2 s after the
    // failures.
    List<Instant> backoff = countedCalls.get(arn + "/all");
    assertThat(Duration.between(backoff.get(0), backoff.get(1))).isBetween(ms(900), ms(1900));
    assertThat(Duration.between(backoff.get(1), backoff.get(2))).isBetween(ms(1900), ms(2900));
    assertThat(history)
        .extracting(HistoryEvent::type)
        .contains(HistoryEventType.LAMBDA_FUNCTION_TIMED_OUT, HistoryEventType.WAIT_STATE_EXITED);
  }

  @Test
  void uncaughtByRetryIsCaughtIntoFailState() {
    String arn =
        sfn.startExecution(
                r -> r.stateMachineArn(machineArn("CatchToFail")).input("{\"index\":\"books\"}"))
            .executionArn();

    DescribeExecutionResponse done = awaitEnd(arn, Duration.ofSeconds(30));

    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.error()).isEqualTo("com.example.FatalException");
    assertThat(done.cause()).contains("index is read-only");
    // The Retry names another error, so the fatal one is not retried.
    assertThat(lambda.calls("Fatal"))
        .filteredOn(event -> event.get("executionId").asText().equals(arn))
        .hasSize(1);
    assertThat(fullHistory(arn, 100))
        .extracting(HistoryEvent::type)
        .contains(HistoryEventType.FAIL_STATE_ENTERED)
        .doesNotContain(HistoryEventType.SUCCEED_STATE_ENTERED)
        .last()
        .isEqualTo(HistoryEventType.EXECUTION_FAILED);
  }

  @Test
  void stopAbortsARunningExecution() {
    String arn = sfn.startExecution(r -> r.stateMachineArn(machineArn("LongWait"))).executionArn();
    assertThat(sfn.describeExecution(r -> r.executionArn(arn)).status())
        .isEqualTo(ExecutionStatus.RUNNING);

    sfn.stopExecution(r -> r.executionArn(arn).error("Operator.Cancelled").cause("test stops it"));

    DescribeExecutionResponse stopped = sfn.describeExecution(r -> r.executionArn(arn));
    assertThat(stopped.status()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(stopped.error()).isEqualTo("Operator.Cancelled");
    assertThat(stopped.cause()).isEqualTo("test stops it");
    assertThat(stopped.stopDate()).isNotNull();
    HistoryEvent last =
        sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(true)).events().get(0);
    assertThat(last.type()).isEqualTo(HistoryEventType.EXECUTION_ABORTED);
    assertThat(last.executionAbortedEventDetails().error()).isEqualTo("Operator.Cancelled");
  }

  @Test
  void listExecutionsFiltersByStatusNewestFirst() {
    String older =
        sfn.startExecution(r -> r.stateMachineArn(machineArn("LongWait"))).executionArn();
    sleep(20);
    String newer =
        sfn.startExecution(r -> r.stateMachineArn(machineArn("LongWait"))).executionArn();
    sfn.stopExecution(r -> r.executionArn(older));

    List<String> running =
        sfn
            .listExecutions(
                r ->
                    r.stateMachineArn(machineArn("LongWait")).statusFilter(ExecutionStatus.RUNNING))
            .executions()
            .stream()
            .map(ExecutionListItem::executionArn)
            .toList();
    List<String> aborted =
        sfn
            .listExecutionsPaginator(
                r ->
                    r.stateMachineArn(machineArn("LongWait"))
                        .statusFilter(ExecutionStatus.ABORTED)
                        .maxResults(1))
            .executions()
            .stream()
            .map(ExecutionListItem::executionArn)
            .toList();
    List<String> all =
        sfn.listExecutions(r -> r.stateMachineArn(machineArn("LongWait"))).executions().stream()
            .map(ExecutionListItem::executionArn)
            .toList();

    assertThat(running).contains(newer).doesNotContain(older);
    assertThat(aborted).contains(older).doesNotContain(newer);
    assertThat(all.indexOf(newer)).isLessThan(all.indexOf(older));
    sfn.stopExecution(r -> r.executionArn(newer));
  }

  @Test
  void startIsIdempotentForSameNameAndInputWhileRunning() {
    String name = "idem-" + UUID.randomUUID();
    StartExecutionResponse first =
        sfn.startExecution(
            r -> r.stateMachineArn(machineArn("LongWait")).name(name).input("{\"a\":1}"));
    StartExecutionResponse again =
        sfn.startExecution(
            r -> r.stateMachineArn(machineArn("LongWait")).name(name).input("{\"a\":1}"));

    assertThat(again.executionArn()).isEqualTo(first.executionArn());
    assertThat(again.startDate()).isEqualTo(first.startDate());
    assertThat(first.executionArn())
        .isEqualTo("arn:aws:states:us-east-1:" + ACCOUNT + ":execution:LongWait:" + name);
    assertThatThrownBy(
            () ->
                sfn.startExecution(
                    r -> r.stateMachineArn(machineArn("LongWait")).name(name).input("{\"a\":2}")))
        .isInstanceOf(ExecutionAlreadyExistsException.class);

    sfn.stopExecution(r -> r.executionArn(first.executionArn()));
    // A closed execution's name is taken, even with the same input.
    assertThatThrownBy(
            () ->
                sfn.startExecution(
                    r -> r.stateMachineArn(machineArn("LongWait")).name(name).input("{\"a\":1}")))
        .isInstanceOf(ExecutionAlreadyExistsException.class);
  }

  @Test
  void unknownArnsAndBadInputAreRejectedAsAwsDoes() {
    String unknown =
        "arn:aws:states:us-east-1:" + ACCOUNT + ":execution:LongWait:no-such-execution";
    assertThatThrownBy(() -> sfn.describeExecution(r -> r.executionArn(unknown)))
        .isInstanceOf(ExecutionDoesNotExistException.class)
        .hasMessageContaining("no-such-execution");
    assertThatThrownBy(() -> sfn.getExecutionHistory(r -> r.executionArn(unknown)))
        .isInstanceOf(ExecutionDoesNotExistException.class);
    assertThatThrownBy(
            () -> sfn.startExecution(r -> r.stateMachineArn(machineArn("NoSuchMachine"))))
        .isInstanceOf(StateMachineDoesNotExistException.class);
    assertThatThrownBy(
            () ->
                sfn.startExecution(
                    r -> r.stateMachineArn(machineArn("LongWait")).input("{not json")))
        .isInstanceOf(InvalidExecutionInputException.class);
    String tooLarge = "{\"blob\":\"" + "x".repeat(256 * 1024) + "\"}";
    assertThatThrownBy(
            () ->
                sfn.startExecution(r -> r.stateMachineArn(machineArn("LongWait")).input(tooLarge)))
        .isInstanceOf(InvalidExecutionInputException.class)
        .hasMessageContaining("262144");
  }

  @Test
  void invalidDefinitionStopsTheStartWithTheValidatorsMessage(@TempDir Path ownStateDir) {
    var broken =
        new StateMachineSpec(
            "Broken",
            machineArn("Broken"),
            "{\"StartAt\":\"Missing\",\"States\":{\"Only\":{\"Type\":\"Succeed\"}}}",
            ROLE_ARN);

    assertThatThrownBy(
            () -> LocalStepFunctions.start(0, List.of(broken), lambda.endpoint(), ownStateDir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("InvalidDefinition: state machine Broken")
        .hasMessageContaining("Missing");
  }

  @Test
  void executionTimeoutSecondsEndsItTimedOut() {
    String arn = sfn.startExecution(r -> r.stateMachineArn(machineArn("TimesOut"))).executionArn();

    DescribeExecutionResponse done = awaitEnd(arn, Duration.ofSeconds(20));

    assertThat(done.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
    assertThat(Duration.between(done.startDate(), done.stopDate()))
        .isLessThan(Duration.ofSeconds(10));
    assertThat(
            sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(true))
                .events()
                .get(0)
                .type())
        .isEqualTo(HistoryEventType.EXECUTION_TIMED_OUT);
  }

  @Test
  void stateMachinesAreListedAndDescribed() {
    assertThat(sfn.listStateMachines().stateMachines())
        .extracting(s -> s.name())
        .containsExactlyInAnyOrder(
            "CatchToFail", "EndlessLoop", "Features", "LongWait", "MapRetryWait", "TimesOut");
    var described = sfn.describeStateMachine(r -> r.stateMachineArn(machineArn("MapRetryWait")));
    assertThat(described.roleArn()).isEqualTo(ROLE_ARN);
    assertThat(described.statusAsString()).isEqualTo("ACTIVE");
    assertThat(described.typeAsString()).isEqualTo("STANDARD");
    assertThat(described.definition()).contains(FakeLambda.arn("Flaky"));
  }

  @Test
  void historyQuotaOf25000EventsFailsTheExecution() {
    String arn =
        sfn.startExecution(r -> r.stateMachineArn(machineArn("EndlessLoop")).input("{\"round\":0}"))
            .executionArn();

    DescribeExecutionResponse done = awaitEnd(arn, Duration.ofSeconds(60));

    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.error()).isEqualTo("States.Runtime");
    assertThat(done.cause()).contains("25000");
    List<HistoryEvent> history = fullHistory(arn, 1000);
    assertThat(history).hasSize(25_000);
    assertThat(history.get(history.size() - 1).type()).isEqualTo(HistoryEventType.EXECUTION_FAILED);
    System.out.printf(
        "TIMING 25,000-event loop until the quota: %d ms%n",
        Duration.between(done.startDate(), done.stopDate()).toMillis());
  }

  @Test
  void restartKeepsFinishedExecutionsAndFailsInterruptedOnes(@TempDir Path ownStateDir) {
    String finishedArn;
    String interruptedArn;
    DescribeExecutionResponse finished;
    List<HistoryEvent> finishedHistory;
    try (var first =
            LocalStepFunctions.start(0, testStateMachines(), lambda.endpoint(), ownStateDir);
        var client = client(first)) {
      finishedArn =
          client.startExecution(r -> r.stateMachineArn(machineArn("CatchToFail"))).executionArn();
      finished = awaitEnd(client, finishedArn, Duration.ofSeconds(30));
      finishedHistory = client.getExecutionHistory(r -> r.executionArn(finishedArn)).events();
      interruptedArn =
          client.startExecution(r -> r.stateMachineArn(machineArn("LongWait"))).executionArn();
    }

    try (var second =
            LocalStepFunctions.start(0, testStateMachines(), lambda.endpoint(), ownStateDir);
        var client = client(second)) {
      assertThat(second.endpoint()).isNotNull();
      DescribeExecutionResponse afterRestart =
          client.describeExecution(r -> r.executionArn(finishedArn));
      assertThat(afterRestart)
          .usingRecursiveComparison()
          .ignoringFields("sdkHttpResponse", "responseMetadata")
          .isEqualTo(finished);
      assertThat(client.getExecutionHistory(r -> r.executionArn(finishedArn)).events())
          .isEqualTo(finishedHistory);
      assertThat(
              client
                  .listExecutions(
                      r ->
                          r.stateMachineArn(machineArn("CatchToFail"))
                              .statusFilter(ExecutionStatus.FAILED))
                  .executions())
          .extracting(ExecutionListItem::executionArn)
          .containsExactly(finishedArn);

      DescribeExecutionResponse interrupted =
          client.describeExecution(r -> r.executionArn(interruptedArn));
      assertThat(interrupted.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(interrupted.cause()).isEqualTo("local step functions service restarted");
      assertThat(interrupted.stopDate()).isNotNull();
    }
  }

  @Test
  void nodeProcessDoesNotOutliveAKilledJvm(@TempDir Path ownStateDir) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process host =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ServiceHostMain.class.getName(),
                ownStateDir.toString())
            .redirectErrorStream(true)
            .start();
    List<ProcessHandle> nodes = List.of();
    try {
      var out =
          new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = out.readLine()) != null && !line.equals("READY")) {
        seen.append(line).append('\n');
      }
      assertThat(line).as("host output:%n%s", seen).isEqualTo("READY");
      nodes =
          host.descendants().filter(p -> p.info().command().orElse("").endsWith("node")).toList();
      assertThat(nodes).hasSize(1);

      host.destroyForcibly().waitFor();

      ProcessHandle node = nodes.get(0);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (node.isAlive() && System.nanoTime() < deadline) {
        sleep(100);
      }
      assertThat(node.isAlive())
          .as("node pid %d still alive after its JVM was killed", node.pid())
          .isFalse();
    } finally {
      host.destroyForcibly();
      nodes.forEach(ProcessHandle::destroyForcibly); // only if the assertion above already failed
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static List<StateMachineSpec> testStateMachines() {
    return List.of(
        spec("MapRetryWait", "map-retry-wait.asl.json"),
        spec("CatchToFail", "catch-to-fail.asl.json"),
        spec("LongWait", "long-wait.asl.json"),
        spec("EndlessLoop", "endless-loop.asl.json"),
        spec("Features", "features.asl.json"),
        spec("TimesOut", "times-out.asl.json"));
  }

  private static StateMachineSpec spec(String name, String resource) {
    String definition =
        readResource("/sfn/" + resource)
            .replace("${DoubleFunctionArn}", FakeLambda.arn("Double"))
            .replace("${FlakyFunctionArn}", FakeLambda.arn("Flaky"))
            .replace("${FatalFunctionArn}", FakeLambda.arn("Fatal"))
            .replace("${CountedFunctionArn}", FakeLambda.arn("Counted"))
            .replace("${SlowFunctionArn}", FakeLambda.arn("Slow"));
    return new StateMachineSpec(name, machineArn(name), definition, ROLE_ARN);
  }

  private static String machineArn(String name) {
    return "arn:aws:states:us-east-1:" + ACCOUNT + ":stateMachine:" + name;
  }

  private static String readResource(String path) {
    try (InputStream in = LocalStepFunctionsIT.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SfnClient client(LocalStepFunctions service) {
    return SfnClient.builder()
        .endpointOverride(service.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  private static DescribeExecutionResponse awaitEnd(String arn, Duration timeout) {
    return awaitEnd(sfn, arn, timeout);
  }

  private static DescribeExecutionResponse awaitEnd(
      SfnClient client, String arn, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      DescribeExecutionResponse described = client.describeExecution(r -> r.executionArn(arn));
      if (described.status() != ExecutionStatus.RUNNING) {
        return described;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(arn + " still RUNNING after " + timeout);
      }
      sleep(100);
    }
  }

  /** All events, fetched page by page so paging itself is exercised. */
  private static List<HistoryEvent> fullHistory(String arn, int pageSize) {
    return sfn
        .getExecutionHistoryPaginator(r -> r.executionArn(arn).maxResults(pageSize))
        .events()
        .stream()
        .toList();
  }

  private static HistoryEvent first(List<HistoryEvent> history, HistoryEventType type) {
    return history.stream().filter(e -> e.type() == type).findFirst().orElseThrow();
  }

  private static List<Long> rangeClosed(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
