package io.indexmigrator.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * The functions' way to the twin's cluster, through which a test fails or holds one kind of
 * request: a cluster error exactly at the alias swap, or a function stopped exactly between the
 * swap and the unblock. Everything else passes through unchanged.
 */
final class FaultProxy implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "content-length",
          "host",
          "transfer-encoding",
          "keep-alive",
          "upgrade",
          "expect");

  /** What to do with the requests a rule matches, once each. */
  sealed interface Fault {}

  /** Answer with this status and an error body, without forwarding. */
  record Fail(int status, String body) implements Fault {}

  /** Forward it, then hold the answer until {@link Hold#release} (the caller appears to hang). */
  record Hold(CountDownLatch reached, CountDownLatch released) implements Fault {
    Hold() {
      this(new CountDownLatch(1), new CountDownLatch(1));
    }

    void release() {
      released.countDown();
    }
  }

  private record Rule(BiPredicate<String, String> matches, Fault fault) {}

  private final URI target;
  private final HttpServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final List<Rule> rules = new CopyOnWriteArrayList<>();

  FaultProxy(URI target) throws IOException {
    this.target = target;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Applies {@code fault} to the next request whose method and path (with query) match; the rule is
   * then gone.
   */
  <F extends Fault> F once(BiPredicate<String, String> matches, F fault) {
    rules.add(new Rule(matches, fault));
    return fault;
  }

  void clear() {
    rules.forEach(
        r -> {
          if (r.fault() instanceof Hold hold) {
            hold.release();
          }
        });
    rules.clear();
  }

  private Rule take(String method, String path) {
    for (Rule rule : rules) {
      if (rule.matches().test(method, path) && rules.remove(rule)) {
        return rule;
      }
    }
    return null;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().toString();
      Rule rule = take(method, path);
      if (rule != null && rule.fault() instanceof Fail fail) {
        byte[] body = fail.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(fail.status(), body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      byte[] requestBody;
      try (InputStream in = exchange.getRequestBody()) {
        requestBody = in.readAllBytes();
      }
      HttpRequest.Builder forward =
          HttpRequest.newBuilder(target.resolve(path))
              .timeout(Duration.ofMinutes(5))
              .method(
                  method,
                  requestBody.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(requestBody));
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                  values.forEach(v -> forward.header(name, v));
                }
              });
      HttpResponse<byte[]> response;
      try {
        response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(502, -1);
        return;
      }
      if (rule != null && rule.fault() instanceof Hold hold) {
        hold.reached().countDown();
        try {
          hold.released().await(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      response
          .headers()
          .map()
          .forEach(
              (name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                  values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                }
              });
      byte[] body = response.body();
      boolean noBody = method.equals("HEAD") || body.length == 0;
      exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : body.length);
      if (!noBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException e) {
      // The caller went away (a killed function): nothing to answer.
    }
  }

  @Override
  public void close() {
    clear();
    server.stop(0);
  }
}
