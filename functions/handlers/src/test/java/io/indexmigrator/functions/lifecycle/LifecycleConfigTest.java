package io.indexmigrator.functions.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.config.ConfigurationException;
import io.indexmigrator.core.config.EnvironmentReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LifecycleConfigTest {

  static LifecycleConfig from(Map<String, String> env) {
    return LifecycleConfig.from(EnvironmentReader.of(env, LifecycleConfig.VARIABLES));
  }

  @Test
  void namedClusters_areReadWithTheDefaultOne() {
    LifecycleConfig config =
        from(
            Map.of(
                "STATE_TABLE", "t",
                "CLUSTER_ENDPOINT", "https://new.example",
                "NAMED_CLUSTERS", "{\"source\": {\"endpoint\": \"http://old.example:9200\"}}"));

    assertThat(config.clusters().names()).containsExactly("default", "source");
  }

  @Test
  void aBadNamedCluster_failsTheColdStart() {
    assertThatThrownBy(
            () ->
                from(
                    Map.of(
                        "STATE_TABLE", "t",
                        "CLUSTER_ENDPOINT", "https://new.example",
                        "NAMED_CLUSTERS", "{\"source\": {\"endpoint\": \"old.example\"}}")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("NAMED_CLUSTERS: cluster 'source': field 'endpoint'");
  }

  @Test
  void theEndpointParameterPrefix_isOptional_andTheBusDefaults() {
    LifecycleConfig none = from(Map.of("STATE_TABLE", "t", "CLUSTER_ENDPOINT", "https://x"));
    assertThat(none.endpointParameterPrefix()).isEmpty();
    assertThat(none.switchEventBus()).isEqualTo("default");

    LifecycleConfig set =
        from(
            Map.of(
                "STATE_TABLE", "t",
                "CLUSTER_ENDPOINT", "https://x",
                "ENDPOINT_PARAMETER_PREFIX", "/index-migrator/stack-1",
                "SWITCH_EVENT_BUS", "ops"));
    assertThat(set.endpointParameterPrefix()).contains("/index-migrator/stack-1");
    assertThat(set.switchEventBus()).isEqualTo("ops");
  }

  @Test
  void aBadEndpointParameterPrefix_failsTheColdStart_namingIt() {
    for (String bad : new String[] {"index-migrator", "/trailing/", "/aws/x", "/a b"}) {
      assertThatThrownBy(
              () ->
                  from(
                      Map.of(
                          "STATE_TABLE", "t",
                          "CLUSTER_ENDPOINT", "https://x",
                          "ENDPOINT_PARAMETER_PREFIX", bad)))
          .as(bad)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("ENDPOINT_PARAMETER_PREFIX is '" + bad + "'");
    }
  }
}
