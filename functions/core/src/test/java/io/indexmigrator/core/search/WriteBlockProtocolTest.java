package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the write block is asked for and what counts as set: the add-index-block API (which waits for
 * the writes in flight), every shard confirming, and a clear refusal from an engine without the
 * API. Responses as OpenSearch 2.19 and Elasticsearch 7.4 give them.
 */
class WriteBlockProtocolTest {
  final List<String> requests = new CopyOnWriteArrayList<>();
  final AtomicReference<Answer> blockAnswer = new AtomicReference<>();
  HttpServer server;
  OpenSearchCluster cluster;

  record Answer(int status, String body) {}

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
    cluster =
        OpenSearchCluster.connect(
            new ClusterEndpoint(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                new ClusterEndpoint.Auth.None()));
  }

  @AfterEach
  void stop() {
    cluster.close();
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String path = exchange.getRequestURI().getPath();
    requests.add(exchange.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body));
    Answer answer =
        path.endsWith("/_block/write")
            ? blockAnswer.get()
            : new Answer(200, "{\"acknowledged\":true}");
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private SearchClusterException blockRefused() {
    return catchThrowableOfType(
        SearchClusterException.class, () -> cluster.setWriteBlock("records", true));
  }

  @Test
  void block_usesTheAddBlockApi_andUnblockRemovesTheSetting() {
    blockAnswer.set(
        new Answer(
            200,
            "{\"acknowledged\":true,\"shards_acknowledged\":true,"
                + "\"indices\":[{\"name\":\"records\",\"blocked\":true}]}"));

    cluster.setWriteBlock("records", true);
    cluster.setWriteBlock("records", false);

    assertThat(requests)
        .containsExactly(
            "PUT /records/_block/write", "PUT /records/_settings {\"index.blocks.write\":null}");
  }

  @Test
  void anIndexAlreadyBlocked_isBlockedAgainWithoutError() {
    // As OpenSearch 2.19 answers when the index already carries the block: nothing was added.
    blockAnswer.set(
        new Answer(200, "{\"acknowledged\":true,\"shards_acknowledged\":false,\"indices\":[]}"));

    cluster.setWriteBlock("records", true);

    assertThat(requests).containsExactly("PUT /records/_block/write");
  }

  @Test
  void aShardThatDidNotConfirm_failsTheBlock() {
    blockAnswer.set(
        new Answer(
            200,
            "{\"acknowledged\":true,\"shards_acknowledged\":false,\"indices\":[{\"name\":"
                + "\"records\",\"failed_shards\":[{\"id\":0,\"failures\":[{\"shard\":0,\"index\":"
                + "\"records\",\"status\":\"INTERNAL_SERVER_ERROR\",\"reason\":{\"type\":"
                + "\"unavailable_shards_exception\",\"reason\":\"primary not active\"}}]}]}]}"));

    SearchClusterException e = blockRefused();

    assertThat(e.errorType()).isEqualTo("block_not_verified");
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("primary not active");
  }

  @Test
  void anIndexNotBlocked_failsTheBlock() {
    blockAnswer.set(
        new Answer(
            200,
            "{\"acknowledged\":false,\"shards_acknowledged\":false,"
                + "\"indices\":[{\"name\":\"records\",\"blocked\":false}]}"));

    SearchClusterException e = blockRefused();

    assertThat(e.errorType()).isEqualTo("block_not_verified");
  }

  @Test
  void anEngineWithoutTheApi_isRefusedByName() {
    // Elasticsearch before 7.9 reads the path as a document of type "_block".
    blockAnswer.set(
        new Answer(
            400,
            "{\"error\":{\"root_cause\":[],\"type\":\"invalid_type_name_exception\",\"reason\":"
                + "\"Document mapping type name can't start with '_', found: [_block]\"},"
                + "\"status\":400}"));

    SearchClusterException e = blockRefused();

    assertThat(e.errorType()).isEqualTo("unsupported_engine");
    assertThat(e.getMessage()).contains("_block/write").contains("Elasticsearch 7.9");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void anyOtherRefusal_keepsTheEnginesReason() {
    blockAnswer.set(
        new Answer(
            404,
            "{\"error\":{\"type\":\"index_not_found_exception\",\"reason\":\"no such index"
                + " [records]\"},\"status\":404}"));

    SearchClusterException e = blockRefused();

    assertThat(e.errorType()).isEqualTo("index_not_found_exception");
  }
}
