package io.indexmigrator.cli;

import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code migrator rollback <name>}. */
@Command(
    name = "rollback",
    description =
        "Undo a cross-cluster switch before commit: publish the old cluster again, remove the"
            + " aliases the switch created and lift the source's write block. Refused, changing"
            + " nothing, if the new cluster has been written since the switch.")
final class RollbackCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Deployment.Options deployment;

  @Parameters(index = "0", description = "Recipe name.")
  String name;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var request = ControlCall.JSON.createObjectNode();
    request.put("action", "rollback").put("recipe", name).put("owner", "cli:" + UUID.randomUUID());
    return CommitCommand.SwitchReport.print(
        spec.commandLine().getOut(),
        json,
        CommitCommand.SwitchReport.call(deployment, request, "rollback", name));
  }
}
