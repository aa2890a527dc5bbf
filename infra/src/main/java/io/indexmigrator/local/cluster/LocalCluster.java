package io.indexmigrator.local.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A cluster running under our {@link Watchdog}, remembered so JVM exit can stop it. */
final class LocalCluster implements RunningCluster {

  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  private static final Set<LocalCluster> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> List.copyOf(RUNNING).forEach(LocalCluster::close), "migrator-cluster-stop"));
  }

  private final EngineVersion engine;
  private final URI httpUri;
  private final ProcessBuilder launch;
  private final java.util.function.Consumer<LocalCluster> awaitHealthy;
  private volatile Process watchdog;
  private final Path pidFile;
  private final Path workDir;
  private final Path logFile;
  private final Duration grace;
  private volatile long pid = -1;
  private boolean closed;

  LocalCluster(
      EngineVersion engine,
      URI httpUri,
      ProcessBuilder launch,
      java.util.function.Consumer<LocalCluster> awaitHealthy,
      Process watchdog,
      Path pidFile,
      Path workDir,
      Path logFile,
      Duration grace) {
    this.engine = engine;
    this.httpUri = httpUri;
    this.launch = launch;
    this.awaitHealthy = awaitHealthy;
    this.watchdog = watchdog;
    this.pidFile = pidFile;
    this.workDir = workDir;
    this.logFile = logFile;
    this.grace = grace;
    RUNNING.add(this);
  }

  @Override
  public URI httpUri() {
    return httpUri;
  }

  @Override
  public EngineVersion engine() {
    return engine;
  }

  @Override
  public long pid() {
    if (pid < 0) {
      try {
        pid = Long.parseLong(Files.readString(pidFile).strip());
      } catch (IOException | NumberFormatException e) {
        throw new IllegalStateException("the engine's pid is not known yet (" + pidFile + ")", e);
      }
    }
    return pid;
  }

  @Override
  public Path logFile() {
    return logFile;
  }

  @Override
  public boolean isAlive() {
    return watchdog.isAlive();
  }

  boolean watchdogAlive() {
    return watchdog.isAlive();
  }

  @Override
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException(this + " was stopped for good");
    }
    stopProcesses();
    pid = -1;
    try {
      Files.deleteIfExists(pidFile);
      watchdog = launch.start();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot start " + engine.displayName() + " again", e);
    }
    awaitHealthy.accept(this);
    LOG.info("restarted {} at {} (pid {})", engine.displayName(), httpUri, pid());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopProcesses();
    try {
      Processes.deleteRecursively(workDir);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", workDir, e.toString());
    }
    RUNNING.remove(this);
    LOG.info("stopped {} at {}", engine.displayName(), httpUri);
  }

  private void stopProcesses() {
    // Remember the whole tree first: once the watchdog is gone, its descendants are no longer ours.
    List<ProcessHandle> tree = new ArrayList<>(watchdog.descendants().toList());
    tree.add(watchdog.toHandle());
    watchdog.destroy(); // SIGTERM: the watchdog stops the engine's process group gracefully
    try {
      if (!watchdog.waitFor(grace.toSeconds() + 10, TimeUnit.SECONDS)) {
        LOG.warn(
            "{} did not stop within {} s; killing it", engine.displayName(), grace.toSeconds());
      }
      for (ProcessHandle p : tree) {
        if (p.isAlive()) {
          p.destroyForcibly();
          p.onExit().get(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tree.forEach(ProcessHandle::destroyForcibly);
    } catch (Exception e) {
      LOG.warn("stopping {} failed: {}", engine.displayName(), e.toString());
    }
  }

  @Override
  public String toString() {
    return engine.displayName() + " at " + httpUri;
  }
}
