package io.indexmigrator.functions.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.search.SearchClusterException;
import org.junit.jupiter.api.Test;

class CopyStepHandlerTest {

  @Test
  void aClusterThatDidNotAnswer_isRetriedByTheStateMachine() {
    SearchClusterException refused =
        new SearchClusterException(
            "GET /", SearchClusterException.NO_RESPONSE, "connection_error", "Connection refused");

    RuntimeException seen = CopyStepHandler.forStateMachine(refused);

    assertThat(seen).isInstanceOf(RetryableMigrationException.class).hasCause(refused);
    assertThat(seen.getMessage()).contains("Connection refused");
  }

  @Test
  void busyOrFailingClusters_areRetried_refusedRequestsAreNot() {
    for (int status : new int[] {429, 500, 503}) {
      assertThat(
              CopyStepHandler.forStateMachine(
                  new SearchClusterException("POST /_bulk", status, "t", "r")))
          .as("status %d", status)
          .isInstanceOf(RetryableMigrationException.class);
    }
    SearchClusterException badRequest =
        new SearchClusterException("PUT /x", 400, "mapper_parsing_exception", "bad");
    assertThat(CopyStepHandler.forStateMachine(badRequest)).isSameAs(badRequest);
  }
}
