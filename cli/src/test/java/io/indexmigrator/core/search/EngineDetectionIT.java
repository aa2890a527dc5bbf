package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.local.cluster.ClusterLauncher;
import io.indexmigrator.local.cluster.ClusterSpec;
import io.indexmigrator.local.cluster.EngineVersion;
import io.indexmigrator.local.cluster.RunningCluster;
import org.junit.jupiter.api.Test;

/**
 * {@link OpenSearchCluster#info()} on an OpenSearch 1.3 that masks its version as 7.10.2 ({@code
 * compatibility.override_main_response_version}): detected as OpenSearch, with the real version
 * read from its nodes. The cluster is this test's own, as the setting would change what every other
 * test sharing a cluster sees.
 */
class EngineDetectionIT {

  @Test
  void openSearch1InCompatibilityMode_isOpenSearch1320() {
    ClusterSpec spec =
        ClusterSpec.of(EngineVersion.parse("opensearch:1.3.20"))
            .withSetting("compatibility.override_main_response_version", "true");
    try (RunningCluster running = new ClusterLauncher().start(spec);
        OpenSearchCluster cluster =
            OpenSearchCluster.connect(ClusterEndpoint.of(running.httpUri().toString()))) {
      ClusterInfo info = cluster.info();

      assertThat(info.reportedVersion()).isEqualTo("7.10.2");
      assertThat(info.distribution()).isEqualTo(ClusterInfo.OPENSEARCH);
      assertThat(info.version()).isEqualTo("1.3.20");
      assertThat(info.luceneVersion()).startsWith("8.");
      assertThat(info.engine()).isEqualTo("opensearch 1.3.20 (reports 7.10.2)");
      assertThat(
              MigrationDirection.refusal(
                  info, new ClusterInfo("n", "u", "elasticsearch", "7.10.2")))
          .isPresent();
    }
  }
}
