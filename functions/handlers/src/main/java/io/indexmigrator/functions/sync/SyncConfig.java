package io.indexmigrator.functions.sync;

import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.EnvironmentReader;
import java.util.ArrayList;
import java.util.List;

/** Configuration of the sync consumer, read once per execution environment. */
record SyncConfig(
    String stateTable, String deadLetterQueueUrl, String queueUrl, ClusterConfig cluster) {
  static final List<String> VARIABLES;
  static final List<String> REQUIRED =
      List.of("STATE_TABLE", "SYNC_DEAD_LETTER_QUEUE_URL", "CLUSTER_ENDPOINT");

  static {
    List<String> all =
        new ArrayList<>(List.of("STATE_TABLE", "SYNC_DEAD_LETTER_QUEUE_URL", "SYNC_QUEUE_URL"));
    all.addAll(ClusterConfig.VARIABLES);
    VARIABLES = List.copyOf(all);
  }

  static SyncConfig from(EnvironmentReader env) {
    return new SyncConfig(
        env.require("STATE_TABLE"),
        env.require("SYNC_DEAD_LETTER_QUEUE_URL"),
        env.optional("SYNC_QUEUE_URL").orElse(null),
        ClusterConfig.from(env));
  }
}
