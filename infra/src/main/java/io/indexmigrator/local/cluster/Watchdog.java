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

  /** The file in the work directory where the watchdog records the engine's pid. */
  static final String PID_FILE = "engine.pid";

  // Positional arguments: $1 = work dir, $2 = grace seconds, the rest = the engine command.
  // The parent pid is read from /proc because bash's $PPID never changes after startup.
  // The trap is set before the engine starts: a TERM arriving in between would otherwise kill
  // the watchdog alone and leave the engine (in its own session) running.
  // $! is known as soon as bash has forked, but the child calls setsid(2) only after it has been
  // scheduled and has exec'd setsid, which under load takes tens to hundreds of ms. Until then
  // "-$child" names no process group, so a stop() in that window would signal nothing, find the
  // group empty and exit, leaving the engine to run. So the pid is neither used nor published
  // before the child leads its own session (or is already gone).
  // After SIGKILL the engine is reaped here: an orphaned zombie would wait for init to reap it,
  // and Java's ProcessHandle counts a zombie as alive.
  // `sleep & wait` (not a plain sleep) lets the TERM trap run at once.
  // When the JVM died, nobody else will delete the work dir, so the watchdog does.
  private static final String SCRIPT =
      """
      workdir=$1; grace=$2; shift 2
      parent_pid() { local s; read -r s < /proc/$$/stat; s=${s##*) }; set -- $s; echo "$2"; }
      parent=$(parent_pid)
      child=
      stopping=
      stop() {
        kill -TERM -- "-$child" 2>/dev/null
        for ((i = 0; i < grace * 10; i++)); do
          kill -0 -- "-$child" 2>/dev/null || return 0
          sleep 0.1
        done
        kill -KILL -- "-$child" 2>/dev/null
        wait "$child" 2>/dev/null
      }
      leads_own_session() {
        local s; read -r s 2>/dev/null < "/proc/$1/stat" || return 0
        s=${s##*) }; set -- "$1" $s; [ "$2" = Z ] || [ "$5" = "$1" ]
      }
      on_signal() { stopping=1; if [ -n "$child" ]; then stop; exit 0; fi; }
      trap on_signal TERM INT HUP
      setsid "$@" &
      forked=$!
      until leads_own_session "$forked"; do sleep 0.01; done
      child=$forked
      echo "$child" > "$workdir/engine.pid"
      if [ -n "$stopping" ]; then stop; exit 0; fi
      while kill -0 "$child" 2>/dev/null; do
        if [ "$(parent_pid)" != "$parent" ]; then
          stop
          sleep 1
          [ -f "$workdir/engine.pid" ] && rm -rf -- "$workdir"
          exit 0
        fi
        sleep 1 & wait $!
      done
      wait "$child"
      """;

  private Watchdog() {}

  /** The command that runs {@code engineCommand} under the watchdog. */
  static List<String> wrap(Path workDir, Duration grace, List<String> engineCommand) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add("-c");
    command.add(SCRIPT);
    command.add("migrator-watchdog");
    command.add(workDir.toString());
    command.add(Long.toString(Math.max(1, grace.toSeconds())));
    command.addAll(engineCommand);
    return command;
  }
}
