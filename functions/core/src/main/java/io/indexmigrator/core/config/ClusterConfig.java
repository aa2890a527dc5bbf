package io.indexmigrator.core.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * How a function reaches the search cluster. Credentials never live in the environment on AWS:
 * basic auth names a Secrets Manager secret; SigV4 uses the function's role.
 */
public record ClusterConfig(
    URI endpoint,
    Auth auth,
    SigningService signingService,
    String region,
    Optional<String> credentialsSecretArn,
    Optional<String> username,
    Optional<String> password) {

  public enum Auth {
    NONE,
    BASIC,
    SIGV4
  }

  public enum SigningService {
    ES,
    AOSS
  }

  public static final List<String> VARIABLES =
      List.of(
          "CLUSTER_ENDPOINT",
          "CLUSTER_AUTH",
          "CLUSTER_SIGNING_SERVICE",
          "CLUSTER_CREDENTIALS_SECRET_ARN",
          "CLUSTER_USERNAME",
          "CLUSTER_PASSWORD",
          "AWS_REGION");

  /** The variables without which there is no configuration; the rest have defaults. */
  public static final List<String> REQUIRED = List.of("CLUSTER_ENDPOINT");

  public static ClusterConfig from(EnvironmentReader env) {
    URI endpoint = env.httpUrl("CLUSTER_ENDPOINT");
    Auth auth = env.oneOf("CLUSTER_AUTH", Auth.class, Auth.NONE);
    SigningService service =
        env.oneOf("CLUSTER_SIGNING_SERVICE", SigningService.class, SigningService.ES);
    String region = env.optional("AWS_REGION").orElse("us-east-1");
    Optional<String> secret = env.optional("CLUSTER_CREDENTIALS_SECRET_ARN");
    Optional<String> username = env.optional("CLUSTER_USERNAME");
    Optional<String> password = env.optional("CLUSTER_PASSWORD");
    if (auth == Auth.BASIC && secret.isEmpty() && (username.isEmpty() || password.isEmpty())) {
      throw new ConfigurationException(
          "CLUSTER_AUTH is basic but neither CLUSTER_CREDENTIALS_SECRET_ARN nor"
              + " CLUSTER_USERNAME and CLUSTER_PASSWORD are set");
    }
    return new ClusterConfig(endpoint, auth, service, region, secret, username, password);
  }

  @Override
  public String toString() {
    // Never print a password into logs.
    return "ClusterConfig[" + endpoint + ", auth=" + auth + ", service=" + signingService + "]";
  }
}
