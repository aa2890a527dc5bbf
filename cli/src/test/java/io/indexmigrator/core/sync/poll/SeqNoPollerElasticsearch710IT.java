package io.indexmigrator.core.sync.poll;

import io.indexmigrator.local.cluster.SharedClusters;
import org.junit.jupiter.api.BeforeAll;

/** {@link SeqNoPollerContract} on Elasticsearch 7.10, the last Apache-licensed release. */
class SeqNoPollerElasticsearch710IT extends SeqNoPollerContract {
  private static final String ENGINE = "elasticsearch:7.10.2";

  @BeforeAll
  static void start() {
    connect(SharedClusters.get(ENGINE).httpUri());
  }

  @Override
  String engine() {
    return ENGINE;
  }
}
