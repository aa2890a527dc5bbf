package io.indexmigrator.functions.smoke;

import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.EnvironmentReader;
import java.util.ArrayList;
import java.util.List;

/** Configuration of the smoke-test functions, read once per execution environment. */
record SmokeConfig(String stateTable, String smokeQueueUrl, ClusterConfig cluster) {
  static final List<String> QUEUE_CONSUMER_VARIABLES = List.of("STATE_TABLE");
  static final List<String> STEP_VARIABLES;
  static final List<String> STEP_REQUIRED =
      List.of("STATE_TABLE", "SMOKE_QUEUE_URL", "CLUSTER_ENDPOINT");

  static {
    List<String> all = new ArrayList<>(List.of("STATE_TABLE", "SMOKE_QUEUE_URL"));
    all.addAll(ClusterConfig.VARIABLES);
    STEP_VARIABLES = List.copyOf(all);
  }

  static SmokeConfig forSteps(EnvironmentReader env) {
    return new SmokeConfig(
        env.require("STATE_TABLE"), env.require("SMOKE_QUEUE_URL"), ClusterConfig.from(env));
  }

  static SmokeConfig forQueueConsumer(EnvironmentReader env) {
    return new SmokeConfig(env.require("STATE_TABLE"), null, null);
  }
}
