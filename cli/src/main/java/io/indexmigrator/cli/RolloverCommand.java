package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;

/** {@code migrator rollover <name>}: block writes, verify, swap aliases atomically, unblock. */
@Command(
    name = "rollover",
    description =
        "Block writes on the sources, verify, move every alias to the destinations atomically, lift the blocks.")
final class RolloverCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Deployment.Options deployment;

  @Parameters(index = "0", description = "Recipe name.")
  String name;

  // No picocli default: without --verify the recipe's rollover.verify decides.
  @Option(
      names = "--verify",
      description =
          "count (exact _count per index) or checksum (every _id and source hash). Default: the recipe's rollover.verify (count unless set).")
  String verify;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (verify != null && !verify.equals("count") && !verify.equals("checksum")) {
      throw new UserError("--verify must be 'count' or 'checksum', got '" + verify + "'");
    }
    PrintWriter out = spec.commandLine().getOut();
    JsonNode report = run(deployment.resolve());
    if (json) {
      out.println(ControlCall.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    } else {
      out.println(
          (report.path("passed").asBoolean() ? "rolled over: " : "rollover failed: ")
              + report.path("message").asText());
      for (JsonNode result : report.path("verification")) {
        out.printf(
            "  %s -> %s  %s: source %,d, destination %,d, differences %d (%d ms)%n",
            result.path("source").asText(),
            result.path("destination").asText(),
            result.path("mode").asText(),
            result.path("sourceCount").asLong(),
            result.path("destinationCount").asLong(),
            result.path("differenceCount").asLong(),
            result.path("millis").asLong());
      }
      report.path("aliasesMoved").forEach(a -> out.println("  moved " + a.asText()));
      StringBuilder steps = new StringBuilder();
      report
          .path("blockedWindow")
          .properties()
          .forEach(
              step ->
                  steps
                      .append(steps.isEmpty() ? " (" : ", ")
                      .append(step.getKey())
                      .append(' ')
                      .append(step.getValue().asLong())
                      .append(" ms"));
      out.println(
          "  writes blocked for "
              + report.path("writeBlockedMillis").asLong()
              + " ms"
              + (steps.isEmpty() ? "" : steps.append(')').toString()));
      if (report.has("aliasWritesBlockedMillis")
          && report.path("passed").asBoolean()
          && report.path("aliasWritesBlockedMillis").asLong()
              < report.path("writeBlockedMillis").asLong()) {
        out.println(
            "  writes through the aliases refused for "
                + report.path("aliasWritesBlockedMillis").asLong()
                + " ms (until the swap)");
      }
    }
    return report.path("passed").asBoolean() ? 0 : 1;
  }

  /**
   * Starts the rollover state machine and waits for it. An execution, not a synchronous invoke: its
   * Catch lifts the write blocks even if the function dies, and no SDK retry can start a second
   * rollover.
   */
  private JsonNode run(Deployment target) throws Exception {
    var input = ControlCall.JSON.createObjectNode().put("recipe", name);
    if (verify != null) {
      input.put("verify", verify);
    } else {
      input.putNull("verify");
    }
    try (SfnClient sfn = target.sfn()) {
      String arn =
          sfn.startExecution(
                  r ->
                      r.stateMachineArn(target.stateMachineArn("RolloverStateMachine"))
                          .name(
                              ExecutionNames.unique(
                                  name, "rollover", Instant.now(), ExecutionNames.MAX))
                          .input(input.toString()))
              .executionArn();
      while (true) {
        DescribeExecutionResponse execution = sfn.describeExecution(r -> r.executionArn(arn));
        switch (execution.status()) {
          case SUCCEEDED -> {
            return ControlCall.JSON.readTree(execution.output());
          }
          case RUNNING -> Thread.sleep(POLL.toMillis());
          default -> throw failure(arn, execution);
        }
      }
    }
  }

  private static final Duration POLL = Duration.ofMillis(200);

  /** The error the execution ended with, as one line: exit 2 when nothing was changed. */
  private RuntimeException failure(String arn, DescribeExecutionResponse execution) {
    String error = execution.error() == null ? execution.statusAsString() : execution.error();
    String cause = execution.cause() == null ? "" : execution.cause();
    try {
      JsonNode parsed = ControlCall.JSON.readTree(cause);
      if (parsed != null && parsed.hasNonNull("errorMessage")) {
        cause = parsed.get("errorMessage").asText();
      }
    } catch (Exception notJson) {
      // A plain-text cause (a timeout, a crashed runtime) is shown as it is.
    }
    if (error.endsWith("RolloverRefusedException")) {
      return new UserError("rollover refused: " + cause);
    }
    if (error.equals("RolloverAbortFailed")) {
      return new RolloverFailed(
          "rollover failed, and lifting its write blocks failed too ("
              + cause
              + "); the sources may still refuse writes: run 'migrator rollover "
              + name
              + "' again to settle it ("
              + arn
              + ")");
    }
    String type = error.substring(error.lastIndexOf('.') + 1);
    return new RolloverFailed(
        "rollover failed: "
            + (type.endsWith("MigrationFailedException") ? "" : type + ": ")
            + cause
            + "; no alias was changed and the write blocks were lifted ("
            + arn
            + ")");
  }

  /** A rollover that ran and failed: exit 1. */
  static final class RolloverFailed extends RuntimeException {
    RolloverFailed(String message) {
      super(message);
    }
  }
}
