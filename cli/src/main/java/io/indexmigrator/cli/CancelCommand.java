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

/** {@code migrator cancel <name> [--keep]}. */
@Command(
    name = "cancel",
    description =
        "Stop the run, cancel our reindex tasks, lift our write blocks, delete the destinations this recipe created. Never touches source data.")
final class CancelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Deployment.Options deployment;

  @Parameters(index = "0", description = "Recipe name.")
  String name;

  @Option(names = "--keep", description = "Keep the destination indexes.")
  boolean keep;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    var request = ControlCall.JSON.createObjectNode();
    request.put("action", "cancel").put("recipe", name).put("keep", keep);
    JsonNode report = ControlCall.invoke(deployment.resolve(), request);
    if (json) {
      out.println(ControlCall.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
      return 0;
    }
    out.println(
        "recipe '" + name + "' cancelled (was " + report.path("previousStatus").asText() + ")");
    out.println("  execution stopped: " + report.path("executionStopped").asBoolean());
    out.println("  tasks cancelled:   " + report.path("tasksCancelled"));
    out.println("  blocks lifted:     " + report.path("blocksLifted"));
    out.println("  indexes deleted:   " + report.path("indexesDeleted"));
    if (!report.path("indexesKept").isEmpty()) {
      out.println("  indexes kept:      " + report.path("indexesKept"));
    }
    return 0;
  }
}
