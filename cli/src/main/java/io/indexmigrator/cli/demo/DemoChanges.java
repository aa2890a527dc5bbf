package io.indexmigrator.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.events.ChangePublisher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * What the demo's application does while a migration syncs: updates and deletes records through its
 * alias, in bulks, and publishes a change event for every acknowledged item.
 */
public final class DemoChanges {
  private static final int BULK = 50;

  private final SampleIndex cluster;
  private final ChangePublisher publisher;
  private final SplittableRandom random;

  public DemoChanges(SampleIndex cluster, ChangePublisher publisher, long seed) {
    this.cluster = cluster;
    this.publisher = publisher;
    this.random = new SplittableRandom(seed);
  }

  /**
   * Makes {@code count} changes to records {@code 0..records-1} through {@code alias}: one in seven
   * a delete, the others an update of the download count.
   *
   * @return the changes the cluster acknowledged
   */
  public int apply(String alias, int records, int count) throws IOException, InterruptedException {
    int acknowledged = 0;
    for (int done = 0; done < count; done += BULK) {
      StringBuilder body = new StringBuilder();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < Math.min(BULK, count - done); i++) {
        int n = random.nextInt(records);
        String id = SampleRecords.id(n);
        if (!seen.add(id)) {
          continue;
        }
        if (random.nextInt(7) == 0) {
          body.append("{\"delete\":{\"_id\":\"").append(id).append("\"}}\n");
        } else {
          ObjectNode record = SampleRecords.record(n, 42);
          record.put("downloads", random.nextInt(100_000));
          body.append("{\"index\":{\"_id\":\"").append(id).append("\"}}\n");
          body.append(record).append('\n');
        }
      }
      JsonNode response = cluster.post("/" + alias + "/_bulk", body.toString());
      for (JsonNode item : response.path("items")) {
        JsonNode result = item.elements().next();
        if (result.path("status").asInt() < 300 || result.path("status").asInt() == 404) {
          acknowledged++;
        }
      }
      publisher.publishBulkResponse(response);
    }
    return acknowledged;
  }

  /**
   * The ids whose version or source differ between the two indexes (each on its own cluster),
   * including ids only one side has; empty when they hold the same documents.
   */
  public static List<String> differences(SampleIndex a, String indexA, SampleIndex b, String indexB)
      throws IOException, InterruptedException {
    Map<String, String> left = documents(a, indexA);
    Map<String, String> right = documents(b, indexB);
    List<String> differing = new ArrayList<>();
    for (var entry : left.entrySet()) {
      if (!Objects.equals(entry.getValue(), right.get(entry.getKey()))) {
        differing.add(entry.getKey());
      }
    }
    right.keySet().stream().filter(id -> !left.containsKey(id)).forEach(differing::add);
    return differing;
  }

  private static Map<String, String> documents(SampleIndex cluster, String index)
      throws IOException, InterruptedException {
    cluster.post("/" + index + "/_refresh", "{}");
    Map<String, String> documents = new TreeMap<>();
    JsonNode page =
        cluster.post(
            "/" + index + "/_search?scroll=1m",
            "{\"size\":2000,\"version\":true,\"sort\":[\"_doc\"]}");
    while (page.path("hits").path("hits").size() > 0) {
      for (JsonNode hit : page.path("hits").path("hits")) {
        documents.put(
            hit.path("_id").asText(), hit.path("_version").asLong() + " " + hit.path("_source"));
      }
      String scrollId = page.path("_scroll_id").asText();
      page =
          cluster.post("/_search/scroll", "{\"scroll\":\"1m\",\"scroll_id\":\"" + scrollId + "\"}");
    }
    return documents;
  }
}
