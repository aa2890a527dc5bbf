package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.lifecycle.CopyCoordinator.PlanResult;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceItem;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceStep;
import io.indexmigrator.core.plan.Partitioning;
import io.indexmigrator.core.recipe.RecipeException;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.ClusterInfo;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.search.ReindexRequest;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.core.sync.SyncControl;
import io.indexmigrator.core.sync.poll.InMemoryPollCheckpoints;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** copy.partition: work items split by ranges of one field, for the reader and remote reindex. */
class PartitionedCopyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DOCUMENTS = 300;

  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster cluster = new InMemorySearchCluster();

  private static ObjectNode mappings(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void aFourShardSource(InMemorySearchCluster on) {
    on.withIndex(
        "records-v1",
        4,
        mappings(
            "{\"properties\":{\"n\":{\"type\":\"long\"},\"title\":{\"type\":\"keyword\"},"
                + "\"meta\":{\"properties\":{\"at\":{\"type\":\"date\"}}}}}"));
    for (int i = 0; i < DOCUMENTS; i++) {
      // Every tenth document has no value: the first range takes those.
      on.withDocument(
          "records-v1", "r" + i, i % 10 == 0 ? "{\"title\":\"t\"}" : "{\"n\":" + i + "}");
    }
  }

  private SliceStep runToEnd(CopyCoordinator copy, SliceItem item) {
    SliceStep step = copy.startSlice(item);
    while (!step.finished()) {
      step = copy.pollSlice(item, step.polls());
    }
    return step;
  }

  @Test
  void theReader_copiesEachShardInRanges_everyDocumentOnce_includingThoseWrittenAfterInit() {
    aFourShardSource(cluster);
    Lifecycle lifecycle = new Lifecycle(store, cluster, cluster, Clock.systemUTC());
    InitReport report =
        new Initializer(lifecycle)
            .init(
                new RecipeLoader()
                    .parse(
                        """
                        name: r
                        indexes: [{source: records-v1, destination: records-v2}]
                        copy: {mode: reader, batchSize: 7, partition: {field: n, parts: 3}}
                        """),
                false);
    assertThat(report.indexes().get(0).slices()).as("4 shards x 3 ranges").isEqualTo(12);
    IndexRecord index = store.listIndexes(new RecipeRef("r", 1)).get(0);
    assertThat(Partitioning.fromJson(index.partitionJson()).boundaries())
        .extracting(b -> b.toPlainString())
        .as("values 1..299 in three equal ranges")
        .containsExactly("101", "200");
    // Written after the ranges were fixed: below the lowest and above the highest value seen.
    cluster.withDocument("records-v1", "low", "{\"n\":-5}");
    cluster.withDocument("records-v1", "high", "{\"n\":99999}");

    CopyCoordinator copy = ReaderCopies.onePagePerStep(lifecycle);
    List<SliceItem> items = new java.util.ArrayList<>();
    PlanResult plan = copy.plan("r", 0, "arn:execution:1");
    assertThat(plan.items()).as("a round holds at most the Map's concurrency").hasSize(8);
    for (int round = 1; ; round++) {
      items.addAll(plan.items());
      plan.items().forEach(item -> assertThat(runToEnd(copy, item).status()).isEqualTo("DONE"));
      if (copy.copyRoundsOver("r", plan.generation())) {
        break;
      }
      plan = copy.plan("r", round, "arn:execution:1");
    }
    assertThat(items)
        .extracting(SliceItem::sliceId)
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(copy.finishCopy("r", plan.generation()))
        .containsEntry("docsCopied", (long) DOCUMENTS + 2);
    long created =
        store.listSlices(new RecipeRef("r", 1)).stream()
            .mapToLong(s -> s.progress().created())
            .sum();
    long conflicts =
        store.listSlices(new RecipeRef("r", 1)).stream()
            .mapToLong(s -> s.progress().versionConflicts())
            .sum();
    assertThat(created).as("no document copied by two items").isEqualTo(DOCUMENTS + 2);
    assertThat(conflicts).isZero();
    for (String id : List.of("r0", "r1", "r150", "r299", "low", "high")) {
      assertThat(cluster.document("records-v2", id)).isEqualTo(cluster.document("records-v1", id));
    }
    assertThat(cluster.count("records-v2")).isEqualTo(DOCUMENTS + 2);
    assertThat(cluster.openScrolls()).isZero();
    // Item 5 is range 2 of shard 1: it read only that shard's documents from 200 up.
    SliceRecord five =
        store
            .getSlice(items.stream().filter(i -> i.sliceId() == 5).findFirst().orElseThrow().key())
            .orElseThrow();
    long expected =
        java.util.stream.IntStream.range(0, DOCUMENTS)
                .filter(i -> i % 10 != 0 && i >= 200)
                .filter(i -> InMemorySearchCluster.shardOf("r" + i, 4) == 1)
                .count()
            + (InMemorySearchCluster.shardOf("high", 4) == 1 ? 1 : 0);
    assertThat(five.progress().total()).isEqualTo(expected);
  }

  @Test
  void aRemoteReindex_runsOneTaskPerRange_eachWithItsQuery() {
    InMemorySearchCluster source =
        new InMemorySearchCluster()
            .withInfo(new ClusterInfo("old", "u", ClusterInfo.ELASTICSEARCH, "7.10.2"))
            .withRemoteHost("http://old-es:9200");
    aFourShardSource(source);
    Lifecycle lifecycle =
        new Lifecycle(
            store,
            Clusters.of(Map.of("default", cluster, "old-es", source)),
            Clock.systemUTC(),
            SyncControl.NONE,
            new InMemoryPollCheckpoints());
    new Initializer(lifecycle)
        .init(
            new RecipeLoader()
                .parse(
                    """
                    name: up
                    source: {cluster: old-es}
                    indexes: [{source: records-v1, destination: records-os}]
                    copy: {mode: remote-reindex, partition: {field: meta.at, parts: 4}}
                    """),
            false);
    // No document has meta.at: one range, one task, as without a partition.
    assertThat(store.listSlices(new RecipeRef("up", 1))).hasSize(1);

    CopyCoordinator copy =
        new CopyCoordinator(
            lifecycle, ReaderCopyEngine.standard(lifecycle), ConcurrentReads.IN_TURN);
    InitReport report =
        new Initializer(lifecycle)
            .init(
                new RecipeLoader()
                    .parse(
                        """
                        name: up2
                        source: {cluster: old-es}
                        indexes: [{source: records-v1, destination: records-os2}]
                        copy: {mode: remote-reindex, partition: {field: n, parts: 4}}
                        """),
                false);
    assertThat(report.indexes().get(0).slices()).isEqualTo(4);

    PlanResult plan = copy.plan("up2", 0, "arn:execution:2");
    plan.items().forEach(copy::startSlice);

    List<ReindexRequest> tasks =
        cluster.startedTasks().stream().map(InMemorySearchCluster.StartedTask::request).toList();
    assertThat(tasks).hasSize(4);
    assertThat(tasks)
        .allSatisfy(t -> assertThat(t.remote().host()).isEqualTo("http://old-es:9200"));
    assertThat(tasks).allSatisfy(t -> assertThat(t.sliceId()).isNull());
    assertThat(tasks.get(1).query().toString())
        .isEqualTo("{\"range\":{\"n\":{\"gte\":76,\"lt\":150}}}");
    assertThat(tasks.get(3).query().toString()).isEqualTo("{\"range\":{\"n\":{\"gte\":225}}}");
    assertThat(tasks.get(0).query().toString()).contains("must_not");
  }

  @Test
  void aFieldThatIsNotANumberOrDate_orNotMapped_isRefusedAtInit_andNothingIsWritten() {
    aFourShardSource(cluster);
    Lifecycle lifecycle = new Lifecycle(store, cluster, cluster, Clock.systemUTC());
    for (String field : List.of("title", "missing", "meta")) {
      Throwable thrown =
          catchThrowable(
              () ->
                  new Initializer(lifecycle)
                      .init(
                          new RecipeLoader()
                              .parse(
                                  "name: r\n"
                                      + "indexes: [{source: records-v1, destination: records-v2}]\n"
                                      + "copy: {mode: reader, partition: {field: "
                                      + field
                                      + ", parts: 3}}\n"),
                          false));
      assertThat(thrown).isInstanceOf(RecipeException.class);
      assertThat(thrown.getMessage())
          .contains("copy.partition.field")
          .contains("'" + field + "'")
          .contains("needs a numeric or date field");
    }
    assertThat(cluster.indexExists("records-v2")).isFalse();
    assertThat(store.listRecipes()).isEmpty();
  }
}
