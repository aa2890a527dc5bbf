package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.search.ClusterEndpoint.Auth;
import io.indexmigrator.core.search.ResolvedExpression.ConcreteIndex;
import io.indexmigrator.core.search.ResolvedExpression.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Request;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.TransportOptions;
import org.opensearch.client.transport.aws.AwsSdk2Transport;
import org.opensearch.client.transport.aws.AwsSdk2TransportOptions;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.client.transport.httpclient5.ResponseException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * {@link SearchCluster} over opensearch-java's generic client.
 *
 * <p>Only the generic (raw REST) client is used: the typed API models newer OpenSearch responses
 * and rejects fields or shapes that Elasticsearch 7.10 and OpenSearch 1.3 return, while the REST
 * endpoints used here have the same shape on all of them. Bodies are parsed with Jackson.
 *
 * <p>Thread-safe; create one per cluster and {@link #close()} it when done.
 */
public final class OpenSearchCluster
    implements SearchCluster, ShardPages, RemoteReindexSource, FieldStatistics, AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OPAQUE_ID = "X-Opaque-Id";
  private static final String SCROLL_KEEP_ALIVE = "2m";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String TASK_RESULTS_INDEX = ".tasks";

  private final OpenSearchTransport transport;
  private final OpenSearchGenericClient client;
  private final String description;
  private final CredentialsSource credentials;
  // How a remote reindex on another cluster reaches this one; null when wrapped from a transport.
  private final ClusterEndpoint endpoint;

  /**
   * Wraps an existing transport (closed by {@link #close()}).
   *
   * @param description how the cluster is named in error messages, e.g. its URL
   */
  public OpenSearchCluster(OpenSearchTransport transport, String description) {
    this(transport, description, null, null);
  }

  private OpenSearchCluster(
      OpenSearchTransport transport,
      String description,
      CredentialsSource credentials,
      ClusterEndpoint endpoint) {
    this.transport = transport;
    this.client = new OpenSearchGenericClient(transport);
    this.description = description;
    this.credentials = credentials;
    this.endpoint = endpoint;
  }

  /** Connects to {@code endpoint}; no request is made until the first call. */
  public static OpenSearchCluster connect(ClusterEndpoint endpoint) {
    URI url = endpoint.url();
    return switch (endpoint.auth()) {
      case Auth.SigV4 sigV4 ->
          // Signing needs the body before sending; the URL-connection client is small and
          // never sends GET bodies (this class does not use any).
          new OpenSearchCluster(
              new AwsSdk2Transport(
                  UrlConnectionHttpClient.create(),
                  url.getHost(),
                  sigV4.service(),
                  Region.of(sigV4.region()),
                  AwsSdk2TransportOptions.builder().build()),
              url.toString(),
              null,
              endpoint);
      // The header is set per request, not as a transport default, so a rotated password is
      // picked up without rebuilding the client.
      case Auth.Basic basic ->
          new OpenSearchCluster(
              apacheTransport(url), url.toString(), basic.credentials(), endpoint);
      case Auth.None none ->
          new OpenSearchCluster(apacheTransport(url), url.toString(), null, endpoint);
    };
  }

  private static OpenSearchTransport apacheTransport(URI url) {
    int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    ApacheHttpClient5TransportBuilder builder =
        ApacheHttpClient5TransportBuilder.builder(
            new HttpHost(url.getScheme(), url.getHost(), port));
    if (url.getPath() != null && !url.getPath().isEmpty() && !url.getPath().equals("/")) {
      builder.setPathPrefix(url.getPath());
    }
    return builder.build();
  }

  @Override
  public ReindexRequest.RemoteSource remoteSource() {
    if (endpoint == null) {
      throw new io.indexmigrator.core.MigrationFailedException(
          description + " was given as a transport; its endpoint is not known");
    }
    return switch (endpoint.auth()) {
      case Auth.None none -> new ReindexRequest.RemoteSource(endpoint.url().toString(), null, null);
      case Auth.Basic basic -> {
        BasicCredentials current = currentCredentials("POST", "/_reindex");
        yield new ReindexRequest.RemoteSource(
            endpoint.url().toString(), current.username(), current.password());
      }
      case Auth.SigV4 sigV4 ->
          throw new io.indexmigrator.core.MigrationFailedException(
              description
                  + " is reached with SigV4 ("
                  + sigV4.service()
                  + "), and a remote reindex cannot sign its requests: it sends none or basic"
                  + " credentials; use copy.mode: reader for this cluster");
    };
  }

  @Override
  public ClusterInfo info() {
    JsonNode body = expectOk("get cluster info", send("GET", "/", Map.of(), null));
    ClusterInfo info;
    try {
      info = ClusterInfo.fromRootResponse(body);
    } catch (IllegalArgumentException e) {
      throw new SearchClusterException(
          "get cluster info", 200, "unexpected_response", e.getMessage());
    }
    if (!info.isVersionMasked()) {
      return info;
    }
    // Compatibility mode masks only GET /; the nodes still say what they run. Best effort: a
    // role may not be allowed to read node info, and the major from Lucene is enough to refuse
    // the directions that matter.
    Reply nodes = send("GET", "/_nodes/_local", Map.of("filter_path", "nodes.*.version"), null);
    if (nodes.status() != 200) {
      return info;
    }
    for (JsonNode node : nodes.body().path("nodes")) {
      return info.withNodeVersion(node.path("version").asText(null));
    }
    return info;
  }

  @Override
  public ResolvedExpression resolve(String expression) {
    Kind kind;
    if (expression.contains("*") || expression.contains(",")) {
      kind = Kind.PATTERN;
    } else if (send("HEAD", "/_alias/" + encode(expression), Map.of(), null).status() == 200) {
      kind = Kind.ALIAS;
    } else if (send("HEAD", "/" + encode(expression), Map.of(), null).status() == 200) {
      kind = Kind.INDEX;
    } else {
      return new ResolvedExpression(expression, Kind.MISSING, List.of());
    }
    Reply reply =
        send("GET", "/" + encode(expression) + "/_alias", Map.of("expand_wildcards", "open"), null);
    if (reply.status() == 404 && kind != Kind.PATTERN) {
      // Deleted between the existence check and this call.
      return new ResolvedExpression(expression, Kind.MISSING, List.of());
    }
    JsonNode body = expectOk("resolve '" + expression + "'", reply);
    List<ConcreteIndex> indexes = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : body.properties()) {
      List<AliasInfo> aliases = new ArrayList<>();
      entry
          .getValue()
          .path("aliases")
          .properties()
          .forEach(a -> aliases.add(aliasInfo(a.getKey(), entry.getKey(), a.getValue())));
      aliases.sort(Comparator.comparing(AliasInfo::alias));
      indexes.add(new ConcreteIndex(entry.getKey(), aliases));
    }
    indexes.sort(Comparator.comparing(ConcreteIndex::name));
    return new ResolvedExpression(expression, kind, indexes);
  }

  private static AliasInfo aliasInfo(String alias, String index, JsonNode definition) {
    JsonNode filter = definition.get("filter");
    JsonNode writeIndex = definition.get("is_write_index");
    return new AliasInfo(
        alias,
        index,
        filter instanceof ObjectNode object ? object : null,
        textOrNull(definition.get("index_routing")),
        textOrNull(definition.get("search_routing")),
        writeIndex == null || writeIndex.isNull() ? null : writeIndex.asBoolean());
  }

  @Override
  public boolean indexExists(String index) {
    Reply reply = send("HEAD", "/" + encode(index), Map.of(), null);
    if (reply.status() == 200) {
      return true;
    }
    if (reply.status() == 404) {
      return false;
    }
    throw error("check whether index '" + index + "' exists", reply);
  }

  @Override
  public ObjectNode getSettings(String index) {
    JsonNode body =
        expectOk(
            "get settings of '" + index + "'",
            send("GET", "/" + encode(index) + "/_settings", Map.of("flat_settings", "true"), null));
    return IndexSettings.normalize(single(body, index).path("settings"));
  }

  @Override
  public ObjectNode getMappings(String index) {
    JsonNode body =
        expectOk(
            "get mappings of '" + index + "'",
            send("GET", "/" + encode(index) + "/_mapping", Map.of(), null));
    JsonNode mappings = single(body, index).path("mappings");
    return mappings instanceof ObjectNode object ? object : NODES.objectNode();
  }

  /** The one index entry of a per-index response; more than one means {@code index} was not one. */
  private static JsonNode single(JsonNode body, String index) {
    if (body.size() != 1) {
      throw new IllegalArgumentException(
          "'" + index + "' must name exactly one index, it covers " + body.size());
    }
    return body.elements().next();
  }

  @Override
  public CreateIndexResult createIndex(String index, ObjectNode settings, ObjectNode mappings) {
    ObjectNode body = NODES.objectNode();
    ObjectNode normalized = IndexSettings.normalize(settings);
    if (!normalized.isEmpty()) {
      body.set("settings", normalized);
    }
    if (mappings != null) {
      body.set("mappings", mappings);
    }
    String operation = "create index '" + index + "'";
    Reply reply = send("PUT", "/" + encode(index), Map.of(), body);
    if (reply.isSuccess()) {
      return CreateIndexResult.CREATED;
    }
    SearchClusterException failure = error(operation, reply);
    if (!"resource_already_exists_exception".equals(failure.errorType())) {
      throw failure;
    }
    List<String> differences = differences(index, normalized, mappings);
    if (differences.isEmpty()) {
      return CreateIndexResult.ALREADY_EXISTED;
    }
    throw new SearchClusterException(
        operation,
        failure.status(),
        failure.errorType(),
        "index ["
            + index
            + "] already exists with a different definition: "
            + String.join("; ", differences));
  }

  /** How the existing index differs from the requested definition; extra settings are fine. */
  private List<String> differences(String index, ObjectNode settings, ObjectNode mappings) {
    List<String> differences = new ArrayList<>();
    ObjectNode existing = getSettings(index);
    settings
        .properties()
        .forEach(
            e -> {
              JsonNode actual = existing.get(e.getKey());
              if (!IndexSettings.sameValue(actual, e.getValue())) {
                differences.add(
                    "setting "
                        + e.getKey()
                        + " is "
                        + (actual == null ? "unset" : actual.toString())
                        + ", requested "
                        + e.getValue());
              }
            });
    if (mappings != null) {
      MappingCompatibility diff = MappingDiff.compare(getMappings(index), mappings);
      diff.addedFields().forEach(f -> differences.add("mapping lacks field '" + f + "'"));
      differences.addAll(diff.conflicts());
    }
    return differences;
  }

  @Override
  public boolean deleteIndex(String index) {
    if (index.contains("*") || index.contains(",") || index.equals("_all") || index.isBlank()) {
      throw new IllegalArgumentException(
          "refusing to delete '" + index + "': name exactly one concrete index");
    }
    Reply reply = send("DELETE", "/" + encode(index), Map.of(), null);
    if (reply.isSuccess()) {
      return true;
    }
    SearchClusterException failure = error("delete index '" + index + "'", reply);
    if (reply.status() == 404 && "index_not_found_exception".equals(failure.errorType())) {
      return false;
    }
    throw failure;
  }

  @Override
  public void putSettings(String index, ObjectNode settings) {
    expectOk(
        "update settings of '" + index + "'",
        send("PUT", "/" + encode(index) + "/_settings", Map.of(), settings));
  }

  @Override
  public String startReindex(ReindexRequest request) {
    return startReindex(request, null);
  }

  @Override
  public String startReindex(ReindexRequest request, String opaqueId) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("wait_for_completion", "false");
    if (request.automaticSlices() != null) {
      query.put(
          "slices", request.automaticSlices() == 0 ? "auto" : request.automaticSlices().toString());
    }
    if (request.requestsPerSecond() != -1) {
      query.put("requests_per_second", Double.toString(request.requestsPerSecond()));
    }
    if (request.refreshAtEnd()) {
      query.put("refresh", "true");
    }
    JsonNode body =
        expectOk(
            "start reindex " + request.sourceIndex() + " -> " + request.destinationIndex(),
            send(
                "POST",
                "/_reindex",
                query,
                reindexBody(request),
                opaqueId == null ? List.of() : List.of(Map.entry(OPAQUE_ID, opaqueId))));
    String task = body.path("task").asText(null);
    if (task == null) {
      throw new SearchClusterException(
          "start reindex", 200, "unexpected_response", "no task id in " + body);
    }
    return task;
  }

  static ObjectNode reindexBody(ReindexRequest request) {
    ObjectNode body = NODES.objectNode();
    if (request.proceedOnConflicts()) {
      body.put("conflicts", "proceed");
    }
    ObjectNode source = body.putObject("source");
    source.put("index", request.sourceIndex());
    source.put("size", request.batchSize());
    if (request.query() != null) {
      source.set("query", request.query());
    }
    if (request.sliceId() != null) {
      source.putObject("slice").put("id", request.sliceId()).put("max", request.sliceMax());
    }
    if (request.remote() != null) {
      ObjectNode remote = source.putObject("remote").put("host", request.remote().host());
      if (request.remote().username() != null) {
        remote.put("username", request.remote().username());
        remote.put("password", request.remote().password());
      }
    }
    ObjectNode dest = body.putObject("dest").put("index", request.destinationIndex());
    if (request.pipeline() != null) {
      dest.put("pipeline", request.pipeline());
    }
    if (request.opType() != null) {
      dest.put("op_type", request.opType());
    }
    if (request.versionType() != null) {
      dest.put("version_type", request.versionType());
    }
    if (request.scriptSource() != null) {
      ObjectNode script = body.putObject("script").put("source", request.scriptSource());
      if (request.scriptLang() != null) {
        script.put("lang", request.scriptLang());
      }
      if (request.scriptParams() != null) {
        script.set("params", request.scriptParams());
      }
    }
    return body;
  }

  @Override
  public ReindexTaskStatus getTask(String taskId) {
    String operation = "get task " + taskId;
    Reply reply = send("GET", "/_tasks/" + encode(taskId), Map.of(), null);
    if (reply.status() == 404) {
      // The task manager forgets finished tasks; their results stay in .tasks until deleted.
      Reply stored =
          send("GET", "/" + TASK_RESULTS_INDEX + "/_doc/" + encode(taskId), Map.of(), null);
      if (stored.isSuccess() && stored.body().path("found").asBoolean()) {
        return taskStatus(taskId, stored.body().path("_source"));
      }
      throw error(operation, reply);
    }
    return withRunningSlices(taskId, expectOk(operation, reply));
  }

  @Override
  public ReindexTaskStatus reindexSample(ReindexRequest request, int maxDocs) {
    ObjectNode body = reindexBody(request);
    body.put("max_docs", maxDocs);
    String operation =
        "trial reindex " + request.sourceIndex() + " -> " + request.destinationIndex();
    Reply reply = send("POST", "/_reindex", Map.of("wait_for_completion", "true"), body);
    if (!reply.isSuccess()) {
      JsonNode error = reply.body().path("error");
      // The top-level reason of a script error is only "compile error"; the cause says where.
      throw new SearchClusterException(
          operation + " on " + description,
          reply.status(),
          error.path("type").asText("http_" + reply.status()),
          error.isMissingNode() ? reply.body().toString() : describeError(error));
    }
    ObjectNode finished = NODES.objectNode().put("completed", true);
    finished.set("response", reply.body());
    return taskStatus("sample", finished);
  }

  @Override
  public boolean ingestPipelineExists(String id) {
    Reply reply = send("GET", "/_ingest/pipeline/" + encode(id), Map.of(), null);
    if (reply.status() == 404) {
      return false;
    }
    return expectOk("get ingest pipeline '" + id + "'", reply).has(id);
  }

  @Override
  public ReindexTaskStatus awaitTask(String taskId, java.time.Duration wait) {
    long seconds = Math.max(1, wait.toSeconds());
    Reply reply;
    try {
      reply =
          send(
              "GET",
              "/_tasks/" + encode(taskId),
              Map.of("wait_for_completion", "true", "timeout", seconds + "s"),
              null);
    } catch (SearchClusterException e) {
      if (e.status() != SearchClusterException.NO_RESPONSE) {
        throw e;
      }
      // A task still running when the wait ran out is answered with a timeout_exception and HTTP
      // 500, which the transport raises rather than returns; the plain lookup gives its progress
      // (and reports a cluster that really is unreachable).
      return getTask(taskId);
    }
    if (reply.isSuccess()) {
      return withRunningSlices(taskId, reply.body());
    }
    // Anything else (a forgotten task whose result is stored, a 404) is the plain lookup's.
    return getTask(taskId);
  }

  /**
   * The status of a task, with the progress of its running slices added. An engine-sliced task's
   * own counters cover only the slices that have finished, so without this a copy would report
   * nothing done (and no rate or ETA) until its first slice ends.
   */
  private ReindexTaskStatus withRunningSlices(String taskId, JsonNode body) {
    ReindexTaskStatus status = taskStatus(taskId, body);
    if (status.completed() || !hasRunningSlices(body)) {
      return status;
    }
    Reply children =
        send("GET", "/_tasks", Map.of("parent_task_id", taskId, "detailed", "true"), null);
    if (!children.isSuccess()) {
      // Progress is for display and pacing; the task itself is what the caller asked about.
      return status;
    }
    return plusRunningSlices(status, children.body());
  }

  /** Whether a task is sliced and some of its slices have not reported yet. */
  static boolean hasRunningSlices(JsonNode body) {
    JsonNode slices = body.at("/task/status/slices");
    if (!slices.isArray()) {
      return false;
    }
    for (JsonNode slice : slices) {
      if (slice.isNull()) {
        return true;
      }
    }
    return false;
  }

  /** Adds the counters of the child tasks in a {@code GET _tasks?parent_task_id=} listing. */
  static ReindexTaskStatus plusRunningSlices(ReindexTaskStatus parent, JsonNode listing) {
    long total = parent.total();
    long created = parent.created();
    long updated = parent.updated();
    long deleted = parent.deleted();
    long batches = parent.batches();
    long conflicts = parent.versionConflicts();
    long noops = parent.noops();
    for (JsonNode node : listing.path("nodes")) {
      for (JsonNode child : node.path("tasks")) {
        JsonNode counters = child.path("status");
        total += counters.path("total").asLong();
        created += counters.path("created").asLong();
        updated += counters.path("updated").asLong();
        deleted += counters.path("deleted").asLong();
        batches += counters.path("batches").asLong();
        conflicts += counters.path("version_conflicts").asLong();
        noops += counters.path("noops").asLong();
      }
    }
    return new ReindexTaskStatus(
        parent.taskId(),
        parent.completed(),
        total,
        created,
        updated,
        deleted,
        batches,
        conflicts,
        noops,
        parent.failures(),
        parent.error(),
        parent.cancelled());
  }

  static ReindexTaskStatus taskStatus(String taskId, JsonNode body) {
    boolean completed = body.path("completed").asBoolean(false);
    JsonNode response = body.path("response");
    // Finished tasks report final counters in "response"; running ones in "task.status".
    JsonNode counters = completed && response.isObject() ? response : body.at("/task/status");
    List<String> failures = new ArrayList<>();
    response.path("failures").forEach(f -> failures.add(describeFailure(f)));
    String error = body.has("error") ? describeError(body.get("error")) : null;
    boolean cancelled =
        response.hasNonNull("canceled")
            || body.at("/task/cancelled").asBoolean(false)
            || counters.hasNonNull("canceled");
    return new ReindexTaskStatus(
        taskId,
        completed,
        counters.path("total").asLong(),
        counters.path("created").asLong(),
        counters.path("updated").asLong(),
        counters.path("deleted").asLong(),
        counters.path("batches").asLong(),
        counters.path("version_conflicts").asLong(),
        counters.path("noops").asLong(),
        failures,
        error,
        cancelled);
  }

  private static String describeFailure(JsonNode failure) {
    JsonNode cause = failure.has("cause") ? failure.get("cause") : failure.path("reason");
    String where =
        failure.has("id")
            ? failure.path("index").asText() + "/" + failure.path("id").asText()
            : failure.path("index").asText() + "[shard " + failure.path("shard").asText() + "]";
    return where + ": " + describeError(cause);
  }

  private static String describeError(JsonNode error) {
    if (error.isTextual()) {
      return error.textValue();
    }
    String text = error.path("type").asText("error") + ": " + error.path("reason").asText("");
    JsonNode causedBy = error.get("caused_by");
    return causedBy == null ? text : text + " (caused by " + describeError(causedBy) + ")";
  }

  @Override
  public List<RunningTask> findTasks(String opaqueIdPrefix) {
    JsonNode body =
        expectOk(
            "list reindex tasks",
            send(
                "GET",
                "/_tasks",
                Map.of("actions", "*reindex*", "detailed", "true", "group_by", "none"),
                null));
    List<RunningTask> found = new ArrayList<>();
    // group_by=none lists every task flat, children of automatically sliced tasks included;
    // only top-level tasks carry the caller's header.
    JsonNode tasks = body.path("tasks");
    Iterable<JsonNode> all = tasks.isArray() ? tasks : () -> tasks.elements();
    for (JsonNode task : all) {
      String opaqueId = task.path("headers").path(OPAQUE_ID).asText(null);
      if (opaqueId != null
          && opaqueId.startsWith(opaqueIdPrefix)
          && !task.hasNonNull("parent_task_id")) {
        found.add(
            new RunningTask(
                task.path("node").asText() + ":" + task.path("id").asLong(),
                opaqueId,
                task.path("action").asText()));
      }
    }
    return found;
  }

  @Override
  public void putMappings(String index, ObjectNode mappings) {
    expectOk(
        "update mappings of '" + index + "'",
        send("PUT", "/" + encode(index) + "/_mapping", Map.of(), mappings));
  }

  @Override
  public void scan(
      String index,
      int sliceId,
      int sliceCount,
      int batchSize,
      java.util.function.Consumer<ScannedDocument> sink) {
    ObjectNode search = NODES.objectNode().put("size", batchSize);
    search.putArray("sort").add("_doc");
    if (sliceCount > 1) {
      search.putObject("slice").put("id", sliceId).put("max", sliceCount);
    }
    String operation = "scan '" + index + "' slice " + sliceId + "/" + sliceCount;
    JsonNode page =
        expectOk(
            operation,
            send(
                "POST",
                "/" + encode(index) + "/_search",
                Map.of("scroll", SCROLL_KEEP_ALIVE),
                search));
    String scrollId = page.path("_scroll_id").asText(null);
    try {
      while (page.path("hits").path("hits").size() > 0) {
        for (JsonNode hit : page.path("hits").path("hits")) {
          sink.accept(
              new ScannedDocument(
                  hit.path("_id").asText(),
                  hit.path("_source").toString(),
                  textOrNull(hit.get("_routing"))));
        }
        ObjectNode next =
            NODES.objectNode().put("scroll", SCROLL_KEEP_ALIVE).put("scroll_id", scrollId);
        page = expectOk(operation, send("POST", "/_search/scroll", Map.of(), next));
        scrollId = page.path("_scroll_id").asText(scrollId);
      }
    } finally {
      if (scrollId != null) {
        ObjectNode clear = NODES.objectNode();
        clear.putArray("scroll_id").add(scrollId);
        // Scroll contexts hold segments open until they expire; free them now.
        send("DELETE", "/_search/scroll", Map.of(), clear);
      }
    }
  }

  @Override
  public List<StoredDocument> multiGet(String index, List<DocumentRef> documents) {
    List<StoredDocument> result = new ArrayList<>();
    for (DocumentRead read : multiGetEach(index, documents)) {
      if (read.failed()) {
        throw new SearchClusterException(
            "multi-get '" + read.ref().id() + "' from '" + index + "'",
            500,
            read.errorType(),
            read.reason());
      }
      result.add(read.document());
    }
    return result;
  }

  @Override
  public List<DocumentRead> multiGetEach(String index, List<DocumentRef> documents) {
    if (documents.isEmpty()) {
      return List.of();
    }
    ObjectNode body = NODES.objectNode();
    ArrayNode docs = body.putArray("docs");
    for (DocumentRef ref : documents) {
      ObjectNode doc = docs.addObject().put("_id", ref.id());
      if (ref.routing() != null) {
        doc.put("routing", ref.routing());
      }
    }
    JsonNode reply =
        expectOk(
            "multi-get from '" + index + "'",
            send("POST", "/" + encode(index) + "/_mget", Map.of(), body));
    List<DocumentRead> result = new ArrayList<>();
    int i = 0;
    for (JsonNode doc : reply.path("docs")) {
      DocumentRef asked = documents.get(i++);
      if (doc.has("error")) {
        JsonNode error = doc.path("error");
        result.add(
            DocumentRead.failed(
                asked,
                error.path("type").asText("error"),
                error.path("reason").asText(error.toString())));
        continue;
      }
      boolean found = doc.path("found").asBoolean(false);
      result.add(
          DocumentRead.of(
              new StoredDocument(
                  asked.id(),
                  asked.routing(),
                  found,
                  found ? doc.path("_version").asLong() : -1,
                  found ? doc.path("_seq_no").asLong(-1) : -1,
                  found ? doc.path("_primary_term").asLong(-1) : -1,
                  found ? doc.path("_source").toString() : null)));
    }
    if (result.size() != documents.size()) {
      throw new SearchClusterException(
          "multi-get from '" + index + "'",
          500,
          "malformed_reply",
          "asked for " + documents.size() + " documents, got " + result.size());
    }
    return result;
  }

  @Override
  public List<BulkItemResult> bulk(String index, List<BulkWrite> writes) {
    if (writes.isEmpty()) {
      return List.of();
    }
    StringBuilder body = new StringBuilder();
    for (BulkWrite write : writes) {
      ObjectNode meta = NODES.objectNode().put("_id", write.id());
      if (write.routing() != null) {
        meta.put("routing", write.routing());
      }
      if (write.externalVersion() != null) {
        meta.put("version", write.externalVersion()).put("version_type", "external_gte");
      }
      ObjectNode action = NODES.objectNode();
      action.set(write.delete() ? "delete" : "index", meta);
      body.append(action).append('\n');
      if (!write.delete()) {
        body.append(write.sourceJson()).append('\n');
      }
    }
    Reply reply = sendText("POST", "/" + encode(index) + "/_bulk", body.toString());
    JsonNode items = expectOk("bulk into '" + index + "'", reply).path("items");
    List<BulkItemResult> results = new ArrayList<>();
    int i = 0;
    for (JsonNode item : items) {
      JsonNode outcome = item.elements().next();
      JsonNode error = outcome.path("error");
      results.add(
          new BulkItemResult(
              writes.get(i++).id(),
              outcome.path("status").asInt(),
              error.isMissingNode() ? null : error.path("type").asText(null),
              error.isMissingNode() ? null : error.path("reason").asText(null)));
    }
    if (results.size() != writes.size()) {
      throw new SearchClusterException(
          "bulk into '" + index + "'",
          500,
          "unexpected_response",
          "sent " + writes.size() + " items, got " + results.size() + " results");
    }
    return results;
  }

  @Override
  public void cancelTask(String taskId) {
    Reply reply = send("POST", "/_tasks/" + encode(taskId) + "/_cancel", Map.of(), null);
    if (reply.status() == 404) {
      return; // already finished and gone: nothing left to cancel
    }
    expectOk("cancel task " + taskId, reply);
  }

  @Override
  public void setWriteBlock(String index, boolean blocked) {
    if (blocked) {
      addWriteBlock(index);
      return;
    }
    // null removes the setting instead of leaving an explicit "false" behind; the engine then
    // rebuilds the index's blocks from its settings, which also drops a temporary block left by a
    // failed add-block call.
    ObjectNode settings = NODES.objectNode();
    settings.set("index.blocks.write", NullNode.instance);
    expectOk(
        "remove write block on '" + index + "'",
        send("PUT", "/" + encode(index) + "/_settings", Map.of(), settings));
  }

  /**
   * The add-index-block API rather than a settings update: a settings update is acknowledged once
   * the block is in the cluster state, while a bulk that passed the block check before that may
   * still be writing, and would land after a search that was meant to see every write. The API
   * takes every shard's operation permits before it answers, so all such writes have completed.
   */
  private void addWriteBlock(String index) {
    String operation = "add write block on '" + index + "'";
    Reply reply = send("PUT", "/" + encode(index) + "/_block/write", Map.of(), null);
    if (reply.status() == 400 || reply.status() == 405) {
      JsonNode error = reply.body().path("error");
      // No such endpoint (Elasticsearch before 7.9 answers "no handler", or reads the path as a
      // document of type _block): a settings update would not wait for the writes in flight, so
      // the cut-over could miss one.
      if (error.isTextual()
          || error.path("type").asText("").equals("invalid_type_name_exception")) {
        throw new SearchClusterException(
            operation,
            reply.status(),
            "unsupported_engine",
            description
                + " has no add-index-block API (PUT <index>/_block/write, Elasticsearch 7.9 or"
                + " later, every OpenSearch); a rollover needs it to know that no write is still"
                + " in flight under the block");
      }
    }
    JsonNode body = expectOk(operation, reply);
    if (body.path("acknowledged").asBoolean(false) && body.path("indices").isEmpty()) {
      // Already blocked (a retried step): the engine had nothing to add, and no write got past the
      // block that is there.
      return;
    }
    boolean blocked = body.path("acknowledged").asBoolean(false);
    for (JsonNode result : body.path("indices")) {
      if (!result.path("blocked").asBoolean(false)) {
        blocked = false;
      }
    }
    if (!blocked || !body.path("shards_acknowledged").asBoolean(false)) {
      // Not every shard confirmed that its writes in flight completed: the block may hold, but
      // nothing proves that no acknowledged write is still to land.
      throw new SearchClusterException(
          operation, 503, "block_not_verified", "not every shard confirmed the block: " + body);
    }
  }

  @Override
  public void refresh(String index) {
    expectOk(
        "refresh '" + index + "'", send("POST", "/" + encode(index) + "/_refresh", Map.of(), null));
  }

  @Override
  public long mergesRunning(String index) {
    JsonNode body =
        expectOk(
            "read merge stats of '" + index + "'",
            send("GET", "/" + encode(index) + "/_stats/merge", Map.of(), null));
    JsonNode current = body.at("/_all/total/merges/current");
    if (!current.isNumber()) {
      throw new SearchClusterException(
          "read merge stats of '" + index + "'", 500, "unexpected_response", "no merges.current");
    }
    return current.asLong();
  }

  @Override
  public long count(String index) {
    JsonNode body =
        expectOk(
            "count '" + index + "'", send("GET", "/" + encode(index) + "/_count", Map.of(), null));
    return body.path("count").asLong();
  }

  @Override
  public java.util.Optional<ValueRange> valueRange(String index, String field) {
    String operation = "read the range of '" + field + "' in '" + index + "'";
    ObjectNode search = NODES.objectNode().put("size", 0).put("track_total_hits", false);
    ObjectNode aggs = search.putObject("aggs");
    aggs.putObject("low").putObject("min").put("field", field);
    aggs.putObject("high").putObject("max").put("field", field);
    JsonNode body =
        expectOk(operation, send("POST", "/" + encode(index) + "/_search", Map.of(), search));
    JsonNode shards = body.path("_shards");
    if (shards.path("failed").asInt(0) > 0
        || shards.path("successful").asInt() != shards.path("total").asInt()) {
      // Ranges from some shards would leave the others' extremes to the open end parts: correct,
      // but not what was asked for; a failed shard usually means the field cannot be aggregated.
      throw new SearchClusterException(
          operation + " on " + description, 503, "shard_failures", "not every shard: " + shards);
    }
    JsonNode low = body.at("/aggregations/low/value");
    JsonNode high = body.at("/aggregations/high/value");
    if (!low.isNumber() || !high.isNumber()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new ValueRange(low.doubleValue(), high.doubleValue()));
  }

  @Override
  public Map<Integer, Long> shardCheckpoints(String index) {
    String operation = "read shard checkpoints of '" + index + "'";
    // The docs metric keeps the response small; shard-level stats carry seq_no regardless.
    JsonNode body =
        expectOk(
            operation,
            send("GET", "/" + encode(index) + "/_stats/docs", Map.of("level", "shards"), null));
    JsonNode shards = single(body.path("indices"), index).path("shards");
    Map<Integer, Long> checkpoints = new java.util.TreeMap<>();
    for (Map.Entry<String, JsonNode> shard : shards.properties()) {
      int number = Integer.parseInt(shard.getKey());
      JsonNode primary = null;
      for (JsonNode copy : shard.getValue()) {
        String state = copy.at("/routing/state").asText("STARTED");
        // A relocating primary still serves and tracks the global checkpoint.
        if (copy.at("/routing/primary").asBoolean(false)
            && (state.equals("STARTED") || state.equals("RELOCATING"))) {
          primary = copy;
        }
      }
      JsonNode checkpoint = primary == null ? null : primary.at("/seq_no/global_checkpoint");
      if (checkpoint == null || !checkpoint.isNumber()) {
        // A primary being recovered or relocated reports no stats; ask again later.
        throw new SearchClusterException(
            operation, 503, "no_started_primary", "shard " + number + " has no started primary");
      }
      checkpoints.put(number, checkpoint.asLong());
    }
    if (checkpoints.isEmpty()) {
      throw new SearchClusterException(
          operation, 503, "no_started_primary", "no shard of '" + index + "' reported stats");
    }
    return checkpoints;
  }

  @Override
  public List<SeqNoHit> searchBySeqNo(
      String index, int shard, long aboveSeqNo, long atMostSeqNo, int size) {
    String operation = "read shard " + shard + " of '" + index + "' by _seq_no";
    ObjectNode search = NODES.objectNode().put("size", size);
    search.put("seq_no_primary_term", true).put("track_total_hits", false).put("_source", false);
    search
        .putObject("query")
        .putObject("range")
        .putObject("_seq_no")
        .put("gt", aboveSeqNo)
        .put("lte", atMostSeqNo);
    // An index that never had a mapping (nothing indexed yet) refuses to sort on _seq_no.
    search
        .putArray("sort")
        .addObject()
        .putObject("_seq_no")
        .put("order", "asc")
        .put("unmapped_type", "long");
    JsonNode body =
        expectOk(
            operation,
            send(
                "POST",
                "/" + encode(index) + "/_search",
                Map.of("preference", "_shards:" + shard, "ignore_unavailable", "false"),
                search));
    // _shards:N picks shard N of every index the name covers; exactly one shard must answer, or
    // documents of another index (alias) would be mixed in or a failed shard's would be skipped.
    JsonNode searched = body.path("_shards");
    if (searched.path("total").asInt() != 1 || searched.path("successful").asInt() != 1) {
      throw new SearchClusterException(
          operation,
          searched.path("total").asInt() == 1 ? 503 : 400,
          "unexpected_shards",
          "expected exactly one shard to answer, got " + searched);
    }
    List<SeqNoHit> hits = new ArrayList<>();
    for (JsonNode hit : body.path("hits").path("hits")) {
      hits.add(
          new SeqNoHit(
              hit.path("_id").asText(),
              hit.path("_seq_no").asLong(),
              hit.path("_primary_term").asLong(),
              textOrNull(hit.get("_routing"))));
    }
    return hits;
  }

  @Override
  public void updateAliases(List<AliasAction> actions) {
    if (actions.isEmpty()) {
      return;
    }
    ObjectNode body = NODES.objectNode();
    ArrayNode list = body.putArray("actions");
    for (AliasAction action : actions) {
      switch (action) {
        case AliasAction.Add add -> {
          AliasInfo alias = add.alias();
          ObjectNode a = list.addObject().putObject("add");
          a.put("index", alias.index()).put("alias", alias.alias());
          if (alias.filter() != null) {
            a.set("filter", alias.filter());
          }
          if (alias.indexRouting() != null) {
            a.put("index_routing", alias.indexRouting());
          }
          if (alias.searchRouting() != null) {
            a.put("search_routing", alias.searchRouting());
          }
          if (alias.writeIndex() != null) {
            a.put("is_write_index", alias.writeIndex());
          }
        }
        case AliasAction.Remove remove ->
            list.addObject()
                .putObject("remove")
                .put("index", remove.index())
                .put("alias", remove.alias());
        case AliasAction.RemoveIndex removeIndex ->
            list.addObject().putObject("remove_index").put("index", removeIndex.index());
      }
    }
    expectOk("update aliases", send("POST", "/_aliases", Map.of(), body));
  }

  // --- ShardPages ----------------------------------------------------------------------------

  private static final String CONTEXT_MISSING = "search_context_missing_exception";

  @Override
  public ShardPage openScroll(
      String index, int shard, ObjectNode query, int size, Duration keepAlive) {
    String operation = "open a scroll on shard " + shard + " of '" + index + "'";
    ObjectNode search = NODES.objectNode().put("size", size);
    search.putArray("sort").add("_doc");
    search.put("version", true);
    if (query == null) {
      search.putObject("query").putObject("match_all");
    } else {
      search.set("query", query.deepCopy());
    }
    // Sent once only: a repeat after a lost answer would open a second scroll and leave the first
    // holding segments until it expires.
    Reply reply =
        sendOnce(
            "POST",
            "/" + encode(index) + "/_search",
            Map.of("scroll", duration(keepAlive), "preference", "_shards:" + shard),
            search);
    JsonNode body = expectPage(operation, reply);
    expectOneShard(operation, body);
    return page(operation, body, "_scroll_id", null);
  }

  @Override
  public ShardPage nextScroll(String scrollId, Duration keepAlive) {
    String operation = "read the next page of a scroll";
    ObjectNode next =
        NODES.objectNode().put("scroll", duration(keepAlive)).put("scroll_id", scrollId);
    JsonNode body = expectPage(operation, sendOnce("POST", "/_search/scroll", Map.of(), next));
    return page(operation, body, "_scroll_id", scrollId);
  }

  @Override
  public void clearScroll(String scrollId) {
    ObjectNode clear = NODES.objectNode();
    clear.putArray("scroll_id").add(scrollId);
    Reply reply = send("DELETE", "/_search/scroll", Map.of(), clear);
    if (reply.status() != 404) {
      expectOk("clear a scroll", reply);
    }
  }

  @Override
  public String openPointInTime(String index, Duration keepAlive) {
    return openPointInTime(index, keepAlive, Map.of(), "every shard of '" + index + "'", false);
  }

  @Override
  public String openPointInTime(String index, int shard, Duration keepAlive) {
    return openPointInTime(
        index,
        keepAlive,
        Map.of("preference", "_shards:" + shard),
        "shard " + shard + " of '" + index + "'",
        true);
  }

  private String openPointInTime(
      String index, Duration keepAlive, Map<String, String> extra, String what, boolean oneShard) {
    String operation = "open a point in time on " + what;
    Map<String, String> query = new LinkedHashMap<>(extra);
    query.put("keep_alive", duration(keepAlive));
    // The engine's default (true) leaves out shards it cannot reach and still answers 200: the
    // copy would read a part of the index and finish as if it were all.
    query.put("allow_partial_pit_creation", "false");
    JsonNode body =
        expectOk(
            operation, send("POST", "/" + encode(index) + "/_search/point_in_time", query, null));
    JsonNode shards = body.path("_shards");
    if (shards.path("failed").asInt(0) > 0
        || shards.path("successful").asInt() != shards.path("total").asInt()) {
      throw new SearchClusterException(
          operation + " on " + description, 503, "shard_failures", "not every shard: " + shards);
    }
    String pitId = body.path("pit_id").asText(null);
    if (pitId != null && oneShard && shards.path("total").asInt() != 1) {
      // _shards:N names shard N of every index behind an alias or pattern.
      closePointInTime(pitId);
      throw new SearchClusterException(
          operation + " on " + description,
          400,
          "unexpected_shards",
          "expected exactly one shard, got " + shards);
    }
    if (pitId == null) {
      throw new SearchClusterException(
          operation + " on " + description, 500, "unexpected_response", "no pit_id in " + body);
    }
    return pitId;
  }

  @Override
  public ShardPage pointInTimePage(
      String pitId,
      int slice,
      int sliceMax,
      ObjectNode query,
      String searchAfterJson,
      int size,
      Duration keepAlive) {
    String operation = "read slice " + slice + "/" + sliceMax + " of a point in time";
    ObjectNode search = NODES.objectNode();
    search.putObject("pit").put("id", pitId).put("keep_alive", duration(keepAlive));
    if (sliceMax > 1) {
      search.putObject("slice").put("id", slice).put("max", sliceMax);
    }
    search.putArray("sort").add("_doc");
    if (searchAfterJson != null) {
      JsonNode after = parseBytes(searchAfterJson.getBytes(StandardCharsets.UTF_8));
      if (!after.isArray()) {
        throw new IllegalArgumentException("search_after must be a JSON array: " + searchAfterJson);
      }
      search.set("search_after", after);
    }
    search.put("size", size).put("version", true).put("track_total_hits", false);
    if (query != null) {
      search.set("query", query.deepCopy());
    }
    // A repeated page request returns the same page: the point in time does not move.
    JsonNode body = expectPage(operation, send("POST", "/_search", Map.of(), search));
    return page(operation, body, "pit_id", pitId);
  }

  @Override
  public void closePointInTime(String pitId) {
    ObjectNode close = NODES.objectNode();
    close.putArray("pit_id").add(pitId);
    Reply reply = send("DELETE", "/_search/point_in_time", Map.of(), close);
    if (reply.status() != 404) {
      expectOk("close a point in time", reply);
    }
  }

  @Override
  public boolean supportsPointInTime() {
    ClusterInfo info = info();
    if (!info.isOpenSearch()) {
      return false;
    }
    String[] parts = info.version().split("[.-]");
    int minor = parts.length > 1 && parts[1].matches("\\d+") ? Integer.parseInt(parts[1]) : 0;
    return info.majorVersion() > 2 || (info.majorVersion() == 2 && minor >= 4);
  }

  @Override
  public int primaryShardCount(String index) {
    String operation = "read the shard count of '" + index + "'";
    JsonNode body =
        expectOk(
            operation,
            send(
                "GET",
                "/" + encode(index) + "/_settings/index.number_of_shards",
                Map.of("flat_settings", "true"),
                null));
    JsonNode shards = single(body, index).path("settings").path("index.number_of_shards");
    // Flat settings carry numbers as strings.
    if (!shards.asText().matches("\\d+")) {
      throw new SearchClusterException(
          operation + " on " + description, 500, "unexpected_response", "no shard count: " + body);
    }
    return shards.asInt();
  }

  /** The body of a page reply; a lost scroll or point in time fails as such. */
  private JsonNode expectPage(String operation, Reply reply) {
    if (reply.isSuccess()) {
      return reply.body();
    }
    SearchClusterException plain = error(operation, reply);
    JsonNode error = reply.body().path("error");
    List<JsonNode> causes = new ArrayList<>();
    error.path("root_cause").forEach(causes::add);
    error.path("failed_shards").forEach(f -> causes.add(f.path("reason")));
    if (error.has("caused_by")) {
      causes.add(error.get("caused_by"));
    }
    String reason =
        causes.isEmpty()
            ? plain.reason()
            : plain.reason() + " (" + describeError(causes.get(0)) + ")";
    throw new SearchClusterException(
        operation + " on " + description,
        reply.status(),
        plain.errorType(),
        reason,
        !causes.isEmpty() && causes.stream().allMatch(OpenSearchCluster::contextGone),
        null);
  }

  /**
   * Whether an engine error says a search context is gone: removed or expired ({@code
   * search_context_missing_exception}, 404), or held by a node no longer in the cluster (500, the
   * same on Elasticsearch 7.10 and OpenSearch), where it cannot come back.
   */
  private static boolean contextGone(JsonNode cause) {
    String type = cause.path("type").asText("");
    return type.equals(CONTEXT_MISSING)
        || (type.equals("illegal_state_exception")
            && cause.path("reason").asText("").matches("node \\[.*\\] is not available"));
  }

  /** An open scroll must cover the one shard asked for: not none, not one per index of an alias. */
  private void expectOneShard(String operation, JsonNode body) {
    JsonNode shards = body.path("_shards");
    if (shards.path("total").asInt() != 1) {
      throw new SearchClusterException(
          operation + " on " + description,
          400,
          "unexpected_shards",
          "expected exactly one shard to answer, got " + shards);
    }
  }

  /**
   * A page's documents. Shards that failed while others answered give a 200 with fewer documents;
   * taking that for the page would skip the missing ones, so it fails instead.
   */
  private ShardPage page(String operation, JsonNode body, String contextField, String sent) {
    JsonNode shards = body.path("_shards");
    if (shards.path("failed").asInt(0) > 0
        || shards.path("successful").asInt() != shards.path("total").asInt()) {
      List<JsonNode> failures = new ArrayList<>();
      shards.path("failures").forEach(f -> failures.add(f.path("reason")));
      throw new SearchClusterException(
          operation + " on " + description,
          503,
          "shard_failures",
          "not every shard answered: " + shards,
          !failures.isEmpty() && failures.stream().allMatch(OpenSearchCluster::contextGone),
          null);
    }
    JsonNode hits = body.path("hits").path("hits");
    if (shards.path("total").asInt() < 1 || !hits.isArray()) {
      // Without this an odd reply (a proxy's, say) would read as an empty page: the end.
      throw new SearchClusterException(
          operation + " on " + description, 500, "unexpected_response", "not a page: " + body);
    }
    String contextId = body.path(contextField).asText(sent);
    List<SourceDocument> documents = new ArrayList<>();
    JsonNode lastSort = null;
    for (JsonNode hit : hits) {
      JsonNode version = hit.get("_version");
      if (version == null || !version.canConvertToLong()) {
        throw new SearchClusterException(
            operation + " on " + description,
            500,
            "unexpected_response",
            "no _version on document '" + hit.path("_id").asText() + "'");
      }
      JsonNode source = hit.get("_source");
      documents.add(
          new SourceDocument(
              hit.path("_id").asText(),
              textOrNull(hit.get("_routing")),
              version.asLong(),
              source == null ? null : source.toString()));
      lastSort = hit.get("sort");
    }
    return new ShardPage(contextId, documents, lastSort == null ? null : lastSort.toString());
  }

  /** A keep-alive as the engines write durations; they have no unit below milliseconds. */
  private static String duration(Duration keepAlive) {
    if (keepAlive.isNegative() || keepAlive.isZero()) {
      throw new IllegalArgumentException("keep-alive must be positive: " + keepAlive);
    }
    return keepAlive.toMillis() + "ms";
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (Exception e) {
      // Closing releases connections only; a failure here leaves nothing to clean up for callers.
    }
  }

  @Override
  public String toString() {
    return "OpenSearchCluster[" + description + "]";
  }

  // --- HTTP plumbing -------------------------------------------------------------------------

  private record Reply(int status, JsonNode body) {
    boolean isSuccess() {
      return status >= 200 && status < 300;
    }
  }

  private Reply send(String method, String path, Map<String, String> query, JsonNode body) {
    return send(method, path, query, body, List.of());
  }

  private Reply send(
      String method,
      String path,
      Map<String, String> query,
      JsonNode body,
      List<Map.Entry<String, String>> headers) {
    return send(method, path, query, body, headers, isRead(method, path));
  }

  /**
   * Sends a request that must not be sent a second time after a lost connection even though it only
   * reads: a scroll page moves the scroll forward when the engine answers, so a resent request
   * would return the page after the lost one.
   */
  private Reply sendOnce(String method, String path, Map<String, String> query, JsonNode body) {
    return send(method, path, query, body, List.of(), false);
  }

  private Reply send(
      String method,
      String path,
      Map<String, String> query,
      JsonNode body,
      List<Map.Entry<String, String>> headers,
      boolean resendable) {
    Requests.JsonBodyBuilder builder =
        Requests.builder().method(method).endpoint(path).query(query);
    if (body != null) {
      builder.json(body.toString());
    }
    return exchange(method, path, builder.build(), headers, resendable);
  }

  /** Sends a body that is not one JSON document (the NDJSON of {@code _bulk}). */
  private Reply sendText(String method, String path, String text) {
    Request request =
        Requests.builder()
            .method(method)
            .endpoint(path)
            .body(Body.from(text.getBytes(StandardCharsets.UTF_8), "application/x-ndjson"))
            .build();
    return exchange(method, path, request, List.of(), false);
  }

  /**
   * Sends {@code request} and reads the reply. With basic credentials, a 401 is retried once with
   * what the credentials source supplies after being told of the refusal (a rotated password): the
   * cluster rejects a request before acting on it, so the retry cannot apply anything twice.
   */
  private Reply exchange(
      String method,
      String path,
      Request request,
      List<Map.Entry<String, String>> headers,
      boolean resendable) {
    if (credentials == null) {
      return execute(method, path, via(null, headers), request, resendable);
    }
    BasicCredentials sent = currentCredentials(method, path);
    Reply reply = execute(method, path, via(sent, headers), request, resendable);
    if (reply.status() == 401) {
      credentials.refused(sent);
      BasicCredentials fresh = currentCredentials(method, path);
      if (!fresh.equals(sent)) {
        reply = execute(method, path, via(fresh, headers), request, resendable);
      }
    }
    return reply;
  }

  /**
   * The client sending these headers, and an Authorization header when {@code basic} is given. They
   * go in the transport options: both transports send those, but drop the headers of a generic
   * request (a reindex tagged that way showed {@code "headers": {}} on the engine's task list).
   */
  private OpenSearchGenericClient via(
      BasicCredentials basic, List<Map.Entry<String, String>> headers) {
    if (basic == null && headers.isEmpty()) {
      return client;
    }
    TransportOptions.Builder options =
        transport.options() == null ? TransportOptions.builder() : transport.options().toBuilder();
    headers.forEach(h -> options.addHeader(h.getKey(), h.getValue()));
    if (basic != null) {
      String token =
          Base64.getEncoder()
              .encodeToString(
                  (basic.username() + ":" + basic.password()).getBytes(StandardCharsets.UTF_8));
      options.addHeader("Authorization", "Basic " + token);
    }
    return client.withTransportOptions(options.build());
  }

  private BasicCredentials currentCredentials(String method, String path) {
    try {
      return credentials.current();
    } catch (RuntimeException e) {
      // The source's own message says what is wrong with the secret and never contains it.
      throw new SearchClusterException(
          method + " " + path + " on " + description,
          SearchClusterException.NO_RESPONSE,
          "credentials_error",
          e.getMessage(),
          e);
    }
  }

  /** Attempts of a read whose connection failed before any answer came (a stale pooled one). */
  private static final int READ_ATTEMPTS = 3;

  private Reply execute(
      String method,
      String path,
      OpenSearchGenericClient via,
      Request request,
      boolean resendable) {
    for (int attempt = 1; ; attempt++) {
      try {
        return executeOnce(method, path, via, request);
      } catch (SearchClusterException e) {
        if (attempt >= READ_ATTEMPTS
            || e.status() != SearchClusterException.NO_RESPONSE
            || !"connection_error".equals(e.errorType())
            || !resendable) {
          throw e;
        }
        // Reads change nothing, so sending one again after a lost connection is safe; writes are
        // left to their callers, which know whether a repeat is harmless.
        try {
          Thread.sleep(ThreadLocalRandom.current().nextLong(20, 60) * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Requests that only read and can be sent again when no answer came. A scroll continuation is not
   * one: the engine may have answered (and moved the scroll on) before the connection broke, so a
   * repeat returns the page after the lost one.
   */
  static boolean isRead(String method, String path) {
    if (method.equals("GET") || method.equals("HEAD")) {
      return true;
    }
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    return method.equals("POST")
        && (bare.endsWith("/_search")
            || bare.endsWith("/_count")
            || bare.endsWith("/_mget")
            || bare.endsWith("/_refresh"));
  }

  private Reply executeOnce(
      String method, String path, OpenSearchGenericClient via, Request request) {
    try (Response response = via.execute(request)) {
      return new Reply(response.getStatus(), parse(response.getBody()));
    } catch (IOException e) {
      Optional<Reply> refused = refusal(e);
      if (refused.isPresent()) {
        return refused.get();
      }
      throw new SearchClusterException(
          method + " " + path + " on " + description,
          SearchClusterException.NO_RESPONSE,
          "connection_error",
          String.valueOf(e.getMessage()),
          e);
    } catch (RuntimeException e) {
      // Transports fail before sending with unchecked exceptions of their own, e.g. the AWS SDK
      // when credentials cannot be loaded for signing. Callers only need to know no response came.
      throw new SearchClusterException(
          method + " " + path + " on " + description,
          SearchClusterException.NO_RESPONSE,
          "client_error",
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * The HTTP transport turns 401 and 403 into exceptions instead of responses; they are answers all
   * the same (a refused password, a missing permission), not a lost connection.
   */
  private static Optional<Reply> refusal(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseException refused) {
        // Its message is the status line and the cluster's answer (never the request's headers).
        JsonNode body = NODES.textNode(String.valueOf(refused.getMessage()));
        return Optional.of(new Reply(refused.status(), body));
      }
    }
    return Optional.empty();
  }

  private static JsonNode parse(Optional<Body> body) throws IOException {
    if (body.isEmpty()) {
      return NullNode.instance;
    }
    try (Body b = body.get();
        InputStream in = b.body()) {
      return parseBytes(in.readAllBytes());
    }
  }

  private static JsonNode parseBytes(byte[] bytes) {
    if (bytes.length == 0) {
      return NullNode.instance;
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException notJson) {
      // Proxies and load balancers answer errors in HTML or plain text.
      return NODES.textNode(new String(bytes, StandardCharsets.UTF_8));
    }
  }

  private JsonNode expectOk(String operation, Reply reply) {
    if (reply.isSuccess()) {
      return reply.body();
    }
    throw error(operation, reply);
  }

  private SearchClusterException error(String operation, Reply reply) {
    JsonNode error = reply.body().path("error");
    String type;
    String reason;
    if (error.isObject()) {
      type = error.path("type").asText("unknown_error");
      reason = error.path("reason").asText("");
    } else if (error.isTextual()) {
      type = "http_" + reply.status();
      reason = error.textValue();
    } else {
      type = "http_" + reply.status();
      reason = reply.body().isTextual() ? reply.body().textValue() : "no error details";
    }
    return new SearchClusterException(
        operation + " on " + description, reply.status(), type, reason);
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
