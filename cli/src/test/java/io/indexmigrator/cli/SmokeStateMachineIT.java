package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * statemachine/smoke.asl.json run through the twin: a Map over items invoking a Java handler, a
 * Retry on a thrown exception, a Catch routing to a failure state, a handler that reads and writes
 * DynamoDB and sends to SQS, and an SQS-triggered handler whose failed message reaches the DLQ
 * after maxReceiveCount.
 */
class SmokeStateMachineIT {
  static TwinFixture twin;

  @BeforeAll
  static void start() throws Exception {
    twin = TwinFixture.get();
  }

  @Test
  void smoke_retriesFlakyStep_appliesGoodMessages_andDeadLettersPoison() throws Exception {
    try (SfnClient sfn = twin.sfn();
        var sqs = twin.sqs()) {
      String arn = start(sfn, "[\"hello\",\"world\",\"flaky:2\",\"poison:7\"]");

      DescribeExecutionResponse done = await(sfn, arn);
      assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(done.output())
          .contains("\"delivered\":3")
          .contains("\"distribution\":\"opensearch\"");

      List<HistoryEvent> history = history(sfn, arn);
      assertThat(count(history, HistoryEventType.MAP_ITERATION_STARTED)).isEqualTo(4);
      List<String> failedErrors = new ArrayList<>();
      history.stream()
          .filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_FAILED)
          .forEach(e -> failedErrors.add(e.lambdaFunctionFailedEventDetails().error()));
      // flaky:2 fails twice with the retryable error, then succeeds under the Retry.
      assertThat(failedErrors)
          .containsExactly(
              "io.indexmigrator.core.RetryableMigrationException",
              "io.indexmigrator.core.RetryableMigrationException");

      // The consumer refused the poison message on each delivery; after maxReceiveCount (2) the
      // queue's redrive policy moved it to the DLQ.
      String dlq = twin.state.queues().get("SmokeDeadLetterQueue");
      String found = null;
      String receives = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (found == null && System.nanoTime() < deadline) {
        var messages =
            sqs.receiveMessage(
                    r ->
                        r.queueUrl(dlq)
                            .waitTimeSeconds(2)
                            .maxNumberOfMessages(10)
                            .messageSystemAttributeNames(
                                MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                .messages();
        for (var m : messages) {
          if (m.body().endsWith("poison:7")) {
            found = m.body();
            receives = m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
          }
        }
      }
      assertThat(found).as("poison message in the DLQ").isNotNull();
      assertThat(found).startsWith(done.name() + "\n");
      assertThat(receives).isNotNull();
    }
  }

  @Test
  void smoke_routesAFatalErrorThroughCatchToTheFailState() throws Exception {
    try (SfnClient sfn = twin.sfn()) {
      String arn = start(sfn, "[\"ok\",\"fail:on purpose\"]");

      DescribeExecutionResponse done = await(sfn, arn);

      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(done.error()).isEqualTo("SmokeFailed");
      List<HistoryEvent> history = history(sfn, arn);
      assertThat(
              history.stream()
                  .filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_FAILED)
                  .map(e -> e.lambdaFunctionFailedEventDetails().error()))
          .containsExactly("io.indexmigrator.core.MigrationFailedException");
    }
  }

  @Test
  void smokeCommand_reportsSuccessThroughTheCli() {
    TwinFixture.Run run = twin.cli("smoke", "--messages", "a,b");

    assertThat(run.exitCode()).as(run.all()).isZero();
    assertThat(run.out()).contains("status: SUCCEEDED");
  }

  private static String start(SfnClient sfn, String messagesJson) {
    return sfn.startExecution(
            r ->
                r.stateMachineArn(twin.state.stateMachines().get("SmokeStateMachine"))
                    .input("{\"messages\":" + messagesJson + "}"))
        .executionArn();
  }

  static DescribeExecutionResponse await(SfnClient sfn, String arn) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    DescribeExecutionResponse execution;
    do {
      Thread.sleep(300);
      execution = sfn.describeExecution(r -> r.executionArn(arn));
    } while (execution.status() == ExecutionStatus.RUNNING && System.nanoTime() < deadline);
    return execution;
  }

  static List<HistoryEvent> history(SfnClient sfn, String arn) {
    List<HistoryEvent> events = new ArrayList<>();
    sfn.getExecutionHistoryPaginator(r -> r.executionArn(arn)).events().forEach(events::add);
    return events;
  }

  private static long count(List<HistoryEvent> history, HistoryEventType type) {
    return history.stream().filter(e -> e.type() == type).count();
  }
}
