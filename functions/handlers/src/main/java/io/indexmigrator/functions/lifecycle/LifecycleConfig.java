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
    Optional<String> syncQueueUrl,
    Optional<String> endpointParameterPrefix,
    String switchEventBus) {
  static final List<String> VARIABLES;
  static final List<String> REQUIRED = List.of("STATE_TABLE", "CLUSTER_ENDPOINT");

  static {
    List<String> all =
        new ArrayList<>(
            List.of(
                "STATE_TABLE",
                "VERIFY_SLICES",
                "SYNC_FUNCTION_NAME",
                "SYNC_QUEUE_URL",
                "ENDPOINT_PARAMETER_PREFIX",
                "SWITCH_EVENT_BUS"));
    all.addAll(NamedClusters.VARIABLES);
    VARIABLES = List.copyOf(all);
  }

  static LifecycleConfig from(EnvironmentReader env) {
    return new LifecycleConfig(
        env.require("STATE_TABLE"),
        NamedClusters.from(env),
        env.positiveInt("VERIFY_SLICES", 4),
        env.optional("SYNC_FUNCTION_NAME"),
        env.optional("SYNC_QUEUE_URL"),
        env.optional("ENDPOINT_PARAMETER_PREFIX").map(LifecycleConfig::validPrefix),
        env.optional("SWITCH_EVENT_BUS").orElse("default"));
  }

  private static String validPrefix(String prefix) {
    try {
      return io.indexmigrator.functions.publish.AwsSwitchPublisher.validPrefix(prefix);
    } catch (io.indexmigrator.core.MigrationFailedException e) {
      throw new io.indexmigrator.core.config.ConfigurationException(e.getMessage());
    }
  }
}
