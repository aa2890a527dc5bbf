package io.indexmigrator.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.ConfigurationException;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.OpenSearchCluster;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Opens the cluster a function's configuration names, with the configured authentication. */
public final class ClusterConnections {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClusterConnections() {}

  public static OpenSearchCluster connect(ClusterConfig config) {
    ClusterEndpoint.Auth auth =
        switch (config.auth()) {
          case NONE -> new ClusterEndpoint.Auth.None();
          case SIGV4 ->
              new ClusterEndpoint.Auth.SigV4(
                  config.region(), config.signingService().name().toLowerCase());
          case BASIC -> basic(config);
        };
    return OpenSearchCluster.connect(new ClusterEndpoint(config.endpoint(), auth));
  }

  private static ClusterEndpoint.Auth basic(ClusterConfig config) {
    if (config.username().isPresent() && config.password().isPresent()) {
      return new ClusterEndpoint.Auth.Basic(config.username().get(), config.password().get());
    }
    String arn = config.credentialsSecretArn().orElseThrow();
    try (SecretsManagerClient secrets =
        SecretsManagerClient.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build()) {
      String text = secrets.getSecretValue(r -> r.secretId(arn)).secretString();
      JsonNode secret = JSON.readTree(text);
      if (!secret.hasNonNull("username") || !secret.hasNonNull("password")) {
        throw new ConfigurationException(
            "secret " + arn + " must be JSON with \"username\" and \"password\"");
      }
      return new ClusterEndpoint.Auth.Basic(
          secret.get("username").asText(), secret.get("password").asText());
    } catch (ConfigurationException e) {
      throw e;
    } catch (Exception e) {
      throw new ConfigurationException(
          "cannot read cluster credentials from " + arn + ": " + e.getMessage());
    }
  }
}
