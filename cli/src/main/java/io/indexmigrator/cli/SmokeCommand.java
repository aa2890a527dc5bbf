package io.indexmigrator.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/** {@code migrator smoke}: runs the smoke state machine to prove a deployment is wired up. */
@Command(
    name = "smoke",
    description =
        "Run the smoke state machine: cluster reachable, state table writable, queue and consumer"
            + " working, retries and dead-letter queue behaving.")
final class SmokeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Deployment.Options deployment;

  @Option(
      names = "--messages",
      split = ",",
      defaultValue = "hello,world,flaky:2,poison:1",
      description =
          "Messages to send (flaky:N fails N times first; poison:x ends in the DLQ; fail:x fails the run). Default: ${DEFAULT-VALUE}.")
  List<String> messages;

  @Option(names = "--timeout", defaultValue = "300", description = "Seconds to wait.")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Deployment target = deployment.resolve();
    String input =
        "{\"messages\":["
            + String.join(",", messages.stream().map(SmokeCommand::jsonString).toList())
            + "]}";
    try (var sfn = target.sfn()) {
      String arn =
          sfn.startExecution(
                  r -> r.stateMachineArn(target.stateMachineArn("SmokeStateMachine")).input(input))
              .executionArn();
      out.println("smoke execution " + arn);
      out.flush();
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      DescribeExecutionResponse execution;
      do {
        Thread.sleep(500);
        execution = sfn.describeExecution(r -> r.executionArn(arn));
      } while (execution.status() == ExecutionStatus.RUNNING && System.nanoTime() < deadline);
      out.println("status: " + execution.status());
      if (execution.status() == ExecutionStatus.SUCCEEDED) {
        out.println("output: " + execution.output());
        return 0;
      }
      out.println("error: " + execution.error() + ": " + execution.cause());
      return 1;
    }
  }

  private static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
