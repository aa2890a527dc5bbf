package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeException;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.ClusterInfo;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.InMemorySearchCluster;
import io.indexmigrator.core.state.InMemoryStateStore;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.sync.SyncControl;
import io.indexmigrator.core.sync.poll.InMemoryPollCheckpoints;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** init of a recipe whose source lives on another named cluster. */
class InitializerCrossClusterTest {
  static final ObjectMapper JSON = new ObjectMapper();

  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemorySearchCluster destination = new InMemorySearchCluster();
  private final InMemorySearchCluster source =
      new InMemorySearchCluster()
          .withInfo(new ClusterInfo("old", "u", ClusterInfo.ELASTICSEARCH, "7.10.2"));
  private Initializer initializer;

  @BeforeEach
  void anOldClusterWithAnIndex() throws Exception {
    ObjectNode settings =
        (ObjectNode)
            JSON.readTree(
                """
                {"index.number_of_shards": "2", "index.number_of_replicas": "1",
                 "index.uuid": "u1", "index.creation_date": "1600000000000",
                 "index.provided_name": "records", "index.version.created": "7100299",
                 "index.routing.allocation.require.box_type": "hot",
                 "index.lifecycle.name": "old-policy",
                 "index.analysis.analyzer.folded.type": "custom",
                 "index.analysis.analyzer.folded.tokenizer": "standard"}
                """);
    source.withIndex(
        "records",
        settings,
        (ObjectNode) JSON.readTree("{\"properties\": {\"title\": {\"type\": \"text\"}}}"));
    for (int i = 0; i < 3; i++) {
      source.withDocument("records", "r" + i, "{\"title\":\"t" + i + "\"}");
    }
    initializer = new Initializer(lifecycle());
  }

  private Lifecycle lifecycle() {
    return new Lifecycle(
        store,
        Clusters.of(Map.of("default", destination, "old-es", source)),
        Clock.systemUTC(),
        SyncControl.NONE,
        new InMemoryPollCheckpoints());
  }

  private static Recipe recipe(String yaml) {
    return new RecipeLoader().parse(yaml);
  }

  private static final String CROSS =
      "name: up\nsource: {cluster: old-es}\nindexes: [{source: records, destination: records-os}]\n";

  @Test
  void plansOnTheSource_createsOnTheDestination_andLeavesTheSourceAlone() {
    InitReport report = initializer.init(recipe(CROSS), false);

    assertThat(destination.indexExists("records-os")).isTrue();
    assertThat(source.indexExists("records-os")).isFalse();
    assertThat(destination.getMappings("records-os").at("/properties/title/type").asText())
        .isEqualTo("text");
    ObjectNode created = destination.getSettings("records-os");
    assertThat(created.path("index.number_of_shards").asText()).isEqualTo("2");
    assertThat(created.path("index.analysis.analyzer.folded.tokenizer").asText())
        .isEqualTo("standard");
    assertThat(created.properties())
        .extracting(Map.Entry::getKey)
        .noneMatch(k -> k.startsWith("index.routing.allocation.require."))
        .noneMatch(k -> k.startsWith("index.lifecycle."))
        .doesNotContain("index.uuid", "index.creation_date", "index.provided_name")
        .noneMatch(k -> k.startsWith("index.version."));
    assertThat(report.indexes())
        .singleElement()
        .satisfies(i -> assertThat(i.docsTotal()).isEqualTo(3));
    List<IndexRecord> indexes = store.listIndexes(store.getRecipe("up").orElseThrow().ref());
    assertThat(indexes).singleElement().satisfies(i -> assertThat(i.source()).isEqualTo("records"));
    assertThat(store.getRecipe("up").orElseThrow().document()).contains("\"old-es\"");
    assertThat(source.getSettings("records").path("index.blocks.write").asBoolean(false)).isFalse();
  }

  @Test
  void anUnknownCluster_isRefusedListingTheKnownOnes_andNothingIsWritten() {
    Throwable e =
        catchThrowable(
            () ->
                initializer.init(
                    recipe(
                        "name: up\nsource: {cluster: elsewhere}\nindexes: [{source: records}]\n"),
                    false));

    assertThat(e)
        .isInstanceOf(RecipeException.class)
        .hasMessageContaining("source.cluster: no cluster named 'elsewhere'")
        .hasMessageContaining("'default', 'old-es'");
    assertNothingWritten();
  }

  @Test
  void aDestinationOtherThanTheDefault_isNotSupportedYet() {
    Throwable e =
        catchThrowable(
            () ->
                initializer.init(
                    recipe(
                        "name: up\nsource: {cluster: default}\ndestination: {cluster: old-es}\n"
                            + "indexes: [{source: records}]\ncopy: {mode: reader}\n"),
                    false));

    assertThat(e)
        .isInstanceOf(RecipeException.class)
        .hasMessageContaining("destination.cluster: 'old-es': only 'default'");
    assertNothingWritten();
  }

  @Test
  void aDowngrade_isRefusedNamingBothEngines() {
    source.withInfo(new ClusterInfo("old", "u", ClusterInfo.OPENSEARCH, "2.19.6"));
    destination.withInfo(new ClusterInfo("new", "u", ClusterInfo.OPENSEARCH, "1.3.20"));

    Throwable e = catchThrowable(() -> initializer.init(recipe(CROSS), false));

    assertThat(e)
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("opensearch 2.19.6 (source)")
        .hasMessageContaining("opensearch 1.3.20 (destination)");
    assertNothingWritten();
  }

  @Test
  void openSearchToElasticsearch_isRefused() {
    source.withInfo(new ClusterInfo("old", "u", ClusterInfo.OPENSEARCH, "1.3.20"));
    destination.withInfo(new ClusterInfo("new", "u", ClusterInfo.ELASTICSEARCH, "7.10.2"));

    assertThat(catchThrowable(() -> initializer.init(recipe(CROSS), false)))
        .hasMessageContaining("OpenSearch to Elasticsearch is not supported");
    assertNothingWritten();
  }

  @Test
  void inPlace_isRefused_acrossClusters() {
    assertThat(catchThrowable(() -> initializer.init(recipe(CROSS), true)))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("--in-place is not possible")
        .hasMessageContaining("needs a copy");
    assertNothingWritten();
  }

  @Test
  void aTransform_isRefused_acrossClusters() {
    Throwable e =
        catchThrowable(
            () ->
                initializer.init(
                    recipe(
                        "name: up\nsource: {cluster: old-es}\nindexes: [{source: records,"
                            + " transform: {script: {source: 'ctx._source.x = 1'}}}]\n"),
                    false));

    assertThat(e)
        .isInstanceOf(RecipeException.class)
        .hasMessageContaining("indexes[0].transform")
        .hasMessageContaining("applies no transform across clusters")
        .hasMessageContaining("copy.mode: remote-reindex");
    assertThat(source.sampleReindexes()).isEmpty();
    assertNothingWritten();

    // A pipeline too: the reader engine would copy without it.
    Throwable pipeline =
        catchThrowable(
            () ->
                initializer.init(
                    recipe(
                        "name: up\nsource: {cluster: old-es}\nindexes: [{source: records,"
                            + " transform: {pipeline: lowercase}}]\n"),
                    false));
    assertThat(pipeline).isInstanceOf(RecipeException.class).hasMessageContaining("transform");
    assertNothingWritten();
  }

  private static final String REMOTE_WITH_SCRIPT =
      "name: up\nsource: {cluster: old-es}\ncopy: {mode: remote-reindex}\nindexes: [{source:"
          + " records, destination: records-os, transform: {script: {source: 'ctx._source.x ="
          + " 1'}}}]\n";

  @Test
  void remoteReindex_triesTheTransformOnTheDestination_readingTheSourceRemotely() {
    source.withRemoteHost("http://old-es:9200");

    InitReport report = initializer.init(recipe(REMOTE_WITH_SCRIPT), false);

    assertThat(report.indexes()).hasSize(1);
    assertThat(report.indexes().get(0).slices()).as("one unsliced task").isEqualTo(1);
    var trial = destination.sampleReindexes();
    assertThat(trial).hasSize(1);
    assertThat(trial.get(0).remote().host()).isEqualTo("http://old-es:9200");
    assertThat(trial.get(0).scriptSource()).isEqualTo("ctx._source.x = 1");
    assertThat(trial.get(0).versionType()).isEqualTo("external");
    assertThat(destination.indexExists(trial.get(0).destinationIndex()))
        .as("the trial index is gone")
        .isFalse();
    assertThat(source.sampleReindexes()).as("nothing runs on the source").isEmpty();
    assertThat(destination.indexExists("records-os")).isTrue();
  }

  @Test
  void remoteReindex_outsideTheDestinationsAllowlist_saysWhatToConfigure_andWritesNothing() {
    source.withRemoteHost("http://old-es:9200");
    destination.refusingRemoteReindex(
        400,
        "illegal_argument_exception",
        "illegal_argument_exception: [old-es:9200] not allowlisted in reindex.remote.allowlist");

    Throwable e = catchThrowable(() -> initializer.init(recipe(REMOTE_WITH_SCRIPT), false));

    assertThat(e)
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining("index 'records': a trial remote reindex")
        .hasMessageContaining("not allowlisted")
        .hasMessageContaining("add 'old-es:9200' to reindex.remote.allowlist");
    assertNothingWritten();
    assertThat(destination.sampleReindexes()).hasSize(1);
    assertThat(destination.indexExists(destination.sampleReindexes().get(0).destinationIndex()))
        .as("no trial index left")
        .isFalse();
  }

  @Test
  void remoteReindexAdvice_namesTheCauseOfTheCommonRefusals() {
    assertThat(
            Initializer.remoteReindexAdvice(
                "connect_exception: Connection refused", "https://old:9243", null))
        .contains("must reach old:9243");
    assertThat(Initializer.remoteReindexAdvice("status 401 Unauthorized", "http://old", null))
        .contains("refused the credentials");
    assertThat(Initializer.remoteReindexAdvice("[old:80] not whitelisted", "http://old", null))
        .contains("add 'old:80'");
    assertThat(Initializer.remoteReindexAdvice("something else", "http://old", null)).isEmpty();
  }

  @Test
  void aDestinationNameTakenOnTheDestination_isRefused_evenIfFreeOnTheSource() {
    destination.withIndex("records-os", 1, null);

    assertThat(catchThrowable(() -> initializer.init(recipe(CROSS), false)))
        .isInstanceOf(RecipeException.class)
        .hasMessageContaining("'records-os' already exists");
    assertThat(store.getRecipe("up")).isEmpty();
  }

  @Test
  void inCluster_isUnchanged_andReadsNoEngineInfo() {
    destination.withIndex("local", 1, null);
    destination.on(
        "info",
        () -> {
          throw new AssertionError("an in-cluster init needs no direction check");
        });

    initializer.init(
        recipe("name: here\nindexes: [{source: local, destination: local-v2}]\n"), false);

    assertThat(destination.indexExists("local-v2")).isTrue();
  }

  private void assertNothingWritten() {
    assertThat(store.getRecipe("up")).isEmpty();
    assertThat(destination.indexExists("records-os")).isFalse();
    assertThat(source.indexExists("records-os")).isFalse();
  }
}
