package io.indexmigrator.core.copy;

import io.indexmigrator.local.cluster.SharedClusters;
import org.junit.jupiter.api.BeforeAll;

/** OpenSearch 2.19 read through a point in time, into indexes of the same cluster. */
class ShardCopyOpenSearch219ToOpenSearch219IT extends ShardCopyContract {
  @BeforeAll
  static void startClusters() throws Exception {
    var cluster = SharedClusters.get("opensearch:2.19.6").httpUri();
    start(cluster, cluster, true);
  }
}
