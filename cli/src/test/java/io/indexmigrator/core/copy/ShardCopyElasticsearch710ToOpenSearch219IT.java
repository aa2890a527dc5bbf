package io.indexmigrator.core.copy;

import io.indexmigrator.local.cluster.SharedClusters;
import org.junit.jupiter.api.BeforeAll;

/** Elasticsearch 7.10 (no point in time in its Apache-licensed build) read by scroll into 2.19. */
class ShardCopyElasticsearch710ToOpenSearch219IT extends ShardCopyContract {
  @BeforeAll
  static void startClusters() throws Exception {
    start(
        SharedClusters.get("elasticsearch:7.10.2").httpUri(),
        SharedClusters.get("opensearch:2.19.6").httpUri(),
        false);
  }
}
