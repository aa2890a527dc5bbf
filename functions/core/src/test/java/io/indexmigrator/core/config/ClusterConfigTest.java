package io.indexmigrator.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

  private static ClusterConfig from(Map<String, String> variables) {
    Map<String, String> env = new HashMap<>(Map.of("CLUSTER_ENDPOINT", "https://search.example"));
    env.putAll(variables);
    return ClusterConfig.from(EnvironmentReader.of(env, ClusterConfig.VARIABLES));
  }

  @Test
  void basicAuth_namesItsSecret() {
    ClusterConfig config =
        from(
            Map.of(
                "CLUSTER_AUTH",
                "basic",
                "CLUSTER_CREDENTIALS_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cluster"));

    assertThat(config.auth()).isEqualTo(ClusterConfig.Auth.BASIC);
    assertThat(config.credentialsSecretArn())
        .contains("arn:aws:secretsmanager:eu-west-1:123456789012:secret:cluster");
  }

  @Test
  void basicAuthWithoutASecret_isRefused() {
    assertThatThrownBy(() -> from(Map.of("CLUSTER_AUTH", "basic")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("CLUSTER_CREDENTIALS_SECRET_ARN is not set");
  }

  @Test
  void passwordInTheEnvironment_isRefusedWithoutEchoingIt() {
    assertThatThrownBy(
            () ->
                from(
                    Map.of(
                        "CLUSTER_AUTH", "basic",
                        "CLUSTER_USERNAME", "admin",
                        "CLUSTER_PASSWORD", "env-s3cret")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("read only from Secrets Manager")
        .message()
        .doesNotContain("env-s3cret");
  }

  @Test
  void passwordInTheEnvironment_isRefusedEvenNextToASecret() {
    assertThatThrownBy(
            () ->
                from(
                    Map.of(
                        "CLUSTER_AUTH", "basic",
                        "CLUSTER_CREDENTIALS_SECRET_ARN", "arn:aws:secretsmanager:r:1:secret:s",
                        "CLUSTER_PASSWORD", "env-s3cret")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("CLUSTER_PASSWORD is set");
  }

  @Test
  void toStringShowsNoSecretArnOrPassword() {
    assertThat(from(Map.of("CLUSTER_AUTH", "sigv4")).toString()).contains("auth=SIGV4");
  }
}
