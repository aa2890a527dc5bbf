package io.indexmigrator.functions.sync;

import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.core.config.NamedClusters;
import java.util.ArrayList;
import java.util.List;

/** Configuration of the sync consumer, read once per execution environment. */
/**
 * @param unroutedGraceSeconds how long an event of an index no migration covers is kept (the
 *     application may have started publishing just before init) before it is dead-lettered
 */
record SyncConfig(
    String stateTable,
    String deadLetterQueueUrl,
    String queueUrl,
    int unroutedGraceSeconds,
    NamedClusters clusters) {
  static final List<String> VARIABLES;
  static final List<String> REQUIRED =
      List.of("STATE_TABLE", "SYNC_DEAD_LETTER_QUEUE_URL", "CLUSTER_ENDPOINT");

  static {
    List<String> all =
        new ArrayList<>(
            List.of(
                "STATE_TABLE",
                "SYNC_DEAD_LETTER_QUEUE_URL",
                "SYNC_QUEUE_URL",
                "SYNC_UNROUTED_GRACE_SECONDS"));
    all.addAll(NamedClusters.VARIABLES);
    VARIABLES = List.copyOf(all);
  }

  static SyncConfig from(EnvironmentReader env) {
    return new SyncConfig(
        env.require("STATE_TABLE"),
        env.require("SYNC_DEAD_LETTER_QUEUE_URL"),
        env.optional("SYNC_QUEUE_URL").orElse(null),
        env.positiveInt("SYNC_UNROUTED_GRACE_SECONDS", 60),
        NamedClusters.from(env));
  }
}
