package io.indexmigrator.core.search;

import java.net.URI;
import java.util.Objects;

/**
 * Where a cluster is and how to authenticate to it.
 *
 * @param url base URL, e.g. {@code http://localhost:9200} or {@code
 *     https://search-x.eu-west-1.es.amazonaws.com}; a path is used as a prefix for every call
 * @param auth how requests are authenticated
 */
public record ClusterEndpoint(URI url, Auth auth) {

  public ClusterEndpoint {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(auth, "auth");
    if (url.getScheme() == null || url.getHost() == null) {
      throw new IllegalArgumentException("cluster URL needs a scheme and a host, got " + url);
    }
  }

  /** An endpoint without authentication. */
  public static ClusterEndpoint of(String url) {
    return new ClusterEndpoint(URI.create(url), new Auth.None());
  }

  /** Request authentication. */
  public sealed interface Auth permits Auth.None, Auth.Basic, Auth.SigV4 {

    /** No authentication (local clusters, VPC-only domains with open access policies). */
    record None() implements Auth {}

    /**
     * HTTP basic authentication, sent preemptively; after a 401 the request is retried once with
     * what {@code credentials} then supplies (a rotated password).
     */
    record Basic(CredentialsSource credentials) implements Auth {
      public Basic {
        Objects.requireNonNull(credentials, "credentials");
      }

      /** Credentials that never change. */
      public Basic(String username, String password) {
        this(CredentialsSource.fixed(new BasicCredentials(username, password)));
      }

      @Override
      public String toString() {
        return "Basic[" + credentials + "]";
      }
    }

    /**
     * AWS Signature V4 with the default credentials chain.
     *
     * @param region AWS region, e.g. {@code eu-west-1}
     * @param service {@code es} for Amazon OpenSearch Service domains, {@code aoss} for OpenSearch
     *     Serverless collections
     */
    record SigV4(String region, String service) implements Auth {
      public SigV4 {
        Objects.requireNonNull(region, "region");
        if (!"es".equals(service) && !"aoss".equals(service)) {
          throw new IllegalArgumentException(
              "SigV4 service must be 'es' or 'aoss', got '" + service + "'");
        }
      }
    }
  }
}
