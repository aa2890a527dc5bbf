package io.indexmigrator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/migrator}. */
@Command(
    name = "migrator",
    mixinStandardHelpOptions = true,
    version = "index-migrator 0.1.0",
    description =
        "Near-zero-downtime reindexing and migration of OpenSearch/Elasticsearch indexes.",
    subcommands = {
      InitCommand.class,
      RunCommand.class,
      StatusCommand.class,
      RolloverCommand.class,
      CancelCommand.class,
      CommitCommand.class,
      RollbackCommand.class,
      LocalCommand.class,
      SmokeCommand.class,
      DemoCommand.class
    })
public final class Main {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    // Errors the user can fix are printed as one clear line, not a stack trace.
    cli.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          if (e instanceof UserError || e instanceof IllegalArgumentException) {
            cmd.getErr().println("migrator: " + e.getMessage());
            return 2;
          }
          if (e instanceof RolloverCommand.RolloverFailed) {
            cmd.getErr().println("migrator: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    return cli;
  }
}
