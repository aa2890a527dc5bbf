package io.indexmigrator.functions.lifecycle;

import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.EnvironmentReader;
import java.util.ArrayList;
import java.util.List;

/** Configuration of the lifecycle functions, read once per execution environment. */
record LifecycleConfig(String stateTable, ClusterConfig cluster, int verifySlices) {
  static final List<String> VARIABLES;
  static final List<String> REQUIRED = List.of("STATE_TABLE", "CLUSTER_ENDPOINT");

  static {
    List<String> all = new ArrayList<>(List.of("STATE_TABLE", "VERIFY_SLICES"));
    all.addAll(ClusterConfig.VARIABLES);
    VARIABLES = List.copyOf(all);
  }

  static LifecycleConfig from(EnvironmentReader env) {
    return new LifecycleConfig(
        env.require("STATE_TABLE"), ClusterConfig.from(env), env.positiveInt("VERIFY_SLICES", 4));
  }
}
