package io.indexmigrator.local.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to start: an engine and how to configure its single node.
 *
 * @param engine the engine release
 * @param clusterName the cluster name (also names the engine's log file)
 * @param httpPort the HTTP port on 127.0.0.1, or 0 for a free one
 * @param heap the JVM heap, used for both -Xms and -Xmx, e.g. {@code 512m}
 * @param settings extra node settings, passed as {@code -E key=value}; they win over ours
 */
public record ClusterSpec(
    EngineVersion engine,
    String clusterName,
    int httpPort,
    String heap,
    Map<String, String> settings) {

  public static final String DEFAULT_HEAP = "512m";

  private static final Pattern HEAP = Pattern.compile("\\d+[kKmMgG]");
  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  public ClusterSpec {
    Objects.requireNonNull(engine, "engine");
    if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
      throw new IllegalArgumentException(
          "cluster name '" + clusterName + "' must be letters, digits, '.', '_' or '-'");
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("HTTP port " + httpPort + " is not 0..65535");
    }
    if (heap == null || !HEAP.matcher(heap).matches()) {
      throw new IllegalArgumentException("heap '" + heap + "' must look like 512m or 1g");
    }
    settings = Map.copyOf(Objects.requireNonNull(settings, "settings"));
  }

  /** A single node on a free port with a 512 MB heap. */
  public static ClusterSpec of(EngineVersion engine) {
    return new ClusterSpec(
        engine, "migrator-" + engine.distribution().id(), 0, DEFAULT_HEAP, Map.of());
  }

  public ClusterSpec withHttpPort(int port) {
    return new ClusterSpec(engine, clusterName, port, heap, settings);
  }

  public ClusterSpec withClusterName(String name) {
    return new ClusterSpec(engine, name, httpPort, heap, settings);
  }

  public ClusterSpec withHeap(String newHeap) {
    return new ClusterSpec(engine, clusterName, httpPort, newHeap, settings);
  }

  public ClusterSpec withSetting(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(settings);
    more.put(key, value);
    return new ClusterSpec(engine, clusterName, httpPort, heap, more);
  }
}
