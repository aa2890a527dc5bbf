package io.indexmigrator.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * Stands in for exactly the SSM and EventBridge calls the functions make (SSM {@code PutParameter},
 * {@code GetParameter}, {@code GetParameterHistory}; EventBridge {@code PutEvents}), in their AWS
 * JSON 1.1 protocol, so the ordinary SDK clients reach it with an endpoint override. Parameters
 * outlive a restart on the same state directory, as on AWS; every accepted event is appended to
 * {@code events.jsonl} there, so a user sees what an application would have been told. {@code GET
 * /events} and {@code GET /parameters} answer what was recorded, for tests.
 */
public final class LocalSsmAndEvents implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int STANDARD_MAX = 4096;
  private static final int ADVANCED_MAX = 8192;
  private static final int MAX_ENTRIES = 10;

  private final HttpServer server;
  private final Path parametersFile;
  private final Path eventsFile;
  private final String region;
  private final String accountId;
  private final Map<String, List<ObjectNode>> parameters = new LinkedHashMap<>();
  private final List<ObjectNode> events = new ArrayList<>();

  private LocalSsmAndEvents(HttpServer server, Path stateDir, String region, String accountId) {
    this.server = server;
    this.parametersFile = stateDir.resolve("ssm-parameters.json");
    this.eventsFile = stateDir.resolve("events.jsonl");
    this.region = region;
    this.accountId = accountId;
  }

  /**
   * @param port 0 for any free port
   */
  public static LocalSsmAndEvents start(int port, Path stateDir, String region, String accountId) {
    try {
      Files.createDirectories(stateDir);
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
      LocalSsmAndEvents local = new LocalSsmAndEvents(server, stateDir, region, accountId);
      local.load();
      server.createContext("/", local::handle);
      server.setExecutor(Executors.newFixedThreadPool(4, Thread.ofPlatform().daemon().factory()));
      server.start();
      return local;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the SSM/EventBridge stand-in", e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** The events accepted so far, oldest first. */
  public synchronized List<JsonNode> events() {
    return List.copyOf(events);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (method.equals("GET") && path.equals("/events")) {
        ArrayNode all = JSON.createArrayNode();
        synchronized (this) {
          all.addAll(events);
        }
        reply(exchange, 200, all);
        return;
      }
      if (method.equals("GET") && path.equals("/parameters")) {
        ObjectNode all = JSON.createObjectNode();
        synchronized (this) {
          parameters.forEach((name, versions) -> all.set(name, versions.get(versions.size() - 1)));
        }
        reply(exchange, 200, all);
        return;
      }
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      if (!method.equals("POST") || target == null) {
        reply(exchange, 404, error("UnknownOperationException", method + " " + path));
        return;
      }
      try {
        JsonNode request;
        try {
          request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        } catch (IOException notJson) {
          throw new Refused("SerializationException", "the request body is not JSON");
        }
        JsonNode response =
            switch (target) {
              case "AmazonSSM.PutParameter" -> putParameter(request);
              case "AmazonSSM.GetParameter" -> getParameter(request);
              case "AmazonSSM.GetParameterHistory" -> parameterHistory(request);
              case "AWSEvents.PutEvents" -> putEvents(request);
              default ->
                  throw new Refused(
                      "UnknownOperationException", "the twin does not stand in for " + target);
            };
        reply(exchange, 200, response);
      } catch (Refused e) {
        reply(exchange, 400, error(e.type, e.getMessage()));
      } catch (RuntimeException e) {
        // Whatever went wrong, the client gets an answer rather than a hung connection.
        reply(exchange, 500, error("InternalServerError", e.toString()));
      }
    }
  }

  private static final class Refused extends RuntimeException {
    final String type;

    Refused(String type, String message) {
      super(message);
      this.type = type;
    }
  }

  private synchronized JsonNode putParameter(JsonNode request) {
    String name = required(request, "Name");
    String value = required(request, "Value");
    String type = request.path("Type").asText("String");
    if (!type.equals("String")) {
      // The functions write String parameters only; a SecureString kept as plain text here would
      // pretend to an encryption the twin does not have.
      throw new Refused(
          "ValidationException", "the twin stands in for String parameters only, not " + type);
    }
    String tier = request.path("Tier").asText("Standard");
    int max = tier.equals("Standard") ? STANDARD_MAX : ADVANCED_MAX;
    if (value.length() > max) {
      throw new Refused(
          "ValidationException",
          "1 validation error detected: Value '...' of tier "
              + tier
              + " must have length less than or equal to "
              + max);
    }
    List<ObjectNode> versions = parameters.computeIfAbsent(name, n -> new ArrayList<>());
    if (!versions.isEmpty() && !request.path("Overwrite").asBoolean(false)) {
      throw new Refused("ParameterAlreadyExists", "The parameter already exists.");
    }
    String effectiveTier =
        tier.equals("Intelligent-Tiering")
            ? (value.length() > STANDARD_MAX ? "Advanced" : "Standard")
            : tier;
    ObjectNode parameter = JSON.createObjectNode();
    parameter.put("Name", name);
    parameter.put("Type", type);
    parameter.put("Value", value);
    parameter.put("Version", versions.size() + 1);
    parameter.put("LastModifiedDate", Instant.now().toEpochMilli() / 1000.0);
    parameter.put("ARN", "arn:aws:ssm:" + region + ":" + accountId + ":parameter" + name);
    parameter.put("DataType", "text");
    parameter.put("Tier", effectiveTier);
    if (request.hasNonNull("Description")) {
      parameter.put("Description", request.get("Description").asText());
    }
    versions.add(parameter);
    save();
    ObjectNode response = JSON.createObjectNode();
    response.put("Version", versions.size());
    response.put("Tier", effectiveTier);
    return response;
  }

  private synchronized JsonNode getParameter(JsonNode request) {
    List<ObjectNode> versions = versionsOf(required(request, "Name"));
    ObjectNode parameter = versions.get(versions.size() - 1).deepCopy();
    parameter.remove(List.of("Tier", "Description"));
    ObjectNode response = JSON.createObjectNode();
    response.set("Parameter", parameter);
    return response;
  }

  private synchronized JsonNode parameterHistory(JsonNode request) {
    ObjectNode response = JSON.createObjectNode();
    ArrayNode history = response.putArray("Parameters");
    for (ObjectNode version : versionsOf(required(request, "Name"))) {
      ObjectNode copy = version.deepCopy();
      copy.remove(List.of("ARN"));
      history.add(copy);
    }
    return response;
  }

  private List<ObjectNode> versionsOf(String name) {
    List<ObjectNode> versions = parameters.get(name);
    if (versions == null || versions.isEmpty()) {
      throw new Refused("ParameterNotFound", "Parameter " + name + " not found.");
    }
    return versions;
  }

  private synchronized JsonNode putEvents(JsonNode request) {
    JsonNode entries = request.path("Entries");
    if (!entries.isArray() || entries.isEmpty() || entries.size() > MAX_ENTRIES) {
      throw new Refused(
          "ValidationException", "Entries must hold between 1 and " + MAX_ENTRIES + " events");
    }
    ObjectNode response = JSON.createObjectNode();
    ArrayNode results = response.putArray("Entries");
    int failed = 0;
    for (JsonNode entry : entries) {
      ObjectNode result = results.addObject();
      JsonNode detail;
      try {
        detail = JSON.readTree(entry.path("Detail").asText(""));
      } catch (IOException e) {
        detail = null;
      }
      if (detail == null || !detail.isObject()) {
        failed++;
        result.put("ErrorCode", "MalformedDetail");
        result.put("ErrorMessage", "Detail is malformed.");
        continue;
      }
      if (entry.path("Source").asText("").isBlank()
          || entry.path("DetailType").asText("").isBlank()) {
        failed++;
        result.put("ErrorCode", "InvalidArgument");
        result.put("ErrorMessage", "Parameter(s) Source, DetailType must be specified.");
        continue;
      }
      String id = UUID.randomUUID().toString();
      ObjectNode event = JSON.createObjectNode();
      event.put("id", id);
      // The SDK sends Time as epoch seconds; events carry ISO-8601, as EventBridge delivers them.
      JsonNode time = entry.path("Time");
      event.put(
          "time",
          time.isNumber()
              ? Instant.ofEpochMilli(Math.round(time.asDouble() * 1000)).toString()
              : Instant.now().toString());
      event.put("bus", entry.path("EventBusName").asText("default"));
      event.put("source", entry.get("Source").asText());
      event.put("detail-type", entry.get("DetailType").asText());
      event.set(
          "resources",
          entry.path("Resources").isArray() ? entry.get("Resources") : JSON.createArrayNode());
      event.set("detail", detail);
      events.add(event);
      append(event);
      result.put("EventId", id);
    }
    response.put("FailedEntryCount", failed);
    return response;
  }

  private void append(ObjectNode event) {
    try {
      Files.writeString(
          eventsFile,
          event.toString() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the event in " + eventsFile, e);
    }
  }

  private void save() {
    try {
      Path tmp = parametersFile.resolveSibling(parametersFile.getFileName() + ".tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), parameters);
      Files.move(tmp, parametersFile, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save " + parametersFile, e);
    }
  }

  private void load() throws IOException {
    if (Files.isRegularFile(parametersFile)) {
      JsonNode saved = JSON.readTree(parametersFile.toFile());
      saved
          .fields()
          .forEachRemaining(
              e -> {
                List<ObjectNode> versions = new ArrayList<>();
                e.getValue().forEach(v -> versions.add((ObjectNode) v));
                parameters.put(e.getKey(), versions);
              });
    }
    if (Files.isRegularFile(eventsFile)) {
      for (String line : Files.readAllLines(eventsFile)) {
        if (!line.isBlank()) {
          events.add((ObjectNode) JSON.readTree(line));
        }
      }
    }
  }

  private static String required(JsonNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      throw new Refused(
          "ValidationException", "1 validation error detected: " + field + " must not be null");
    }
    return value.asText();
  }

  private static ObjectNode error(String type, String message) {
    ObjectNode error = JSON.createObjectNode();
    error.put("__type", type);
    error.put("message", message);
    return error;
  }

  private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
