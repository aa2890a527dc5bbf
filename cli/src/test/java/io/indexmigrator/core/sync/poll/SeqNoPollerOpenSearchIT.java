package io.indexmigrator.core.sync.poll;

import io.indexmigrator.local.cluster.EngineVersion;
import io.indexmigrator.local.cluster.SharedClusters;
import org.junit.jupiter.api.BeforeAll;

/** {@link SeqNoPollerContract} on OpenSearch 2.19 (the launcher's default engine). */
class SeqNoPollerOpenSearchIT extends SeqNoPollerContract {

  @BeforeAll
  static void start() {
    connect(SharedClusters.get(EngineVersion.DEFAULT).httpUri());
  }

  @Override
  String engine() {
    return EngineVersion.DEFAULT.toString();
  }
}
