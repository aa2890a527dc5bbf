package io.indexmigrator.local.cluster;

import java.net.URI;
import java.nio.file.Path;

/** A single-node cluster started by {@link ClusterLauncher}, stopped by {@link #close()}. */
public interface RunningCluster extends AutoCloseable {

  /** Base URI of the REST API, e.g. {@code http://127.0.0.1:41234}. */
  URI httpUri();

  EngineVersion engine();

  /** Process id of the engine (the leader of its process group). */
  long pid();

  /** Everything the engine wrote to stdout and stderr, which includes its log. */
  Path logFile();

  /** Whether the engine process is still running. */
  boolean isAlive();

  /**
   * Stops the engine gracefully and starts it again on the same ports and data, as an operator's
   * node restart would: its indexes survive, its search contexts (scrolls, points in time) and
   * tasks do not. Returns once it is healthy again.
   *
   * @throws ClusterStartException if it does not come back
   */
  void restart();

  /**
   * Stops the engine (SIGTERM, then SIGKILL after a grace period) and deletes its data. Safe to
   * call more than once.
   */
  @Override
  void close();
}
