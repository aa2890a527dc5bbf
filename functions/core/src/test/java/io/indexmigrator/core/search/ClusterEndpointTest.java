package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.indexmigrator.core.search.ClusterEndpoint.Auth;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ClusterEndpointTest {

  @Test
  void secretsStayOutOfToString() {
    assertThat(new Auth.Basic("admin", "s3cret").toString()).doesNotContain("s3cret");
  }

  @Test
  void sigV4_acceptsOnlyOpenSearchServices() {
    assertThat(new Auth.SigV4("eu-west-1", "aoss").service()).isEqualTo("aoss");
    assertThatThrownBy(() -> new Auth.SigV4("eu-west-1", "s3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SigV4 service must be 'es' or 'aoss', got 's3'");
  }

  @Test
  void urlNeedsSchemeAndHost() {
    assertThatThrownBy(() -> ClusterEndpoint.of("localhost:9200"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a scheme and a host");
  }

  /**
   * Builds the SigV4 transport and signs a real request with static test credentials; nothing
   * listens on 127.0.0.1:443 here, so the call must end as a retryable "no response".
   */
  @Test
  void sigV4Cluster_signsAndReportsUnreachableHostAsRetryable() {
    String previousKey = System.getProperty("aws.accessKeyId");
    String previousSecret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    try (OpenSearchCluster cluster =
        OpenSearchCluster.connect(
            new ClusterEndpoint(
                URI.create("https://127.0.0.1"), new Auth.SigV4("eu-west-1", "es")))) {
      SearchClusterException e = catchThrowableOfType(SearchClusterException.class, cluster::info);

      assertThat(e.status()).isEqualTo(SearchClusterException.NO_RESPONSE);
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.errorType()).as(e.getMessage()).isEqualTo("connection_error");
    } finally {
      restore("aws.accessKeyId", previousKey);
      restore("aws.secretAccessKey", previousSecret);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
