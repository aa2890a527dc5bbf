package io.indexmigrator.local.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A stand-in for the Lambda Invoke API ({@code POST /2015-03-31/functions/{name}/invocations}), so
 * the state machine tests do not depend on the real Lambda host. Each function is a Java function
 * from the event to a {@link Reply}.
 */
final class FakeLambda implements AutoCloseable {

  private static final Pattern INVOKE =
      Pattern.compile("/2015-03-31/functions/([^/]+)/invocations");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What one invocation returns: a payload, or a function error as the Lambda runtime reports it.
   */
  record Reply(String payload, String errorType, String errorMessage) {
    static Reply ok(String payloadJson) {
      return new Reply(payloadJson, null, null);
    }

    static Reply error(String errorType, String errorMessage) {
      return new Reply(null, errorType, errorMessage);
    }
  }

  private final HttpServer server;
  // Several threads, so a Map state's concurrent invocations really overlap.
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final Map<String, Function<JsonNode, Reply>> functions = new ConcurrentHashMap<>();
  private final Map<String, List<JsonNode>> calls = new ConcurrentHashMap<>();

  FakeLambda() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  static String arn(String functionName) {
    return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
  }

  void define(String functionName, Function<JsonNode, Reply> behaviour) {
    functions.put(functionName, behaviour);
  }

  /** The events a function received, in arrival order. */
  List<JsonNode> calls(String functionName) {
    return List.copyOf(calls.getOrDefault(functionName, List.of()));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var matcher = INVOKE.matcher(exchange.getRequestURI().getRawPath());
      if (!"POST".equals(exchange.getRequestMethod()) || !matcher.matches()) {
        send(exchange, 404, Map.of(), "{\"Type\":\"User\",\"message\":\"unknown path\"}");
        return;
      }
      String nameOrArn = URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8);
      String name = nameOrArn.substring(nameOrArn.lastIndexOf(':') + 1);
      Function<JsonNode, Reply> function = functions.get(name);
      if (function == null) {
        send(
            exchange,
            404,
            Map.of("X-Amzn-ErrorType", "ResourceNotFoundException"),
            "{\"Type\":\"User\",\"message\":\"Function not found: " + nameOrArn + "\"}");
        return;
      }
      JsonNode event = JSON.readTree(exchange.getRequestBody());
      calls.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(event);
      Reply reply = function.apply(event);
      if (reply.errorType() == null) {
        send(exchange, 200, Map.of(), reply.payload());
      } else {
        String body =
            JSON.writeValueAsString(
                Map.of("errorType", reply.errorType(), "errorMessage", reply.errorMessage()));
        send(exchange, 200, Map.of("X-Amz-Function-Error", "Unhandled"), body);
      }
    }
  }

  private static void send(
      HttpExchange exchange, int status, Map<String, String> headers, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    headers.forEach(exchange.getResponseHeaders()::add);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
