package io.indexmigrator.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.core.config.NamedClusters;
import io.indexmigrator.core.search.SearchCluster;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterRegistryTest {
  final List<String> connected = new ArrayList<>();

  final NamedClusters config =
      NamedClusters.from(
          EnvironmentReader.of(
              Map.of(
                  "CLUSTER_ENDPOINT",
                  "https://new.example",
                  "NAMED_CLUSTERS",
                  "{\"source\": {\"endpoint\": \"http://old.example:9200\"}}"),
              NamedClusters.VARIABLES));

  SearchCluster connect(ClusterConfig cluster) {
    connected.add(cluster.endpoint().toString());
    return (SearchCluster)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {SearchCluster.class},
            (proxy, method, args) ->
                method.getName().equals("toString") ? cluster.endpoint().toString() : null);
  }

  @Test
  void eachClusterIsConnectedOnFirstUse_andOnlyOnce() {
    ClusterRegistry registry = new ClusterRegistry(config, this::connect);
    assertThat(connected).isEmpty();

    SearchCluster source = registry.cluster("source");
    SearchCluster again = registry.cluster("source");

    assertThat(again).isSameAs(source);
    assertThat(connected).containsExactly("http://old.example:9200");
    assertThat(registry.defaultCluster().toString()).isEqualTo("https://new.example");
    assertThat(connected).containsExactly("http://old.example:9200", "https://new.example");
  }

  @Test
  void names_startWithTheDefault() {
    assertThat(new ClusterRegistry(config, this::connect).names())
        .containsExactly("default", "source");
  }

  @Test
  void unknownName_isRefusedListingTheKnownOnes_withoutConnectingAnything() {
    ClusterRegistry registry = new ClusterRegistry(config, this::connect);

    assertThatThrownBy(() -> registry.cluster("old-es"))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("no cluster named 'old-es'")
        .hasMessageContaining("'default', 'source'");
    assertThat(connected).isEmpty();
  }
}
