package io.indexmigrator.functions.lifecycle;

import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.core.config.NamedClusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Configuration of the lifecycle functions, read once per execution environment. */
record LifecycleConfig(
    String stateTable,
    NamedClusters clusters,
    int verifySlices,
    Optional<String> syncFunctionName,
    Optional<String> syncQueueUrl) {
  static final List<String> VARIABLES;
  static final List<String> REQUIRED = List.of("STATE_TABLE", "CLUSTER_ENDPOINT");

  static {
    List<String> all =
        new ArrayList<>(
            List.of("STATE_TABLE", "VERIFY_SLICES", "SYNC_FUNCTION_NAME", "SYNC_QUEUE_URL"));
    all.addAll(NamedClusters.VARIABLES);
    VARIABLES = List.copyOf(all);
  }

  static LifecycleConfig from(EnvironmentReader env) {
    return new LifecycleConfig(
        env.require("STATE_TABLE"),
        NamedClusters.from(env),
        env.positiveInt("VERIFY_SLICES", 4),
        env.optional("SYNC_FUNCTION_NAME"),
        env.optional("SYNC_QUEUE_URL"));
  }
}
