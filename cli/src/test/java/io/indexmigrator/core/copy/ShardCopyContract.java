package io.indexmigrator.core.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.plan.Partitioning;
import io.indexmigrator.core.search.ClusterEndpoint;
import io.indexmigrator.core.search.OpenSearchCluster;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.SearchCluster.BulkItemResult;
import io.indexmigrator.core.search.SearchCluster.BulkWrite;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.search.ShardPages.ShardPage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ShardCopy} from a real source cluster into a real destination cluster. A subclass names
 * the two engines and whether the source is read through a point in time.
 *
 * <p>The source index (4 shards, {@value #DOCS} documents, a third with custom routing, some
 * updated to versions 2 and 3, one whose {@code n} the destination cannot take) is loaded once per
 * class; every test copies it into a destination index of its own and compares the two document by
 * document: ids, sources, versions and routing. Indexes are named after a random run id and deleted
 * at the end.
 */
abstract class ShardCopyContract {
  static final int DOCS = 20_000;
  static final int SHARDS = 4;
  static final String UNPARSABLE = "bad-n";
  private static final int PAGE = 500;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String sourceUrl;
  private static String destinationUrl;
  static OpenSearchCluster source;
  static OpenSearchCluster destination;
  static String run;
  static String sourceIndex;
  private static boolean pointInTime;
  private static Map<String, Doc> expected;

  private ShardCopy copy = copyInto(destination);

  private static ShardCopy copyInto(SearchCluster destination) {
    return new ShardCopy(
        source,
        destination,
        new ShardCopy.Options(
            PAGE, Duration.ofMinutes(2), 5, Duration.ofMillis(50), Duration.ofSeconds(1)),
        Clock.systemUTC(),
        Sleeper.system(),
        new Random(7));
  }

  /**
   * The destination, except that the process dies (an unchecked exception no copy code expects)
   * when {@code dies} says so before a bulk: a page has been read but not written.
   */
  private static SearchCluster dyingBefore(java.util.function.BooleanSupplier dies) {
    return (SearchCluster)
        java.lang.reflect.Proxy.newProxyInstance(
            SearchCluster.class.getClassLoader(),
            new Class<?>[] {SearchCluster.class},
            (proxy, method, args) -> {
              if (method.getName().equals("bulk") && dies.getAsBoolean()) {
                throw new IllegalStateException("process died");
              }
              try {
                return method.invoke(destination, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** A document as a full read of an index returns it. */
  record Doc(String routing, long version, JsonNode source) {}

  /** Called by each subclass's {@code @BeforeAll}: connects and loads the source index. */
  static void start(URI sourceUri, URI destinationUri, boolean readThroughPointInTime)
      throws Exception {
    sourceUrl = sourceUri.toString().replaceAll("/$", "");
    destinationUrl = destinationUri.toString().replaceAll("/$", "");
    source = OpenSearchCluster.connect(ClusterEndpoint.of(sourceUrl));
    destination = OpenSearchCluster.connect(ClusterEndpoint.of(destinationUrl));
    pointInTime = readThroughPointInTime;
    run = "copy-" + UUID.randomUUID().toString().substring(0, 8);
    sourceIndex = run + "-src";
    loadSource();
    expected = readAll(sourceUrl, sourceIndex);
    assertThat(expected).hasSize(DOCS + 1);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    for (String url : List.of(sourceUrl, destinationUrl)) {
      raw(url, "DELETE", "/" + run + "-*", null);
    }
    source.close();
    destination.close();
  }

  private static void loadSource() throws Exception {
    source.createIndex(
        sourceIndex,
        json("{\"index\":{\"number_of_shards\":" + SHARDS + ",\"number_of_replicas\":0}}"),
        // Keyword in the source, long in the destination: "abc" is fine here only.
        json("{\"properties\":{\"n\":{\"type\":\"keyword\"},\"text\":{\"type\":\"text\"}}}"));
    List<BulkWrite> writes = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      String routing = i % 3 == 0 ? "tenant-" + (i % 11) : null;
      writes.add(BulkWrite.index("doc-" + i, routing, sourceOf(i, 1), null));
      if (writes.size() == 1000) {
        write(source, sourceIndex, writes);
      }
    }
    writes.add(BulkWrite.index(UNPARSABLE, null, "{\"n\":\"abc\",\"text\":\"refused\"}", null));
    write(source, sourceIndex, writes);
    // Updates give versions 2 and 3, so copying the version is seen to happen.
    for (int round = 2; round <= 3; round++) {
      for (int i = 0; i < DOCS; i += round * 7) {
        String routing = i % 3 == 0 ? "tenant-" + (i % 11) : null;
        writes.add(BulkWrite.index("doc-" + i, routing, sourceOf(i, round), null));
        if (writes.size() == 1000) {
          write(source, sourceIndex, writes);
        }
      }
      write(source, sourceIndex, writes);
    }
    source.refresh(sourceIndex);
  }

  private static String sourceOf(int i, int round) {
    return "{\"n\":"
        + (i * 10 + round)
        + ",\"i\":"
        + i
        + ",\"text\":\"document "
        + i
        + " round "
        + round
        + "\"}";
  }

  private static void write(OpenSearchCluster cluster, String index, List<BulkWrite> writes) {
    for (BulkItemResult result : cluster.bulk(index, writes)) {
      assertThat(result.succeeded()).as(result.toString()).isTrue();
    }
    writes.clear();
  }

  private String destinationIndex(String name) {
    String index = run + "-" + name;
    destination.createIndex(
        index,
        json("{\"index\":{\"number_of_shards\":2,\"number_of_replicas\":0}}"),
        json("{\"properties\":{\"n\":{\"type\":\"long\"},\"text\":{\"type\":\"text\"}}}"));
    return index;
  }

  private WorkItem item(int shard, String destinationIndex) {
    return new WorkItem(sourceIndex, shard, SHARDS, destinationIndex, pointInTime);
  }

  /** Saves in memory and collects refusals; can die after a number of saves. */
  static final class StoredCheckpoints implements Checkpoints {
    final List<ReaderCursor> saved = new ArrayList<>();
    final Map<String, RefusedDocument> refused = new TreeMap<>();
    int dieAfterSaves = Integer.MAX_VALUE;

    @Override
    public void save(ReaderCursor cursor) {
      if (saved.size() >= dieAfterSaves) {
        throw new IllegalStateException("process died");
      }
      saved.add(ReaderCursor.fromJson(cursor.toJson()));
    }

    @Override
    public void refused(List<RefusedDocument> documents) {
      documents.forEach(d -> refused.put(d.index() + "/" + d.id(), d));
    }

    Optional<ReaderCursor> last() {
      return saved.isEmpty() ? Optional.empty() : Optional.of(saved.getLast());
    }
  }

  /**
   * Works an item call after call until it finishes, each call starting from the cursor the last
   * one saved, as a state machine does; {@code between} may interfere before each call.
   */
  private List<Outcome> copyShard(
      WorkItem item,
      Duration budget,
      StoredCheckpoints checkpoints,
      BiFunction<Integer, Optional<ReaderCursor>, Void> between) {
    List<Outcome> outcomes = new ArrayList<>();
    for (int call = 0; ; call++) {
      assertThat(call).as("calls for " + item).isLessThan(500);
      Optional<ReaderCursor> from = checkpoints.last();
      between.apply(call, from);
      Outcome outcome;
      try {
        outcome = copy.work(item, from, budget, checkpoints);
      } catch (IllegalStateException died) {
        checkpoints.dieAfterSaves = Integer.MAX_VALUE;
        continue;
      }
      outcomes.add(outcome);
      if (outcome.finished()) {
        return outcomes;
      }
    }
  }

  private static final BiFunction<Integer, Optional<ReaderCursor>, Void> UNDISTURBED =
      (call, cursor) -> null;

  /** The destination holds every source document as it is in the source, the refused one aside. */
  private void assertCopiedExactly(String destinationIndex, Map<String, RefusedDocument> refused) {
    destination.refresh(destinationIndex);
    Map<String, Doc> copied = readAll(destinationUrl, destinationIndex);
    Map<String, Doc> wanted = new TreeMap<>(expected);
    wanted.remove(UNPARSABLE);
    assertThat(copied.keySet()).containsExactlyInAnyOrderElementsOf(wanted.keySet());
    wanted.forEach((id, doc) -> assertThat(copied.get(id)).as(id).isEqualTo(doc));
    assertThat(refused).containsOnlyKeys(destinationIndex + "/" + UNPARSABLE);
    RefusedDocument bad = refused.get(destinationIndex + "/" + UNPARSABLE);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorType()).isEqualTo("mapper_parsing_exception");
    assertThat(bad.reason()).contains("[n]");
  }

  /** Counters of the final pass over each shard add up to the source's documents, once each. */
  private static void assertCountedOnce(List<ReaderCursor> finals) {
    long read = finals.stream().mapToLong(ReaderCursor::read).sum();
    long settled =
        finals.stream().mapToLong(c -> c.written() + c.versionConflicts() + c.refused()).sum();
    assertThat(read).isEqualTo(DOCS + 1);
    assertThat(settled).isEqualTo(DOCS + 1);
    assertThat(finals.stream().mapToLong(ReaderCursor::refused).sum()).isEqualTo(1);
  }

  @Test
  void theSource_isReadTheWayTheEngineAllows() {
    assertThat(source.supportsPointInTime()).isEqualTo(pointInTime);
    assertThat(source.primaryShardCount(sourceIndex)).isEqualTo(SHARDS);
  }

  @Test
  void everyShard_isCopiedExactly_overManyCallsOfOnePageEach() {
    String index = destinationIndex("tiny-budget");
    StoredCheckpoints checkpoints = new StoredCheckpoints();
    List<ReaderCursor> finals = new ArrayList<>();
    int calls = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      StoredCheckpoints perShard = new StoredCheckpoints();
      List<Outcome> outcomes = copyShard(item(shard, index), Duration.ZERO, perShard, UNDISTURBED);
      calls += outcomes.size();
      assertThat(outcomes).allMatch(o -> o.restartReason() == null);
      finals.add(outcomes.getLast().cursor());
      checkpoints.refused.putAll(perShard.refused);
    }

    assertThat(calls).isGreaterThan(DOCS / PAGE);
    assertCountedOnce(finals);
    assertCopiedExactly(index, checkpoints.refused);
  }

  @Test
  void rangesOfAField_splitEachShard_andTogetherCopyItExactly() {
    String index = destinationIndex("ranges");
    // Planned from a narrower span than the data: the open end ranges take the rest, and the
    // refused document, which has no value, goes to the first.
    Partitioning ranges = Partitioning.evenly("i", false, true, 100, DOCS - 100, 3);
    assertThat(ranges.parts()).isEqualTo(3);
    StoredCheckpoints checkpoints = new StoredCheckpoints();
    List<ReaderCursor> finals = new ArrayList<>();
    for (int shard = 0; shard < SHARDS; shard++) {
      for (int part = 0; part < ranges.parts(); part++) {
        StoredCheckpoints perItem = new StoredCheckpoints();
        WorkItem item =
            new WorkItem(sourceIndex, shard, SHARDS, index, pointInTime, ranges.query(part));
        List<Outcome> outcomes = copyShard(item, Duration.ofSeconds(30), perItem, UNDISTURBED);
        finals.add(outcomes.getLast().cursor());
        checkpoints.refused.putAll(perItem.refused);
      }
    }

    assertThat(finals).as("every item read something").allMatch(c -> c.read() > 0);
    assertCountedOnce(finals);
    assertCopiedExactly(index, checkpoints.refused);
  }

  @Test
  void aProcessDyingMidPage_isContinuedFromItsLastSave_andEndsExact() {
    String index = destinationIndex("crash");
    Map<String, RefusedDocument> refused = new TreeMap<>();
    List<ReaderCursor> finals = new ArrayList<>();
    List<String> restarts = new ArrayList<>();
    for (int shard = 0; shard < SHARDS; shard++) {
      StoredCheckpoints checkpoints = new StoredCheckpoints();
      // First death: page 4 read but not written. Second: a page written but not saved.
      int[] bulks = {0};
      copy = copyInto(dyingBefore(() -> ++bulks[0] == 4));
      List<Outcome> outcomes =
          copyShard(
              item(shard, index),
              Duration.ofMillis(300),
              checkpoints,
              (call, cursor) -> {
                if (call == 2) {
                  checkpoints.dieAfterSaves = checkpoints.saved.size() + 3;
                }
                return null;
              });
      outcomes.stream().map(Outcome::restartReason).filter(r -> r != null).forEach(restarts::add);
      finals.add(outcomes.getLast().cursor());
      refused.putAll(checkpoints.refused);
    }

    assertCopiedExactly(index, refused);
    assertCountedOnce(finals);
    if (pointInTime) {
      assertThat(restarts).as("a point in time resumes where it was").isEmpty();
    } else {
      assertThat(restarts).as("a scroll saved mid-call cannot be trusted").isNotEmpty();
    }
  }

  @Test
  void aContextRemovedBehindTheCopy_restartsTheShard_andEndsExact() {
    String index = destinationIndex("killed");
    Map<String, RefusedDocument> refused = new TreeMap<>();
    List<ReaderCursor> finals = new ArrayList<>();
    for (int shard = 0; shard < SHARDS; shard++) {
      StoredCheckpoints checkpoints = new StoredCheckpoints();
      List<Outcome> outcomes =
          copyShard(
              item(shard, index),
              Duration.ZERO,
              checkpoints,
              (call, cursor) -> {
                if (call == 3) {
                  removeContext(cursor.orElseThrow());
                }
                return null;
              });
      assertThat(outcomes.get(3).restartReason()).contains("gone on the source");
      finals.add(outcomes.getLast().cursor());
      refused.putAll(checkpoints.refused);
    }

    assertCountedOnce(finals);
    assertCopiedExactly(index, refused);
  }

  @Test
  void aNewerDocumentInTheDestination_isNotOverwritten() {
    String index = destinationIndex("newer");
    String id = "doc-42";
    write(
        destination,
        index,
        new ArrayList<>(List.of(BulkWrite.index(id, "tenant-9", "{\"n\":-1}", 1000L))));
    Map<String, RefusedDocument> refused = new TreeMap<>();
    long conflicts = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      StoredCheckpoints checkpoints = new StoredCheckpoints();
      conflicts +=
          copyShard(item(shard, index), Duration.ofMinutes(5), checkpoints, UNDISTURBED)
              .getLast()
              .cursor()
              .versionConflicts();
      refused.putAll(checkpoints.refused);
    }

    assertThat(conflicts).isEqualTo(1);
    destination.refresh(index);
    Map<String, Doc> copied = readAll(destinationUrl, index);
    assertThat(copied.get(id).version()).isEqualTo(1000);
    assertThat(copied.get(id).source()).isEqualTo(json("{\"n\":-1}"));
    assertThat(copied).hasSize(DOCS);
    assertThat(refused).containsOnlyKeys(index + "/" + UNPARSABLE);
  }

  @Test
  void aLostContext_isReportedAsLost() {
    ShardPage first = source.openScroll(sourceIndex, 0, 10, Duration.ofMinutes(1));
    source.clearScroll(first.contextId());
    source.clearScroll(first.contextId());

    SearchClusterException scroll =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            SearchClusterException.class,
            () -> source.nextScroll(first.contextId(), Duration.ofMinutes(1)));

    assertThat(scroll.contextLost()).isTrue();
    assertThat(scroll.status()).isEqualTo(404);
    assertThat(scroll.reason()).contains("search_context_missing_exception");
    if (pointInTime) {
      String pit = source.openPointInTime(sourceIndex, 1, Duration.ofMinutes(1));
      source.closePointInTime(pit);
      source.closePointInTime(pit);
      SearchClusterException page =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              SearchClusterException.class,
              () -> source.pointInTimePage(pit, 0, 1, null, 10, Duration.ofMinutes(1)));
      assertThat(page.contextLost()).isTrue();
      assertThat(page.status()).isEqualTo(404);
    }
  }

  @Test
  void slicesOfAWholeIndexPointInTime_areItsShards() {
    assumeTrue(pointInTime, "no point in time on this engine");
    String pit = source.openPointInTime(sourceIndex, Duration.ofMinutes(1));
    try {
      for (int shard = 0; shard < SHARDS; shard++) {
        List<String> bySlice = new ArrayList<>();
        String after = null;
        for (ShardPage page = null; page == null || !page.isEmpty(); ) {
          page = source.pointInTimePage(pit, shard, SHARDS, after, 2000, Duration.ofMinutes(1));
          pit = page.contextId();
          after = page.lastSortJson();
          page.documents().forEach(d -> bySlice.add(d.id()));
        }
        List<String> byScroll = new ArrayList<>();
        ShardPage page = source.openScroll(sourceIndex, shard, 2000, Duration.ofMinutes(1));
        while (!page.isEmpty()) {
          page.documents().forEach(d -> byScroll.add(d.id()));
          page = source.nextScroll(page.contextId(), Duration.ofMinutes(1));
        }
        source.clearScroll(page.contextId());

        assertThat(bySlice).as("slice " + shard).hasSameSizeAs(byScroll);
        assertThat(bySlice).as("slice " + shard).containsExactlyInAnyOrderElementsOf(byScroll);
      }
    } finally {
      source.closePointInTime(pit);
    }
  }

  /** Removes a scroll or point in time with a request of its own, as an operator could. */
  private static void removeContext(ReaderCursor cursor) {
    ObjectNode body = JSON.createObjectNode();
    String path;
    if (cursor.kind() == ReaderCursor.Kind.SCROLL) {
      body.putArray("scroll_id").add(cursor.contextId());
      path = "/_search/scroll";
    } else {
      body.putArray("pit_id").add(cursor.contextId());
      path = "/_search/point_in_time";
    }
    JsonNode reply = raw(sourceUrl, "DELETE", path, body.toString());
    assertThat(reply.toString()).containsAnyOf("\"num_freed\":1", "\"successful\":true");
  }

  /** Every document of an index, by id, read with a scroll of its own. */
  static Map<String, Doc> readAll(String url, String index) {
    Map<String, Doc> docs = new TreeMap<>();
    JsonNode page =
        raw(
            url,
            "POST",
            "/" + index + "/_search?scroll=1m",
            "{\"size\":5000,\"version\":true,\"sort\":[\"_doc\"]}");
    String scrollId = page.path("_scroll_id").asText();
    while (page.path("hits").path("hits").size() > 0) {
      assertThat(page.path("_shards").path("failed").asInt()).isZero();
      for (JsonNode hit : page.path("hits").path("hits")) {
        JsonNode routing = hit.get("_routing");
        Doc previous =
            docs.put(
                hit.path("_id").asText(),
                new Doc(
                    routing == null ? null : routing.asText(),
                    hit.path("_version").asLong(),
                    hit.path("_source")));
        assertThat(previous).as("read twice: " + hit.path("_id")).isNull();
      }
      scrollId = page.path("_scroll_id").asText(scrollId);
      page =
          raw(
              url,
              "POST",
              "/_search/scroll",
              "{\"scroll\":\"1m\",\"scroll_id\":\"" + scrollId + "\"}");
    }
    raw(url, "DELETE", "/_search/scroll", "{\"scroll_id\":[\"" + scrollId + "\"]}");
    return docs;
  }

  static JsonNode raw(String url, String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
