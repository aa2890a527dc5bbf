package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.local.twin.TwinState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * {@code migrator local up | env | down} as a user runs them: the twin is a background process that
 * outlives the command, {@code env} gives working endpoints, and {@code down} leaves no process
 * behind.
 */
class LocalCommandIT {
  @TempDir Path stateDir;

  private String[] args(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(stateDir.toString());
    return all.toArray(String[]::new);
  }

  private TwinFixture.Run cli(String... args) {
    System.setProperty("migrator.home", Path.of("..").toAbsolutePath().normalize().toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args(args));
    return new TwinFixture.Run(code, out.toString(), err.toString());
  }

  @Test
  void upEnvDown_leavesNoProcessBehind() throws Exception {
    // Bad input first: nothing may start.
    TwinFixture.Run badEngine = cli("local", "up", "--engine", "opensearch:9.9");
    assertThat(badEngine.exitCode()).isEqualTo(2);
    assertThat(badEngine.err())
        .contains("unknown engine version 'opensearch:9.9'")
        .contains("supported");
    assertThat(Files.exists(TwinState.file(stateDir))).isFalse();
    TwinFixture.Run noTwin = cli("local", "env");
    assertThat(noTwin.exitCode()).isEqualTo(2);
    assertThat(noTwin.err()).contains("no local twin is running");

    TwinFixture.Run up = cli("local", "up");
    assertThat(up.exitCode()).as(up.all()).isZero();
    TwinState state = TwinState.read(stateDir).orElseThrow();
    ProcessHandle twin = ProcessHandle.of(state.pid()).orElseThrow();
    List<ProcessHandle> family = new ArrayList<>(twin.descendants().toList());
    family.add(twin);
    state.clusters().values().forEach(c -> ProcessHandle.of(c.pid()).ifPresent(family::add));
    assertThat(family.size()).isGreaterThan(2);

    TwinFixture.Run again = cli("local", "up");
    assertThat(again.out()).contains("already running (pid " + state.pid() + ")");

    TwinFixture.Run env = cli("local", "env");
    assertThat(env.exitCode()).isZero();
    String sfnUrl = exported(env.out(), "AWS_ENDPOINT_URL_SFN");
    assertThat(env.out())
        .contains("export AWS_ENDPOINT_URL_DYNAMODB=")
        .contains("export MIGRATOR_DESTINATION_CLUSTER_URL=")
        .contains("export MIGRATOR_SMOKE_STATE_MACHINE_ARN=");
    try (SfnClient sfn =
        io.indexmigrator.local.aws.AwsClients.sfn(URI.create(sfnUrl), state.region())) {
      assertThat(sfn.listStateMachines().stateMachines())
          .extracting(m -> m.name())
          .containsExactlyInAnyOrder(
              "index-migrator-MigrationStateMachine",
              "index-migrator-RolloverStateMachine",
              "index-migrator-SmokeStateMachine");
    }
    // A port the twin holds is refused to a second user, by name.
    int port = URI.create(state.endpoints().get("dynamodb")).getPort();
    try {
      new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress()).close();
      throw new AssertionError("port " + port + " should be in use");
    } catch (java.io.IOException expected) {
      // In use, as it should be.
    }

    TwinFixture.Run down = cli("local", "down");
    assertThat(down.exitCode()).as(down.all()).isZero();
    for (ProcessHandle p : family) {
      assertThat(p.isAlive())
          .as("process " + p.pid() + " " + p.info().command().orElse(""))
          .isFalse();
    }
    assertThat(Files.exists(stateDir)).isFalse();
    assertThat(cli("local", "down").out()).contains("no local twin is running");
  }

  private static String exported(String env, String name) {
    for (String line : env.split("\n")) {
      if (line.startsWith("export " + name + "=")) {
        return line.substring(line.indexOf('=') + 1).replace("'", "");
      }
    }
    throw new AssertionError(name + " not exported in " + env);
  }
}
