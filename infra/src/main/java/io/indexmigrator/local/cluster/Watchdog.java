package io.indexmigrator.local.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small bash process between our JVM and the engine that makes sure the engine never outlives us.
 * It starts the engine in its own process group, records its pid, and stops the whole group
 * (SIGTERM, then SIGKILL after a grace period) when it is itself asked to stop, or when it notices
 * that its parent changed, i.e. our JVM died, even by SIGKILL where no shutdown hook runs.
 *
 * <p>PR_SET_PDEATHSIG would be simpler but fires when the thread that forked exits, and Java forks
 * from whichever thread called {@code start()}, so engines would die with short-lived threads.
 */
final class Watchdog {

  // Positional arguments: $1 = pid file, $2 = grace seconds, the rest = the engine command.
  // The parent pid is read from /proc because bash's $PPID never changes after startup.
  // `sleep & wait` (not a plain sleep) lets the TERM trap run at once.
  private static final String SCRIPT =
      """
      pidfile=$1; grace=$2; shift 2
      parent_pid() { local s; read -r s < /proc/$$/stat; s=${s##*) }; set -- $s; echo "$2"; }
      parent=$(parent_pid)
      setsid "$@" &
      child=$!
      echo "$child" > "$pidfile"
      stop() {
        kill -TERM -- "-$child" 2>/dev/null
        for ((i = 0; i < grace * 10; i++)); do
          kill -0 -- "-$child" 2>/dev/null || exit 0
          sleep 0.1
        done
        kill -KILL -- "-$child" 2>/dev/null
        exit 0
      }
      trap stop TERM INT HUP
      while kill -0 "$child" 2>/dev/null; do
        [ "$(parent_pid)" = "$parent" ] || stop
        sleep 1 & wait $!
      done
      wait "$child"
      """;

  private Watchdog() {}

  /** The command that runs {@code engineCommand} under the watchdog. */
  static List<String> wrap(Path pidFile, Duration grace, List<String> engineCommand) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add("-c");
    command.add(SCRIPT);
    command.add("migrator-watchdog");
    command.add(pidFile.toString());
    command.add(Long.toString(Math.max(1, grace.toSeconds())));
    command.addAll(engineCommand);
    return command;
  }
}
