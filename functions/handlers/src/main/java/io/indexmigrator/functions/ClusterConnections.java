package io.indexmigrator.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.ConfigurationException;
import io.indexmigrator.core.search.BasicCredentials;
import io.indexmigrator.core.search.CachedCredentials;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.CredentialsSource;
import io.indexmigrator.core.search.OpenSearchCluster;
import java.util.function.Function;
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
          case BASIC -> new ClusterEndpoint.Auth.Basic(secretCredentials(config));
        };
    return OpenSearchCluster.connect(new ClusterEndpoint(config.endpoint(), auth));
  }

  private static CredentialsSource secretCredentials(ClusterConfig config) {
    String arn = config.credentialsSecretArn().orElseThrow();
    // One client for the environment's lifetime: the secret is read again after a 401.
    SecretsManagerClient secrets =
        SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    CredentialsSource source =
        fromSecret(arn, id -> secrets.getSecretValue(r -> r.secretId(id)).secretString());
    // Read now, so a missing or malformed secret fails the cold start with its own message
    // rather than the first request.
    source.current();
    return source;
  }

  /**
   * Credentials read from the secret {@code arn} through {@code read} (which returns the secret's
   * text), cached until the cluster refuses them.
   */
  static CredentialsSource fromSecret(String arn, Function<String, String> read) {
    return new CachedCredentials(
        () -> {
          String text;
          try {
            text = read.apply(arn);
          } catch (RuntimeException e) {
            // The service's message (not found, access denied) never contains the secret value.
            throw new ConfigurationException(
                "cannot read cluster credentials from " + arn + ": " + e.getMessage());
          }
          return parse(arn, text);
        });
  }

  /**
   * The credentials in a secret's text. The error never quotes the text, nor carries the parser's
   * exception (whose message does): a password stored as plaintext must not reach a log line, the
   * state table or the CLI's output.
   */
  static BasicCredentials parse(String arn, String text) {
    String expected =
        "secret " + arn + " must be a JSON object with string fields \"username\" and \"password\"";
    JsonNode secret;
    try {
      secret = text == null ? null : JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigurationException(expected + "; it is not JSON (its text is not shown)");
    }
    if (secret == null
        || !secret.isObject()
        || !secret.path("username").isTextual()
        || !secret.path("password").isTextual()) {
      throw new ConfigurationException(expected);
    }
    return new BasicCredentials(secret.get("username").asText(), secret.get("password").asText());
  }
}
