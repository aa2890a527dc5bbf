package io.indexmigrator.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plays the application in the demo: creates the live index behind an alias, the way a search app
 * would, and fills it through {@code _bulk}. Deliberately not the product's code path.
 */
public final class SampleIndex {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BULK_SIZE = 5000;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI cluster;

  public SampleIndex(URI cluster) {
    this.cluster = cluster;
  }

  /** The first mapping: keywords and creators as analyzed text, so they cannot be faceted. */
  public static final String FIRST_MAPPING =
      """
      {"settings": {"index": {"number_of_shards": 2, "number_of_replicas": 0}},
       "mappings": {"properties": {
         "recid": {"type": "keyword"},
         "title": {"type": "text"},
         "creators": {"type": "text"},
         "publication_year": {"type": "integer"},
         "resource_type": {"type": "text"},
         "keywords": {"type": "text"},
         "doi": {"type": "text"},
         "downloads": {"type": "integer"}}},
       "aliases": {"%s": {}}}
      """;

  public boolean exists(String index) throws IOException, InterruptedException {
    return send("HEAD", "/" + index, null).statusCode() == 200;
  }

  public void delete(String index) throws IOException, InterruptedException {
    send("DELETE", "/" + index, null);
  }

  /** Deletes every index the alias points at. */
  public void deleteBehindAlias(String alias) throws IOException, InterruptedException {
    HttpResponse<String> response = send("GET", "/_alias/" + alias, null);
    if (response.statusCode() == 200) {
      for (var names = JSON.readTree(response.body()).fieldNames(); names.hasNext(); ) {
        delete(names.next());
      }
    }
  }

  public void create(String index, String alias) throws IOException, InterruptedException {
    check(send("PUT", "/" + index, FIRST_MAPPING.formatted(alias)), "create " + index);
  }

  /** Indexes records 0..count-1 (deterministic for the seed); returns the time taken in ms. */
  public long load(String index, int count, long seed) throws IOException, InterruptedException {
    long started = System.nanoTime();
    for (int from = 0; from < count; from += BULK_SIZE) {
      StringBuilder body = new StringBuilder();
      for (int n = from; n < Math.min(count, from + BULK_SIZE); n++) {
        body.append("{\"index\":{\"_id\":\"").append(SampleRecords.id(n)).append("\"}}\n");
        body.append(SampleRecords.record(n, seed)).append('\n');
      }
      HttpResponse<String> response = send("POST", "/" + index + "/_bulk", body.toString());
      check(response, "bulk into " + index);
      if (JSON.readTree(response.body()).path("errors").asBoolean()) {
        throw new IOException(
            "bulk into " + index + " had item errors: " + response.body().substring(0, 500));
      }
    }
    check(send("POST", "/" + index + "/_refresh", null), "refresh");
    return (System.nanoTime() - started) / 1_000_000;
  }

  /** Deletes one document as the application would, visible to search at once. */
  public void deleteDocument(String index, String id) throws IOException, InterruptedException {
    check(send("DELETE", "/" + index + "/_doc/" + id + "?refresh=true", null), "delete " + id);
  }

  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = send("GET", path, null);
    return JSON.readTree(response.body());
  }

  public JsonNode post(String path, String body) throws IOException, InterruptedException {
    return JSON.readTree(send("POST", path, body).body());
  }

  private HttpResponse<String> send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(cluster.resolve(path)).timeout(Duration.ofMinutes(2));
    if (body != null) {
      request.header("Content-Type", "application/x-ndjson");
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void check(HttpResponse<String> response, String what) throws IOException {
    if (response.statusCode() >= 300) {
      throw new IOException(
          what + " failed: HTTP " + response.statusCode() + " " + response.body());
    }
  }
}
