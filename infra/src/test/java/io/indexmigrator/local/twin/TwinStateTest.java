package io.indexmigrator.local.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwinStateTest {
  @TempDir Path dir;

  private static TwinState state(Map<String, String> endpoints) {
    return new TwinState(
        1, "us-east-1", "t", endpoints, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
  }

  @Test
  void environment_shouldPointTheSdkAtSsmAndEventBridge() {
    Map<String, String> env =
        state(
                Map.of(
                    "dynamodb", "http://127.0.0.1:1",
                    "sqs", "http://127.0.0.1:2",
                    "lambda", "http://127.0.0.1:3",
                    "stepfunctions", "http://127.0.0.1:4",
                    "ssm", "http://127.0.0.1:5",
                    "events", "http://127.0.0.1:5"))
            .environment();

    assertThat(env)
        .containsEntry("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:5")
        .containsEntry("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://127.0.0.1:5");
  }

  @Test
  void environment_shouldLeaveThemOut_forAStateFileFromAnOlderTwin() throws IOException {
    Files.writeString(
        TwinState.file(dir),
        """
        {"pid": 1, "region": "us-east-1", "stackName": "t",
         "endpoints": {"dynamodb": "http://127.0.0.1:1", "sqs": "http://127.0.0.1:2",
                       "lambda": "http://127.0.0.1:3", "stepfunctions": "http://127.0.0.1:4"},
         "clusters": {}, "tables": {}, "queues": {}, "stateMachines": {}, "functions": {}}
        """);

    Map<String, String> env = TwinState.read(dir).orElseThrow().environment();

    assertThat(env)
        .containsEntry("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:2")
        .doesNotContainKeys("AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_EVENTBRIDGE")
        .doesNotContainValue(null);
  }
}
