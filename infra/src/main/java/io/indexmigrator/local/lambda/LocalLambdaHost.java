package io.indexmigrator.local.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A local stand-in for the Lambda service: runs our Java handlers in child JVMs behind the real
 * Lambda Invoke API, and feeds SQS and DynamoDB stream event-source mappings to them like Lambda's
 * pollers do.
 *
 * <p>Clients talk to {@link #endpoint()} with the ordinary AWS SDKs ({@code endpointOverride}, or
 * {@code AWS_ENDPOINT_URL_LAMBDA}). Supported operations: {@code Invoke} (RequestResponse, Event,
 * DryRun), {@code ListEventSourceMappings}, {@code GetEventSourceMapping} and {@code
 * UpdateEventSourceMapping} (Enabled, BatchSize, MaximumBatchingWindowInSeconds; for DynamoDB
 * stream mappings Enabled and BatchSize).
 *
 * <p>Functions are addressed by name or ARN; region and account in an ARN are not checked, and any
 * qualifier runs {@code $LATEST} (there is only one version locally). ARNs the host reports use
 * {@link #REGION} and {@link #ACCOUNT_ID}.
 */
public final class LocalLambdaHost implements AutoCloseable {

  /** The region the host reports and gives its functions as {@code AWS_REGION}. */
  public static final String REGION = "us-east-1";

  /** The account id in the ARNs the host reports. */
  public static final String ACCOUNT_ID = "000000000000";

  /**
   * How long an invocation waits for a free execution environment when the function is at its
   * maximum concurrency, before it is throttled as Lambda would throttle it at once.
   */
  static final Duration QUEUE_WAIT = Duration.ofMinutes(2);

  private static final Logger LOG = LoggerFactory.getLogger(LocalLambdaHost.class);
  private static final String FUNCTIONS = "/2015-03-31/functions/";
  private static final String MAPPINGS = "/2015-03-31/event-source-mappings";
  private static final int MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;

  private final HttpServer server;
  private final Map<String, FunctionPool> pools;
  private final Map<String, SqsEventSourcePoller> pollers;
  private final Map<String, DynamoStreamPoller> streamPollers;
  private final ExecutorService asyncInvocations = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread shutdownHook;
  private boolean closed;

  private LocalLambdaHost(
      HttpServer server,
      Map<String, FunctionPool> pools,
      Map<String, SqsEventSourcePoller> pollers,
      Map<String, DynamoStreamPoller> streamPollers) {
    this.server = server;
    this.pools = pools;
    this.pollers = pollers;
    this.streamPollers = streamPollers;
    this.shutdownHook = new Thread(this::close, "lambda-host-shutdown");
  }

  /**
   * Starts the host: the API endpoint at once, execution environments on first invocation, and a
   * poller per event source.
   *
   * @param port the API port on 127.0.0.1; 0 picks a free one
   * @param functions the functions to host (names must be unique)
   * @param sources SQS event-source mappings; each must name one of {@code functions}
   * @param sqs the client the pollers receive and delete with (pointed at the local SQS)
   * @param workDir where environments keep their task roots and logs ({@code <function>/<env>.log})
   */
  public static LocalLambdaHost start(
      int port,
      List<FunctionSpec> functions,
      List<SqsEventSource> sources,
      SqsClient sqs,
      Path workDir) {
    return start(port, functions, sources, List.of(), sqs, null, workDir);
  }

  /**
   * Starts the host with DynamoDB stream event sources as well.
   *
   * @param streamSources DynamoDB stream mappings; each must name one of {@code functions}, and its
   *     stream must exist (the current shards are positioned before this returns)
   * @param streams the client the stream pollers read with (pointed at DynamoDB Local); may be null
   *     when there are no stream sources
   * @see #start(int, List, List, SqsClient, Path)
   */
  public static LocalLambdaHost start(
      int port,
      List<FunctionSpec> functions,
      List<SqsEventSource> sources,
      List<DynamoStreamEventSource> streamSources,
      SqsClient sqs,
      DynamoDbStreamsClient streams,
      Path workDir) {
    Objects.requireNonNull(functions, "functions");
    Objects.requireNonNull(sources, "sources");
    Objects.requireNonNull(streamSources, "streamSources");
    try {
      Files.createDirectories(workDir);
      ManagedRuntime runtime = ManagedRuntime.prepare(workDir);
      Map<String, FunctionPool> pools = new LinkedHashMap<>();
      for (FunctionSpec spec : functions) {
        for (Path entry : spec.classpath()) {
          if (!Files.exists(entry)) {
            throw new IllegalArgumentException(
                "Function " + spec.name() + ": classpath entry " + entry + " does not exist");
          }
        }
        FunctionPool pool =
            new FunctionPool(
                spec,
                functionArn(spec.name()),
                REGION,
                runtime,
                Files.createDirectories(workDir.resolve(spec.name())));
        if (pools.putIfAbsent(spec.name(), pool) != null) {
          throw new IllegalArgumentException("Function " + spec.name() + " is defined twice");
        }
      }
      Map<String, SqsEventSourcePoller> pollers = new LinkedHashMap<>();
      for (SqsEventSource source : sources) {
        FunctionPool pool = poolFor(pools, source.uuid(), source.functionName());
        Objects.requireNonNull(sqs, "sqs (needed by the SQS event sources)");
        requireVisibilityCoversTimeout(sqs, source, pool.spec());
        if (pollers.putIfAbsent(source.uuid(), new SqsEventSourcePoller(source, pool, sqs))
            != null) {
          throw new IllegalArgumentException("Event source " + source.uuid() + " is defined twice");
        }
      }
      Map<String, DynamoStreamPoller> streamPollers = new LinkedHashMap<>();
      for (DynamoStreamEventSource source : streamSources) {
        FunctionPool pool = poolFor(pools, source.uuid(), source.functionName());
        Objects.requireNonNull(streams, "streams (needed by the DynamoDB stream event sources)");
        if (pollers.containsKey(source.uuid())
            || streamPollers.putIfAbsent(
                    source.uuid(), new DynamoStreamPoller(source, pool, streams))
                != null) {
          throw new IllegalArgumentException("Event source " + source.uuid() + " is defined twice");
        }
      }
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
      LocalLambdaHost host = new LocalLambdaHost(server, pools, pollers, streamPollers);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/", host::handle);
      server.start();
      pollers.values().forEach(SqsEventSourcePoller::start);
      streamPollers.values().forEach(DynamoStreamPoller::start);
      Runtime.getRuntime().addShutdownHook(host.shutdownHook);
      LOG.info(
          "Lambda host at {} with {} functions and {} event sources",
          host.endpoint(),
          pools.size(),
          pollers.size() + streamPollers.size());
      return host;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the local Lambda host", e);
    }
  }

  /**
   * Lambda refuses an SQS mapping whose queue hides messages for less than the function may run:
   * the batch would reappear, and be processed twice, while the first invocation is still going.
   */
  private static void requireVisibilityCoversTimeout(
      SqsClient sqs, SqsEventSource source, FunctionSpec function) {
    String visibility =
        sqs.getQueueAttributes(
                r ->
                    r.queueUrl(source.queueUrl())
                        .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT))
            .attributes()
            .get(QueueAttributeName.VISIBILITY_TIMEOUT);
    long visibilitySeconds = Long.parseLong(visibility);
    if (visibilitySeconds * 1000 < function.timeout().toMillis()) {
      throw new IllegalArgumentException(
          "Event source "
              + source.uuid()
              + ": queue visibility timeout "
              + visibilitySeconds
              + " seconds is less than function "
              + function.name()
              + " timeout "
              + function.timeout().toSeconds()
              + " seconds");
    }
  }

  private static FunctionPool poolFor(
      Map<String, FunctionPool> pools, String sourceUuid, String functionName) {
    FunctionPool pool = pools.get(functionName);
    if (pool == null) {
      throw new IllegalArgumentException(
          "Event source " + sourceUuid + " targets unknown function " + functionName);
    }
    return pool;
  }

  /** The base URI for Lambda clients, e.g. {@code http://127.0.0.1:9001}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The ARN the host reports for a function. */
  public static String functionArn(String functionName) {
    return "arn:aws:lambda:" + REGION + ":" + ACCOUNT_ID + ":function:" + functionName;
  }

  /** How many execution environments the function has started so far (its cold starts). */
  public int coldStarts(String functionName) {
    FunctionPool pool = pools.get(functionName);
    if (pool == null) {
      throw new IllegalArgumentException("Unknown function " + functionName);
    }
    return pool.coldStarts();
  }

  /**
   * Stops the pollers first (so no batch is left half-done), then every execution environment.
   * Returns only when the host is stopped, also to a second caller: at JVM exit this host's own
   * hook and its owner's (the twin's) run at once, and the owner must not stop SQS or DynamoDB
   * under pollers that are still finishing a batch.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    pollers.values().forEach(SqsEventSourcePoller::close);
    streamPollers.values().forEach(DynamoStreamPoller::close);
    server.stop(0);
    asyncInvocations.shutdownNow();
    pools.values().forEach(FunctionPool::close);
    ((ExecutorService) server.getExecutor()).shutdownNow();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // Called from the hook itself.
    }
    LOG.info("Lambda host stopped");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      try {
        if (method.equals("POST") && path.startsWith(FUNCTIONS) && path.endsWith("/invocations")) {
          String function =
              decode(path.substring(FUNCTIONS.length(), path.length() - "/invocations".length()));
          invoke(exchange, function);
        } else if (path.equals(MAPPINGS) || path.equals(MAPPINGS + "/")) {
          if (!method.equals("GET")) {
            throw new ApiException(
                405, "UnsupportedOperationException", "Creating mappings is not supported locally");
          }
          listMappings(exchange);
        } else if (path.startsWith(MAPPINGS + "/")) {
          String uuid = decode(path.substring(MAPPINGS.length() + 1));
          SqsEventSourcePoller poller = pollers.get(uuid);
          DynamoStreamPoller streamPoller = streamPollers.get(uuid);
          if (streamPoller != null) {
            switch (method) {
              case "GET" -> sendJson(exchange, 200, mappingJson(streamPoller));
              case "PUT" -> updateMapping(exchange, streamPoller);
              default ->
                  throw new ApiException(405, "UnsupportedOperationException", method + " " + path);
            }
            return;
          }
          if (poller == null) {
            throw new ApiException(
                404,
                "ResourceNotFoundException",
                "The resource you requested does not exist. (Service: Lambda, Status Code: 404)");
          }
          switch (method) {
            case "GET" -> sendJson(exchange, 200, mappingJson(poller));
            case "PUT" -> updateMapping(exchange, poller);
            default ->
                throw new ApiException(405, "UnsupportedOperationException", method + " " + path);
          }
        } else {
          throw new ApiException(
              404,
              "UnknownOperationException",
              "Operation not supported locally: " + method + " " + path);
        }
      } catch (ApiException e) {
        sendError(exchange, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sendError(exchange, new ApiException(500, "ServiceException", "Host is shutting down"));
      } catch (RuntimeException e) {
        LOG.warn("Lambda host failed on {} {}", method, path, e);
        sendError(exchange, new ApiException(500, "ServiceException", String.valueOf(e)));
      }
    }
  }

  private void invoke(HttpExchange exchange, String functionReference)
      throws IOException, InterruptedException, ApiException {
    FunctionPool pool = resolve(functionReference);
    byte[] payload;
    try (InputStream in = exchange.getRequestBody()) {
      payload = in.readAllBytes();
    }
    String invocationType =
        Objects.requireNonNullElse(
            exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"), "RequestResponse");
    if (payload.length > MAX_SYNC_PAYLOAD && !invocationType.equals("Event")) {
      throw new ApiException(
          413,
          "RequestTooLargeException",
          "Request must be smaller than " + MAX_SYNC_PAYLOAD + " bytes for the Invoke operation");
    }
    if (payload.length > 0) {
      try {
        JsonText.MAPPER.readTree(payload);
      } catch (JsonProcessingException e) {
        throw new ApiException(
            400,
            "InvalidRequestContentException",
            "Could not parse request body into json: " + e.getOriginalMessage());
      }
    }
    String requestId = UUID.randomUUID().toString();
    exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
    switch (invocationType) {
      case "DryRun" -> {
        exchange.sendResponseHeaders(204, -1);
      }
      case "Event" -> {
        asyncInvocations.submit(() -> invokeAsync(pool, requestId, payload));
        exchange.sendResponseHeaders(202, -1);
      }
      case "RequestResponse" -> {
        InvocationResult result;
        try {
          result = pool.invoke(requestId, payload, QUEUE_WAIT);
        } catch (FunctionPool.ThrottledException e) {
          exchange.getResponseHeaders().set("Retry-After", "1");
          throw new ApiException(
              429,
              "TooManyRequestsException",
              "Rate Exceeded.",
              "ReservedFunctionConcurrentInvocationLimitExceeded");
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json");
        headers.set("X-Amz-Executed-Version", "$LATEST");
        if (result.failed()) {
          headers.set("X-Amz-Function-Error", result.functionError());
        }
        if ("Tail".equals(exchange.getRequestHeaders().getFirst("X-Amz-Log-Type"))
            && result.logTail() != null) {
          headers.set("X-Amz-Log-Result", Base64.getEncoder().encodeToString(result.logTail()));
        }
        byte[] body = result.payload();
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      default ->
          throw new ApiException(
              400,
              "InvalidParameterValueException",
              "Unsupported X-Amz-Invocation-Type: " + invocationType);
    }
  }

  private void invokeAsync(FunctionPool pool, String requestId, byte[] payload) {
    try {
      InvocationResult result = pool.invoke(requestId, payload, QUEUE_WAIT);
      if (result.failed()) {
        LOG.warn(
            "Async invocation {} of {} failed: {}",
            requestId,
            pool.spec().name(),
            result.payloadText());
      }
    } catch (FunctionPool.ThrottledException e) {
      LOG.warn(
          "Async invocation {} of {} dropped: {}", requestId, pool.spec().name(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("Async invocation {} of {} failed in the host", requestId, pool.spec().name(), e);
    }
  }

  /**
   * Finds the function a name, partial ARN or ARN refers to; Lambda accepts {@code name}, {@code
   * name:qualifier}, {@code account:function:name} and full ARNs.
   */
  private FunctionPool resolve(String reference) throws ApiException {
    String[] parts = reference.split(":");
    String name;
    if (reference.startsWith("arn:") && parts.length >= 7 && parts[5].equals("function")) {
      name = parts[6];
    } else if (parts.length >= 3 && parts[1].equals("function")) {
      name = parts[2];
    } else {
      name = parts[0];
    }
    FunctionPool pool = pools.get(name);
    if (pool == null) {
      String arn = reference.startsWith("arn:") ? reference : functionArn(reference);
      throw new ApiException(404, "ResourceNotFoundException", "Function not found: " + arn);
    }
    return pool;
  }

  private void listMappings(HttpExchange exchange) throws IOException, ApiException {
    Map<String, String> query = queryParameters(exchange.getRequestURI().getRawQuery());
    String functionFilter = query.get("FunctionName");
    String functionArnFilter =
        functionFilter == null ? null : resolve(functionFilter).functionArn();
    String sourceArnFilter = query.get("EventSourceArn");
    ObjectNode response = JsonText.MAPPER.createObjectNode();
    ArrayNode mappings = response.putArray("EventSourceMappings");
    for (SqsEventSourcePoller poller : pollers.values()) {
      SqsEventSource source = poller.source();
      if (functionArnFilter != null
          && !functionArn(source.functionName()).equals(functionArnFilter)) {
        continue;
      }
      if (sourceArnFilter != null && !source.queueArn().equals(sourceArnFilter)) {
        continue;
      }
      mappings.add(mappingJson(poller));
    }
    for (DynamoStreamPoller poller : streamPollers.values()) {
      DynamoStreamEventSource source = poller.source();
      if (functionArnFilter != null
          && !functionArn(source.functionName()).equals(functionArnFilter)) {
        continue;
      }
      if (sourceArnFilter != null
          && !sourceArnFilter.equals(source.streamArn())
          && !sourceArnFilter.equals(poller.streamArn())) {
        continue;
      }
      mappings.add(mappingJson(poller));
    }
    sendJson(exchange, 200, response);
  }

  /** An UpdateEventSourceMapping body; an empty one changes nothing. */
  private static JsonNode mappingUpdate(HttpExchange exchange) throws IOException, ApiException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readAllBytes();
      return body.length == 0 ? JsonText.MAPPER.createObjectNode() : JsonText.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "InvalidRequestContentException", e.getOriginalMessage());
    }
  }

  private void updateMapping(HttpExchange exchange, SqsEventSourcePoller poller)
      throws IOException, ApiException {
    JsonNode request = mappingUpdate(exchange);
    SqsEventSource current = poller.source();
    if (request.has("ScalingConfig")) {
      // The pollers, which bound the concurrency, are started with the mapping.
      throw new ApiException(
          400,
          "InvalidParameterValueException",
          "the local twin cannot change ScalingConfig of a running mapping; set it in the"
              + " template");
    }
    boolean enabled = request.path("Enabled").asBoolean(current.enabled());
    int batchSize = request.path("BatchSize").asInt(current.batchSize());
    Duration window =
        request.has("MaximumBatchingWindowInSeconds")
            ? Duration.ofSeconds(request.get("MaximumBatchingWindowInSeconds").asInt())
            : current.maximumBatchingWindow();
    try {
      poller.update(current.withSettings(enabled, batchSize, window));
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "InvalidParameterValueException", e.getMessage());
    }
    sendJson(exchange, 202, mappingJson(poller));
  }

  private void updateMapping(HttpExchange exchange, DynamoStreamPoller poller)
      throws IOException, ApiException {
    JsonNode request = mappingUpdate(exchange);
    DynamoStreamEventSource current = poller.source();
    try {
      poller.update(
          current.withSettings(
              request.path("Enabled").asBoolean(current.enabled()),
              request.path("BatchSize").asInt(current.batchSize())));
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "InvalidParameterValueException", e.getMessage());
    }
    sendJson(exchange, 202, mappingJson(poller));
  }

  private static ObjectNode mappingJson(DynamoStreamPoller poller) {
    DynamoStreamEventSource source = poller.source();
    ObjectNode json = JsonText.MAPPER.createObjectNode();
    json.put("UUID", source.uuid());
    json.put("StartingPosition", source.startingPosition().name());
    json.put("BatchSize", source.batchSize());
    json.put("MaximumBatchingWindowInSeconds", 0);
    json.put("EventSourceArn", poller.streamArn());
    json.put("FunctionArn", functionArn(source.functionName()));
    json.put("LastModified", poller.lastModified().toEpochMilli() / 1000.0);
    json.put("State", poller.state());
    json.put("StateTransitionReason", "USER_INITIATED");
    json.put("MaximumRetryAttempts", DynamoStreamPoller.MAX_ATTEMPTS - 1);
    json.put("BisectBatchOnFunctionError", false);
    ArrayNode responseTypes = json.putArray("FunctionResponseTypes");
    if (source.reportBatchItemFailures()) {
      responseTypes.add("ReportBatchItemFailures");
    }
    return json;
  }

  private static ObjectNode mappingJson(SqsEventSourcePoller poller) {
    SqsEventSource source = poller.source();
    ObjectNode json = JsonText.MAPPER.createObjectNode();
    json.put("UUID", source.uuid());
    json.put("BatchSize", source.batchSize());
    json.put("MaximumBatchingWindowInSeconds", source.maximumBatchingWindow().toSeconds());
    json.put("EventSourceArn", source.queueArn());
    json.put("FunctionArn", functionArn(source.functionName()));
    json.put("LastModified", poller.lastModified().toEpochMilli() / 1000.0);
    json.put("State", poller.state());
    json.put("StateTransitionReason", "USER_INITIATED");
    ArrayNode responseTypes = json.putArray("FunctionResponseTypes");
    if (source.reportBatchItemFailures()) {
      responseTypes.add("ReportBatchItemFailures");
    }
    if (source.maximumConcurrency() != null) {
      json.putObject("ScalingConfig").put("MaximumConcurrency", source.maximumConcurrency());
    }
    return json;
  }

  private static Map<String, String> queryParameters(String rawQuery) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      parameters.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return parameters;
  }

  private static String decode(String text) {
    // Path segments: '+' is literal, only %XX escapes are decoded.
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static void sendJson(HttpExchange exchange, int status, JsonNode json)
      throws IOException {
    byte[] body = JsonText.MAPPER.writeValueAsBytes(json);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Lambda's error shape: the type in {@code x-amzn-ErrorType}, the message in the body. */
  private static void sendError(HttpExchange exchange, ApiException error) throws IOException {
    ObjectNode body = JsonText.MAPPER.createObjectNode();
    if (error.reason != null) {
      body.put("Reason", error.reason);
    }
    body.put("Type", error.status >= 500 ? "Service" : "User");
    body.put("message", error.getMessage());
    exchange.getResponseHeaders().set("x-amzn-ErrorType", error.errorType);
    sendJson(exchange, error.status, body);
  }

  /** An API error reply, as Lambda's REST-JSON protocol spells it. */
  private static final class ApiException extends Exception {
    final int status;
    final String errorType;
    final String reason;

    ApiException(int status, String errorType, String message) {
      this(status, errorType, message, null);
    }

    ApiException(int status, String errorType, String message, String reason) {
      super(message);
      this.status = status;
      this.errorType = errorType;
      this.reason = reason;
    }
  }
}
