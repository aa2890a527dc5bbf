package io.indexmigrator.core.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * How a function reaches the search cluster. Credentials never live in the environment, where
 * anyone allowed GetFunctionConfiguration could read them: basic auth names a Secrets Manager
 * secret; SigV4 uses the function's role.
 */
public record ClusterConfig(
    URI endpoint,
    Auth auth,
    SigningService signingService,
    String region,
    Optional<String> credentialsSecretArn) {

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
          // Read only to refuse them: they were once accepted, and ignoring them silently would
          // leave a deployment that set them failing with 401s and no clue why.
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
    for (String plaintext : List.of("CLUSTER_USERNAME", "CLUSTER_PASSWORD")) {
      if (env.optional(plaintext).isPresent()) {
        throw new ConfigurationException(
            plaintext
                + " is set, but cluster credentials are read only from Secrets Manager: store"
                + " {\"username\", \"password\"} in a secret, set CLUSTER_CREDENTIALS_SECRET_ARN"
                + " to its ARN and remove "
                + plaintext);
      }
    }
    if (auth == Auth.BASIC && secret.isEmpty()) {
      throw new ConfigurationException(
          "CLUSTER_AUTH is basic but CLUSTER_CREDENTIALS_SECRET_ARN is not set (a Secrets Manager"
              + " secret holding {\"username\", \"password\"})");
    }
    return new ClusterConfig(endpoint, auth, service, region, secret);
  }

  @Override
  public String toString() {
    // Never print a password into logs.
    return "ClusterConfig[" + endpoint + ", auth=" + auth + ", service=" + signingService + "]";
  }
}
