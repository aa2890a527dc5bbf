package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code migrator commit <name> [--keep-source-blocked]}. */
@Command(
    name = "commit",
    description =
        "Keep a cross-cluster switch: publish it as committed, lift the source's write block and"
            + " finish the recipe. The source indexes are never deleted.")
final class CommitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Deployment.Options deployment;

  @Parameters(index = "0", description = "Recipe name.")
  String name;

  @Option(
      names = "--keep-source-blocked",
      description =
          "Leave the source indexes write-blocked (the block is then no longer the migration's).")
  boolean keepSourceBlocked;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var request = ControlCall.JSON.createObjectNode();
    request
        .put("action", "commit")
        .put("recipe", name)
        .put("keepSourceBlocked", keepSourceBlocked)
        // One owner for this command, so that a retried invoke is not refused as a second commit.
        .put("owner", "cli:" + UUID.randomUUID());
    return SwitchReport.print(
        spec.commandLine().getOut(), json, SwitchReport.call(deployment, request, "commit", name));
  }

  /** How commit and rollback print what the control function answered. */
  static final class SwitchReport {
    private SwitchReport() {}

    static JsonNode call(
        Deployment.Options deployment,
        com.fasterxml.jackson.databind.node.ObjectNode request,
        String command,
        String name) {
      try {
        return ControlCall.invoke(deployment.resolve(), request);
      } catch (ControlCall.FunctionError e) {
        if (e.refused()) {
          throw new UserError(command + " refused: " + e.getMessage());
        }
        throw new RolloverCommand.RolloverFailed(
            command
                + " failed: "
                + e.getMessage()
                + "; run 'migrator "
                + command
                + " "
                + name
                + "' again to finish it");
      }
    }

    static int print(PrintWriter out, boolean json, JsonNode report) throws Exception {
      if (json) {
        out.println(ControlCall.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
      } else {
        out.println(report.path("message").asText());
      }
      return 0;
    }
  }
}
