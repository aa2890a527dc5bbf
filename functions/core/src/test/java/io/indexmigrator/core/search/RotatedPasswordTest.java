package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A password rotated while the client is warm: the cluster (a real HTTP server that accepts one
 * password at a time) answers 401 to the old one, and the client re-reads its secret and retries.
 */
class RotatedPasswordTest {
  static final String INFO =
      "{\"cluster_name\":\"c\",\"cluster_uuid\":\"u\",\"version\":{\"distribution\":\"opensearch\","
          + "\"number\":\"2.19.0\"}}";

  /** The one password the cluster accepts now. */
  final AtomicReference<String> acceptedPassword = new AtomicReference<>("old-pass");

  final List<String> authorizations = new CopyOnWriteArrayList<>();

  /** The password the secret holds now, and how often the secret was read. */
  final AtomicReference<String> storedPassword = new AtomicReference<>("old-pass");

  final AtomicInteger secretReads = new AtomicInteger();
  HttpServer server;
  OpenSearchCluster cluster;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
    CredentialsSource secret =
        new CachedCredentials(
            () -> {
              secretReads.incrementAndGet();
              return new BasicCredentials("migrator", storedPassword.get());
            });
    cluster =
        OpenSearchCluster.connect(
            new ClusterEndpoint(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                new ClusterEndpoint.Auth.Basic(secret)));
  }

  @AfterEach
  void stop() {
    cluster.close();
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    authorizations.add(authorization);
    exchange.getRequestBody().readAllBytes();
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    ("migrator:" + acceptedPassword.get()).getBytes(StandardCharsets.UTF_8));
    byte[] body;
    int status;
    if (expected.equals(authorization)) {
      status = 200;
      body =
          exchange.getRequestURI().getPath().endsWith("/_bulk")
              ? "{\"errors\":false,\"items\":[{\"index\":{\"_id\":\"1\",\"status\":201}}]}"
                  .getBytes(StandardCharsets.UTF_8)
              : INFO.getBytes(StandardCharsets.UTF_8);
    } else {
      status = 401;
      body =
          "{\"error\":{\"type\":\"security_exception\",\"reason\":\"unauthorized\"},\"status\":401}"
              .getBytes(StandardCharsets.UTF_8);
    }
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private void rotate(String password) {
    storedPassword.set(password);
    acceptedPassword.set(password);
  }

  @Test
  void secretIsReadOnceWhileThePasswordHolds() {
    cluster.info();
    cluster.info();
    cluster.info();

    assertThat(secretReads).hasValue(1);
    assertThat(authorizations).hasSize(3);
  }

  @Test
  void afterRotation_the401IsAnsweredByReReadingTheSecret() {
    assertThat(cluster.info().version()).isEqualTo("2.19.0");

    rotate("new-pass");

    assertThat(cluster.info().version()).isEqualTo("2.19.0");
    assertThat(secretReads).hasValue(2);
    // old (200), old (401), new (200)
    assertThat(authorizations).hasSize(3);
    assertThat(authorizations.get(1)).isEqualTo(authorizations.get(0));
    assertThat(authorizations.get(2)).isNotEqualTo(authorizations.get(1));

    cluster.info();
    assertThat(secretReads).as("the new password is cached in turn").hasValue(2);
  }

  @Test
  void afterRotation_bulkIsRetriedWithTheNewPassword() {
    cluster.info();
    rotate("new-pass");

    var results =
        cluster.bulk("records", List.of(SearchCluster.BulkWrite.index("1", null, "{\"a\":1}", 1L)));

    assertThat(results).hasSize(1);
    assertThat(secretReads).hasValue(2);
  }

  @Test
  void passwordTheSecretStillDoesNotHold_isA401NotALoop() {
    cluster.info();
    acceptedPassword.set("rotated-on-the-cluster-only");

    SearchClusterException e = catchThrowableOfType(SearchClusterException.class, cluster::info);

    assertThat(e.status()).isEqualTo(401);
    assertThat(secretReads).hasValue(2);
    assertThat(authorizations).hasSize(2);
    // The next request reads the secret again, in case it was updated since.
    catchThrowableOfType(SearchClusterException.class, cluster::info);
    assertThat(secretReads).hasValue(3);
  }
}
