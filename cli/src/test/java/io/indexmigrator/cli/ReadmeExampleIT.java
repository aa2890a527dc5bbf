package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's "Using it" commands, exactly as written ({@code init records-v2 --file
 * examples/recipes/records-v2.yaml}, then {@code run records-v2 --wait}), on the twin's engine: the
 * recipe's painless script must really have lower-cased every {@code status}.
 */
class ReadmeExampleIT {
  private static final String RECIPE = "examples/recipes/records-v2.yaml";
  private static final int DOCS = 200;

  @Test
  void theReadmeRecipeCopiesAndTransformsTheRecords() throws Exception {
    TwinFixture twin = TwinFixture.get();
    Path recipe = Path.of("..").toAbsolutePath().normalize().resolve(RECIPE);
    assertThat(recipe).exists();
    assertThat(Files.readString(Path.of("..", "README.md")))
        .as("the commands this test runs are still the README's")
        .contains("bin/migrator init records-v2 --file " + RECIPE + " --local")
        .contains("bin/migrator run records-v2 --local --wait");
    createRecords(twin.clusterUrl);

    TwinFixture.Run init = twin.cli("init", "records-v2", "--file", recipe.toString());
    assertThat(init.exitCode()).as(init.all()).isZero();
    TwinFixture.Run run = twin.cli("run", "records-v2", "--wait");
    assertThat(run.exitCode()).as(run.all()).isZero();

    assertThat(twin.count("records-v2")).isEqualTo(DOCS);
    JsonNode upper = twin.get("/records-v2/_count?q=status:ACTIVE");
    assertThat(upper.path("count").asLong()).as("no status left upper-case").isZero();
    JsonNode lower = twin.get("/records-v2/_count?q=status:active");
    assertThat(lower.path("count").asLong()).isEqualTo(DOCS / 2);
    JsonNode doc = twin.get("/records-v2/_doc/r-1").path("_source");
    assertThat(doc.path("status").asText()).isEqualTo("archived");
    assertThat(doc.path("title").asText()).isEqualTo("record 1");
    assertThat(twin.cli("cancel", "records-v2").exitCode()).isZero();
  }

  /** The application's index behind the {@code records} alias, with upper-case statuses. */
  private static void createRecords(URI cluster) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    send(
        http,
        cluster,
        "PUT",
        "/records-v1",
        """
        {"settings": {"index": {"number_of_shards": 2, "number_of_replicas": 0}},
         "mappings": {"properties": {"title": {"type": "text"}, "status": {"type": "keyword"},
                                     "created": {"type": "date"}}},
         "aliases": {"records": {}}}
        """);
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < DOCS; i++) {
      bulk.append("{\"index\":{\"_id\":\"r-").append(i).append("\"}}\n");
      bulk.append("{\"title\":\"record ")
          .append(i)
          .append("\",\"status\":\"")
          .append(i % 2 == 0 ? "ACTIVE" : "ARCHIVED")
          .append("\",\"created\":\"2026-01-01\"}\n");
    }
    send(http, cluster, "POST", "/records-v1/_bulk?refresh=true", bulk.toString());
  }

  private static void send(HttpClient http, URI cluster, String method, String path, String body)
      throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(cluster.resolve(path))
                .header(
                    "Content-Type",
                    path.contains("_bulk") ? "application/x-ndjson" : "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as(method + " " + path + ": " + response.body())
        .isLessThan(300);
    assertThat(response.body()).doesNotContain("\"errors\":true");
  }
}
