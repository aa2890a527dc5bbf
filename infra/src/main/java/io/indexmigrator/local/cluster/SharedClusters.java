package io.indexmigrator.local.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * One running cluster per engine version for the whole JVM, started on first use: lets many tests
 * share a cluster instead of each paying ~20 s of startup. The clusters stop when the JVM exits, so
 * callers must not close them and should use their own index names.
 */
public final class SharedClusters {

  private static final Map<EngineVersion, RunningCluster> CLUSTERS = new HashMap<>();
  private static ClusterLauncher launcher;

  private SharedClusters() {}

  /** E.g. {@code SharedClusters.get("opensearch:2")}; see {@link EngineVersion#parse}. */
  public static RunningCluster get(String engine) {
    return get(EngineVersion.parse(engine));
  }

  /** The shared cluster for this engine, started (or restarted, if it died) as needed. */
  public static synchronized RunningCluster get(EngineVersion engine) {
    RunningCluster cluster = CLUSTERS.get(engine);
    if (cluster == null || !cluster.isAlive()) {
      if (launcher == null) {
        launcher = new ClusterLauncher();
      }
      cluster = launcher.start(ClusterSpec.of(engine));
      CLUSTERS.put(engine, cluster);
    }
    return cluster;
  }
}
