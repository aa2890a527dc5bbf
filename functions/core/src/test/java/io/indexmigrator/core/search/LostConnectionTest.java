package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that breaks before any answer (a pooled connection the other side had closed): a
 * read is sent again, a write is not (it may have been applied).
 */
class LostConnectionTest {
  /** How many of the next connections are dropped right after their request arrives. */
  final AtomicInteger toDrop = new AtomicInteger();

  final List<String> requestLines = new CopyOnWriteArrayList<>();
  ServerSocket server;
  Thread acceptor;
  OpenSearchCluster cluster;

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofPlatform().daemon().start(this::serve);
    cluster =
        OpenSearchCluster.connect(ClusterEndpoint.of("http://127.0.0.1:" + server.getLocalPort()));
  }

  @AfterEach
  void stop() throws IOException {
    cluster.close();
    server.close();
  }

  @Test
  void aReadWhoseConnectionBroke_isSentAgain() {
    toDrop.set(1);

    assertThat(cluster.count("records")).isEqualTo(7);
    assertThat(requestLines).hasSize(2).allMatch(l -> l.startsWith("GET /records/_count"));
  }

  @Test
  void aReadThatKeepsFailing_reportsTheLostConnection() {
    toDrop.set(10);

    SearchClusterException e =
        catchThrowableOfType(SearchClusterException.class, () -> cluster.count("records"));

    assertThat(e.status()).isEqualTo(SearchClusterException.NO_RESPONSE);
    assertThat(requestLines).hasSize(3);
  }

  @Test
  void aWriteWhoseConnectionBroke_isNotSentAgain() {
    toDrop.set(1);

    SearchClusterException e =
        catchThrowableOfType(
            SearchClusterException.class, () -> cluster.setWriteBlock("records", true));

    assertThat(e.status()).isEqualTo(SearchClusterException.NO_RESPONSE);
    assertThat(requestLines).hasSize(1).allMatch(l -> l.startsWith("PUT /records/_block/write"));
  }

  @Test
  void aScrollPageWhoseConnectionBroke_isNotSentAgain() {
    toDrop.set(1);

    SearchClusterException e =
        catchThrowableOfType(
            SearchClusterException.class,
            () -> cluster.nextScroll("scroll-1", java.time.Duration.ofMinutes(1)));

    // The engine may have moved the scroll on before the connection broke: a second request
    // would answer with the page after the lost one.
    assertThat(e.status()).isEqualTo(SearchClusterException.NO_RESPONSE);
    assertThat(requestLines).hasSize(1).allMatch(l -> l.startsWith("POST /_search/scroll"));
  }

  @Test
  void aScrollWhoseConnectionBroke_isNotOpenedAgain() {
    toDrop.set(1);

    catchThrowableOfType(
        SearchClusterException.class,
        () -> cluster.openScroll("records", 0, 10, java.time.Duration.ofMinutes(1)));

    assertThat(requestLines).hasSize(1).allMatch(l -> l.startsWith("POST /records/_search"));
  }

  @Test
  void aPointInTimePageWhoseConnectionBroke_isSentAgain() {
    toDrop.set(1);

    // The fake's answer is not a page and is refused; what matters is the second request.
    catchThrowableOfType(
        SearchClusterException.class,
        () -> cluster.pointInTimePage("pit-1", 0, 1, null, 10, java.time.Duration.ofMinutes(1)));

    assertThat(requestLines).hasSize(2).allMatch(l -> l.startsWith("POST /_search"));
  }

  @Test
  void onlyReadsCountAsReads() {
    assertThat(OpenSearchCluster.isRead("POST", "/_search/scroll")).isFalse();
    assertThat(OpenSearchCluster.isRead("GET", "/_tasks/n:1")).isTrue();
    assertThat(OpenSearchCluster.isRead("POST", "/records/_search")).isTrue();
    assertThat(OpenSearchCluster.isRead("POST", "/records/_mget")).isTrue();
    assertThat(OpenSearchCluster.isRead("POST", "/_bulk")).isFalse();
    assertThat(OpenSearchCluster.isRead("POST", "/_reindex")).isFalse();
    assertThat(OpenSearchCluster.isRead("PUT", "/records/_settings")).isFalse();
    assertThat(OpenSearchCluster.isRead("DELETE", "/records")).isFalse();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket socket = server.accept()) {
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        requestLines.add(head.lines().findFirst().orElse(""));
        if (toDrop.getAndDecrement() > 0) {
          // Closed with the request unanswered, as a stale keep-alive connection ends.
          socket.setSoLinger(true, 0);
          continue;
        }
        byte[] body = "{\"count\":7}".getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // The server socket closed: the test is over.
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }
}
