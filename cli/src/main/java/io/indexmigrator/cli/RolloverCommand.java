package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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
    var request = ControlCall.JSON.createObjectNode();
    request.put("action", "rollover").put("recipe", name);
    if (verify != null) {
      request.put("verify", verify);
    }
    JsonNode report = ControlCall.invoke(deployment.resolve(), request);
    if (json) {
      out.println(ControlCall.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    } else {
      out.println(
          (report.path("passed").asBoolean() ? "rolled over: " : "rollover refused: ")
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
    }
    return report.path("passed").asBoolean() ? 0 : 1;
  }
}
