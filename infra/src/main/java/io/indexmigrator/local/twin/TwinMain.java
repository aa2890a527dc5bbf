package io.indexmigrator.local.twin;

import io.indexmigrator.local.cluster.EngineVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The long-running twin process behind {@code migrator local up}. Arguments: {@code <stateDir>
 * <template> <engine> [<sourceEngine>]}. Publishes twin.json when every part is up and runs until
 * it is sent SIGTERM ({@code migrator local down}), which stops every part.
 */
public final class TwinMain {
  private TwinMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 3 || args.length > 4) {
      System.err.println("usage: TwinMain <stateDir> <template> <engine> [<sourceEngine>]");
      System.exit(2);
    }
    Path stateDir = Path.of(args[0]);
    TwinOptions options =
        new TwinOptions(
            stateDir,
            Path.of(args[1]),
            EngineVersion.parse(args[2]),
            args.length == 4 ? Optional.of(EngineVersion.parse(args[3])) : Optional.empty(),
            TwinOptions.DEFAULT_STACK);
    LocalTwin twin;
    try {
      twin = LocalTwin.start(options);
    } catch (RuntimeException e) {
      // The CLI shows this file's content when startup fails.
      try {
        Files.writeString(stateDir.resolve("startup-error.txt"), String.valueOf(e.getMessage()));
      } catch (Exception ignored) {
        // The log still has the stack trace.
      }
      e.printStackTrace();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    Files.deleteIfExists(TwinState.file(stateDir));
                  } catch (Exception ignored) {
                    // Best effort: `local down` removes it too.
                  }
                  twin.close();
                  stopped.countDown();
                }));
    twin.state().write(stateDir);
    stopped.await();
  }
}
