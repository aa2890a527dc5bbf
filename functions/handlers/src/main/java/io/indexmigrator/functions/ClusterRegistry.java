package io.indexmigrator.functions;

import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.NamedClusters;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.SearchCluster;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The configured clusters, each connected on first use and then kept for the execution
 * environment's lifetime: a function that never touches the source cluster never reads its secret
 * or opens a connection to it.
 */
public final class ClusterRegistry implements Clusters {
  private final NamedClusters config;
  private final Function<ClusterConfig, ? extends SearchCluster> connector;
  private final Map<String, SearchCluster> connected = new ConcurrentHashMap<>();

  /** Connects with {@link ClusterConnections#connect}. */
  public ClusterRegistry(NamedClusters config) {
    this(config, ClusterConnections::connect);
  }

  ClusterRegistry(
      NamedClusters config, Function<ClusterConfig, ? extends SearchCluster> connector) {
    this.config = config;
    this.connector = connector;
  }

  /**
   * The registry with the default cluster already connected, so that its missing or malformed
   * secret fails the cold start with its own message, as before clusters had names.
   */
  public static ClusterRegistry connectDefault(NamedClusters config) {
    ClusterRegistry registry = new ClusterRegistry(config);
    registry.defaultCluster();
    return registry;
  }

  @Override
  public SearchCluster cluster(String name) {
    if (!config.clusters().containsKey(name)) {
      throw Clusters.unknown(name, names());
    }
    return connected.computeIfAbsent(name, n -> connector.apply(config.get(n)));
  }

  @Override
  public Set<String> names() {
    return config.names();
  }
}
