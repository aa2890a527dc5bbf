package io.indexmigrator.core.sync.poll;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.indexmigrator.local.cluster.SharedClusters;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SeqNoPollerContract} on the engine named by {@code -Dmigrator.it.pollEngine}, e.g. {@code
 * opensearch:1.3.20} or {@code opensearch:3.8.0}; skipped when it is not set, so the default build
 * starts only the two engines of the other subclasses.
 */
class SeqNoPollerChosenEngineIT extends SeqNoPollerContract {
  private static final String ENGINE = System.getProperty("migrator.it.pollEngine", "");

  @BeforeAll
  static void start() {
    assumeTrue(!ENGINE.isBlank(), "set -Dmigrator.it.pollEngine to run the poller on an engine");
    connect(SharedClusters.get(ENGINE).httpUri());
  }

  @Override
  String engine() {
    return ENGINE;
  }
}
