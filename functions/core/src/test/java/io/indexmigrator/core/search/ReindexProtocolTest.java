package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.search.ReindexRequest.RemoteSource;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Request bodies and task responses of {@code _reindex}; responses recorded from OpenSearch 2.19.
 */
class ReindexProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void runningTask_reportsLiveCounters() throws IOException {
    ReindexTaskStatus status =
        OpenSearchCluster.taskStatus("n:1014", recorded("task-running.json"));

    assertThat(status.completed()).isFalse();
    assertThat(status.total()).isEqualTo(7);
    assertThat(status.created()).isEqualTo(1);
    assertThat(status.batches()).isEqualTo(1);
    assertThat(status.cancelled()).isFalse();
    assertThat(status.succeeded()).isFalse();
  }

  @Test
  void completedTask_withDocumentFailure_isNotASuccess() throws IOException {
    ReindexTaskStatus status =
        OpenSearchCluster.taskStatus("n:975", recorded("task-completed-with-failure.json"));

    assertThat(status.completed()).isTrue();
    assertThat(status.created()).isEqualTo(6);
    assertThat(status.batches()).isEqualTo(4);
    assertThat(status.processed()).isEqualTo(6);
    assertThat(status.error()).isNull();
    assertThat(status.failures())
        .containsExactly(
            "cap-dst/bad: mapper_parsing_exception: failed to parse field [n] of type [long] in"
                + " document with id 'bad'. Preview of field's value: 'x' (caused by"
                + " illegal_argument_exception: For input string: \"x\")");
    assertThat(status.succeeded()).isFalse();
  }

  @Test
  void cancelledTask_isRecognised() throws IOException {
    ReindexTaskStatus status =
        OpenSearchCluster.taskStatus("n:1014", recorded("task-cancelled.json"));

    assertThat(status.completed()).isTrue();
    assertThat(status.cancelled()).isTrue();
    assertThat(status.failures()).isEmpty();
    assertThat(status.succeeded()).isFalse();
  }

  @Test
  void failedTask_carriesTheTaskError() throws IOException {
    ReindexTaskStatus status = OpenSearchCluster.taskStatus("n1:7", recorded("task-failed.json"));

    assertThat(status.error())
        .isEqualTo(
            "index_not_found_exception: no such index [gone] (caused by"
                + " resource_not_found_exception: gone)");
    assertThat(status.succeeded()).isFalse();
  }

  @Test
  void requestBody_carriesSliceScriptPipelineAndRemote() throws IOException {
    ObjectNode params = (ObjectNode) JSON.readTree("{\"tag\": \"v2\"}");
    ReindexRequest request =
        ReindexRequest.builder("src", "dst")
            .slice(2, 5)
            .batchSize(250)
            .script("ctx._source.tag = params.tag", "painless", params)
            .pipeline("clean")
            .remote(new RemoteSource("http://old:9200", "u", "p"))
            .opType("create")
            .proceedOnConflicts(true)
            .build();

    assertThat(OpenSearchCluster.reindexBody(request))
        .isEqualTo(
            JSON.readTree(
                """
                {"conflicts": "proceed",
                 "source": {"index": "src", "size": 250, "slice": {"id": 2, "max": 5},
                            "remote": {"host": "http://old:9200", "username": "u", "password": "p"}},
                 "dest": {"index": "dst", "pipeline": "clean", "op_type": "create"},
                 "script": {"source": "ctx._source.tag = params.tag", "lang": "painless",
                            "params": {"tag": "v2"}}}
                """));
    assertThat(request.remote().toString()).doesNotContain("=p]");
  }

  @Test
  void singleSlice_meansNoSliceClause() {
    ReindexRequest request = ReindexRequest.builder("src", "dst").slice(0, 1).build();

    assertThat(OpenSearchCluster.reindexBody(request).at("/source/slice").isMissingNode()).isTrue();
  }

  @Test
  void invalidSlicing_isRefused() {
    assertThatThrownBy(() -> ReindexRequest.builder("s", "d").slice(3, 3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 <= id < max");
    assertThatThrownBy(
            () -> ReindexRequest.builder("s", "d").slice(0, 2).automaticSlices(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be combined");
  }

  @Test
  void retryableErrors_areThrottlingServerAndNetworkFailures() {
    assertThat(
            new SearchClusterException("x", 429, "es_rejected_execution_exception", "")
                .isRetryable())
        .isTrue();
    assertThat(new SearchClusterException("x", 503, "unavailable", "").isRetryable()).isTrue();
    assertThat(new SearchClusterException("x", 0, "connection_error", "").isRetryable()).isTrue();
    assertThat(new SearchClusterException("x", 400, "illegal_argument_exception", "").isRetryable())
        .isFalse();
    assertThat(new SearchClusterException("x", 404, "index_not_found_exception", "").isRetryable())
        .isFalse();
    assertThat(
            new SearchClusterException(
                "get settings", 404, "index_not_found_exception", "no such index [a]"))
        .hasMessage("get settings failed (HTTP 404, index_not_found_exception): no such index [a]");
  }

  private static JsonNode recorded(String name) throws IOException {
    try (InputStream in = ReindexProtocolTest.class.getResourceAsStream("/search/" + name)) {
      return JSON.readTree(in);
    }
  }
}
