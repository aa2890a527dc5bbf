package io.indexmigrator.core.copy;

import io.indexmigrator.local.cluster.SharedClusters;
import org.junit.jupiter.api.BeforeAll;

/** OpenSearch 1.3 (no point in time) read by scroll into 3.x, which cannot open 1.3 indexes. */
class ShardCopyOpenSearch13ToOpenSearch38IT extends ShardCopyContract {
  @BeforeAll
  static void startClusters() throws Exception {
    start(
        SharedClusters.get("opensearch:1.3.20").httpUri(),
        SharedClusters.get("opensearch:3.8.0").httpUri(),
        false);
  }
}
