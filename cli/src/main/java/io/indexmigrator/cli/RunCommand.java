package io.indexmigrator.cli;

import io.indexmigrator.core.state.DynamoStateStore;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/** {@code migrator run <name>}: starts (or resumes) the copy state machine. */
@Command(
    name = "run",
    description =
        "Start the copy; after a crash or a stopped execution, run again to resume where it was.")
final class RunCommand implements Callable<Integer> {
  private static final Set<RecipeStatus> RUNNABLE =
      Set.of(
          RecipeStatus.INITIALIZED,
          RecipeStatus.RUNNING,
          RecipeStatus.FAILED,
          RecipeStatus.SYNCING);

  @Spec CommandSpec spec;
  @Mixin Deployment.Options deployment;

  @Parameters(index = "0", description = "Recipe name.")
  String name;

  @Option(names = "--wait", description = "Wait until the copy ends, showing progress.")
  boolean waitForCopy;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Deployment target = deployment.resolve();
    try (var dynamo = target.dynamo();
        var sfn = target.sfn()) {
      var store = new DynamoStateStore(dynamo, target.tableName("StateTable"));
      RecipeRecord recipe =
          store
              .getRecipe(name)
              .orElseThrow(
                  () ->
                      new UserError(
                          "no recipe named '" + name + "'; create it with: migrator init " + name));
      if (!RUNNABLE.contains(recipe.status())) {
        throw new UserError(
            "recipe '"
                + name
                + "' is "
                + recipe.status()
                + "; run applies to INITIALIZED, RUNNING, FAILED or SYNCING recipes");
      }
      if (recipe.executionArn() != null) {
        ExecutionStatus current = ExecutionStatus.UNKNOWN_TO_SDK_VERSION;
        try {
          current = sfn.describeExecution(r -> r.executionArn(recipe.executionArn())).status();
        } catch (RuntimeException unknown) {
          // The execution is gone (e.g. another twin): start a new one.
        }
        if (current == ExecutionStatus.RUNNING) {
          out.println("already running: " + recipe.executionArn());
          return waitForCopy
              ? new StatusCommand.Watcher(target, name, out).watchRun(recipe.executionArn())
              : 0;
        }
      }
      String executionName =
          ExecutionNames.unique(
              name, "g" + recipe.generation(), Instant.now(), ExecutionNames.MAX_RUN);
      String arn =
          sfn.startExecution(
                  r ->
                      r.stateMachineArn(target.stateMachineArn("MigrationStateMachine"))
                          .name(executionName)
                          .input("{\"recipe\":\"" + name + "\"}"))
              .executionArn();
      out.println("started " + arn);
      out.flush();
      if (waitForCopy) {
        return new StatusCommand.Watcher(target, name, out).watchRun(arn);
      }
      out.println("follow with: migrator status " + name + " --watch");
      return 0;
    }
  }
}
