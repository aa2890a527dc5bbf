package io.indexmigrator.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeException;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.recipe.RecipeProblem;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.InMemorySearchCluster;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class PlannerTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:30:15.789Z");
  private static final String STAMP = "20261125103015";
  private static final Predicate<String> NOTHING_IS_OURS = name -> false;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RecipeLoader loader = new RecipeLoader();
  private final InMemorySearchCluster cluster = new InMemorySearchCluster();
  private final Planner planner = new Planner(cluster, Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void concreteIndex_getsMergedSettingsBulkLoadOverridesAndShardSlices() {
    cluster.withIndex("records", 3, json("{\"properties\": {\"title\": {\"type\": \"text\"}}}"));
    Recipe recipe =
        recipe(
            """
            name: r
            indexes:
              - source: records
                destination: records-v2
                settings: {index: {number_of_shards: 6, refresh_interval: 5s}}
            """);

    MigrationPlan plan = planner.plan(recipe, NOTHING_IS_OURS);

    assertThat(plan.plannedAt()).isEqualTo(Instant.parse("2026-11-25T10:30:15Z"));
    IndexMigration m = plan.migrations().get(0);
    assertThat(m.recipeEntry()).isEqualTo("indexes[0]");
    assertThat(m.sourceIndex()).isEqualTo("records");
    assertThat(m.destinationIndex()).isEqualTo("records-v2");
    assertThat(m.destinationSettings())
        .isEqualTo(
            json(
                "{\"index.number_of_shards\": 6, \"index.number_of_replicas\": \"1\","
                    + " \"index.refresh_interval\": \"5s\"}"));
    assertThat(m.creationSettings())
        .isEqualTo(
            json(
                "{\"index.number_of_shards\": 6, \"index.number_of_replicas\": \"0\","
                    + " \"index.refresh_interval\": \"-1\"}"));
    assertThat(m.restoreSettings())
        .isEqualTo(
            json("{\"index.refresh_interval\": \"5s\", \"index.number_of_replicas\": \"1\"}"));
    // No recipe mappings: the source's are used.
    assertThat(m.destinationMappings().at("/properties/title/type").asText()).isEqualTo("text");
    assertThat(m.sourcePrimaryShards()).isEqualTo(3);
    // slices: auto follows the source's primary shards, not the destination's; the engine slices
    // the index's one task.
    assertThat(m.sliceCount()).isEqualTo(3);
    assertThat(m.slices()).extracting(Slice::id).containsExactly("records:0/1");
    assertThat(m.slices()).allMatch(s -> s.destinationIndex().equals("records-v2"));
  }

  @Test
  void refreshIntervalAbsentFromSource_isResetToDefaultAfterCopy() {
    cluster.withIndex("records", 1, null);

    IndexMigration m = planOne("name: r\nindexes:\n  - source: records\n");

    assertThat(m.restoreSettings().get("index.refresh_interval").isNull()).isTrue();
    assertThat(m.slices()).singleElement().matches(Slice::isWholeIndex);
  }

  @Test
  void autoExpandReplicas_isSuspendedDuringTheCopyAndRestoredAfter() {
    cluster.withIndex(
        "records",
        json("{\"index.number_of_shards\": \"1\", \"index.auto_expand_replicas\": \"0-all\"}"),
        null);

    IndexMigration m = planOne("name: r\nindexes:\n  - source: records\n");

    assertThat(m.creationSettings().get("index.auto_expand_replicas").asText()).isEqualTo("false");
    assertThat(m.restoreSettings().get("index.auto_expand_replicas").asText()).isEqualTo("0-all");
  }

  @Test
  void recipeMappings_replaceTheSourceMappings() {
    cluster.withIndex("records", 1, json("{\"properties\": {\"old\": {\"type\": \"text\"}}}"));

    IndexMigration m =
        planOne(
            """
            name: r
            indexes:
              - source: records
                mappings: {properties: {new: {type: keyword}}}
            """);

    assertThat(m.destinationMappings())
        .isEqualTo(json("{\"properties\": {\"new\": {\"type\": \"keyword\"}}}"));
  }

  @Test
  void autoSlices_areCappedAndExplicitSlicesAreKept() {
    cluster.withIndex("big", 30, null).withIndex("small", 1, null);

    MigrationPlan plan =
        planner.plan(
            recipe(
                """
                name: r
                indexes:
                  - source: big
                  - source: small
                    copy: {slices: 4}
                """),
            NOTHING_IS_OURS);

    assertThat(plan.migrations().get(0).sliceCount()).isEqualTo(Planner.MAX_AUTO_SLICES);
    assertThat(plan.migrations().get(1).sliceCount()).isEqualTo(4);
    assertThat(plan.slices()).as("one engine-sliced task per index").hasSize(2);
  }

  @Test
  void pattern_expandsToOneMigrationPerIndexWithDerivedNames() {
    cluster
        .withIndex("stats-2024.01", 1, null)
        .withIndex("stats-2024.02", 2, null)
        .withIndex("other", 1, null);

    MigrationPlan plan =
        planner.plan(recipe("name: r\nindexes:\n  - source: stats-*\n"), NOTHING_IS_OURS);

    assertThat(plan.migrations())
        .extracting(IndexMigration::sourceIndex, IndexMigration::destinationIndex)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("stats-2024.01", "stats-2024.01-" + STAMP),
            org.assertj.core.groups.Tuple.tuple("stats-2024.02", "stats-2024.02-" + STAMP));
    assertThat(plan.migrations()).allMatch(m -> m.recipeEntry().equals("indexes[0]"));
  }

  @Test
  void pattern_skipsDestinationsOfAnEarlierRunOfThisRecipe() {
    cluster.withIndex("stats-a", 1, null).withIndex("stats-a-" + STAMP, 1, null);
    Set<String> ours = Set.of("stats-a-" + STAMP);

    MigrationPlan plan =
        planner.plan(recipe("name: r\nindexes:\n  - source: stats-*\n"), ours::contains);

    assertThat(plan.migrations())
        .extracting(IndexMigration::sourceIndex, IndexMigration::destinationIndex)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("stats-a", "stats-a-" + STAMP));
  }

  @Test
  void prefix_appliesToSourcesDestinationsAndPatterns() {
    cluster
        .withIndex("tenant1-records", 1, null)
        .withIndex("tenant1-stats-1", 1, null)
        .withIndex("tenant2-stats-1", 1, null)
        .withIndex("records", 1, null);

    MigrationPlan plan =
        planner.plan(
            recipe(
                """
                name: r
                prefix: tenant1-
                indexes:
                  - source: records
                    destination: records-v2
                  - source: stats-*
                """),
            NOTHING_IS_OURS);

    assertThat(plan.migrations())
        .extracting(IndexMigration::sourceIndex, IndexMigration::destinationIndex)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("tenant1-records", "tenant1-records-v2"),
            org.assertj.core.groups.Tuple.tuple("tenant1-stats-1", "tenant1-stats-1-" + STAMP));
  }

  @Test
  void alias_resolvesToItsIndexAndIsMovedWithItsDefinition() {
    ObjectNode filter = json("{\"term\": {\"tenant\": \"t1\"}}");
    cluster
        .withIndex("records-20240101000000", 2, null)
        .withAlias(new AliasInfo("records", "records-20240101000000", filter, "1", null, true))
        .withAlias(AliasInfo.plain("records-read", "records-20240101000000"));

    IndexMigration m = planOne("name: r\nindexes:\n  - source: records\n");

    assertThat(m.sourceIndex()).isEqualTo("records-20240101000000");
    assertThat(m.destinationIndex()).isEqualTo("records-" + STAMP);
    assertThat(m.aliasesToMove())
        .extracting(AliasInfo::alias)
        .containsExactly("records", "records-read");
    assertThat(m.aliasesToMove().get(0).filter()).isEqualTo(filter);
    assertThat(m.aliasesToMove().get(0).indexRouting()).isEqualTo("1");
    assertThat(m.aliasesToMove().get(0).writeIndex()).isTrue();
  }

  @Test
  void moveAliasesOff_stillMovesTheRecipeAlias() {
    cluster
        .withIndex("legacy", 1, null)
        .withAlias(AliasInfo.plain("records", "legacy"))
        .withAlias(AliasInfo.plain("records-read", "legacy"));

    IndexMigration m =
        planOne("name: r\nindexes:\n  - source: records\nrollover: {moveAliases: false}\n");

    assertThat(m.aliasesToMove()).extracting(AliasInfo::alias).containsExactly("records");
    // A single-index alias names the destination: the alias is the name users know.
    assertThat(m.destinationIndex()).isEqualTo("records-" + STAMP);
  }

  @Test
  void aliasOverSeveralIndexes_derivesOneDestinationPerIndex() {
    cluster
        .withIndex("logs-a", 1, null)
        .withIndex("logs-b", 1, null)
        .withAlias(AliasInfo.plain("logs", "logs-a"))
        .withAlias(AliasInfo.plain("logs", "logs-b"));

    MigrationPlan plan =
        planner.plan(recipe("name: r\nindexes:\n  - source: logs\n"), NOTHING_IS_OURS);

    assertThat(plan.migrations())
        .extracting(IndexMigration::destinationIndex)
        .containsExactly("logs-a-" + STAMP, "logs-b-" + STAMP);
  }

  @Test
  void defaultDestination_dropsTimestampAndVersionSuffixes() {
    cluster.withIndex("records-v3", 1, null).withIndex("events-20230102030405", 1, null);

    MigrationPlan plan =
        planner.plan(
            recipe(
                "name: r\nindexes:\n  - source: records-v3\n  - source: events-20230102030405\n"),
            NOTHING_IS_OURS);

    assertThat(plan.migrations())
        .extracting(IndexMigration::destinationIndex)
        .containsExactly("records-" + STAMP, "events-" + STAMP);
  }

  @Test
  void samePlanInputs_giveTheSamePlan() {
    cluster.withIndex("stats-1", 4, null).withIndex("stats-2", 2, null);
    Recipe recipe = recipe("name: r\nindexes:\n  - source: stats-*\n");

    MigrationPlan first = planner.plan(recipe, NOTHING_IS_OURS);
    MigrationPlan second =
        new Planner(cluster, Clock.fixed(NOW.plusMillis(100), ZoneOffset.UTC))
            .plan(recipe, NOTHING_IS_OURS);

    assertThat(second).isEqualTo(first);
    assertThat(second.slices()).extracting(Slice::id).containsExactly("stats-1:0/1", "stats-2:0/1");
    assertThat(second.migrations()).extracting(IndexMigration::sliceCount).containsExactly(4, 2);
  }

  @Test
  void destinationEqualToTheSource_isRejected() {
    cluster.withIndex("records-v2", 1, null).withAlias(AliasInfo.plain("records", "records-v2"));

    assertProblems(
        "name: r\nindexes:\n  - source: records\n    destination: records-v2\n",
        "indexes[0].destination: 'records-v2' is the source index itself");
  }

  @Test
  void existingForeignDestination_isRejectedButOursIsAccepted() {
    cluster.withIndex("records", 1, null).withIndex("records-v2", 1, null);
    String yaml = "name: r\nindexes:\n  - source: records\n    destination: records-v2\n";

    assertProblems(
        yaml,
        "indexes[0].destination: index or alias 'records-v2' already exists and was not created"
            + " by recipe 'r'");
    assertThat(planner.plan(recipe(yaml), "records-v2"::equals).migrations()).hasSize(1);
  }

  @Test
  void patternMatchingNothing_isRejected() {
    cluster.withIndex("records", 1, null);

    assertProblems(
        "name: r\nindexes:\n  - source: stats-*\n",
        "indexes[0].source: pattern 'stats-*' matches no open index");
  }

  @Test
  void unknownIndex_isRejectedWithThePrefixedName() {
    cluster.withIndex("records", 1, null);

    assertProblems(
        "name: r\nprefix: t1-\nindexes:\n  - source: records\n",
        "indexes[0].source: no index or alias named 't1-records'");
  }

  @Test
  void explicitDestinationWithPatternMatchingSeveral_isRejected() {
    cluster.withIndex("stats-1", 1, null).withIndex("stats-2", 1, null);

    assertProblems(
        "name: r\nindexes:\n  - source: stats-*\n    destination: stats-all\n",
        "indexes[0].destination: cannot be used with 'stats-*', which covers 2 indexes (stats-1,"
            + " stats-2); remove it to derive one destination per index");
  }

  @Test
  void explicitDestinationWithPatternMatchingOne_isAccepted() {
    cluster.withIndex("stats-1", 1, null);

    IndexMigration m =
        planOne("name: r\nindexes:\n  - source: stats-*\n    destination: stats-all\n");

    assertThat(m.destinationIndex()).isEqualTo("stats-all");
  }

  @Test
  void twoSourcesDerivingOneDestination_areRejected() {
    cluster.withIndex("logs-v1", 1, null).withIndex("logs-v2", 1, null);

    assertProblems(
        "name: r\nindexes:\n  - source: logs-*\n",
        "indexes[0].destination: 'logs-" + STAMP + "' would receive both 'logs-v1' and 'logs-v2'");
  }

  @Test
  void indexCoveredByTwoEntries_isRejected() {
    cluster.withIndex("logs-1", 1, null);

    assertProblems(
        "name: r\nindexes:\n  - source: logs-1\n  - source: logs-*\n",
        "indexes[1].source: index 'logs-1' is already migrated by indexes[0]");
  }

  @Test
  void destinationThatIsAlsoASource_isRejected() {
    cluster.withIndex("a", 1, null).withIndex("b", 1, null);

    assertProblems(
        "name: r\nindexes:\n  - source: a\n    destination: b\n  - source: b\n    destination: c\n",
        "indexes[0].destination: index or alias 'b' already exists and was not created by recipe"
            + " 'r'");
    assertThat(
            catchThrowableOfType(
                    RecipeException.class,
                    () ->
                        planner.plan(
                            recipe(
                                "name: r\nindexes:\n  - source: a\n    destination: b\n"
                                    + "  - source: b\n    destination: c\n"),
                            "b"::equals))
                .problems())
        .containsExactly(
            new RecipeProblem("indexes[0].destination", "'b' is a source index of indexes[1]"));
  }

  @Test
  void clusterManagedSettingsInTheRecipe_areRejectedOnce() {
    cluster.withIndex("stats-1", 1, null).withIndex("stats-2", 1, null);

    assertProblems(
        "name: r\nindexes:\n  - source: stats-*\n    settings: {index.blocks.write: true}\n",
        "indexes[0].settings: 'index.blocks.write' is managed by the cluster or the migration and"
            + " cannot be set");
  }

  @Test
  void everyProblemIsReportedTogether() {
    cluster.withIndex("records", 1, null);

    assertProblems(
        "name: r\nindexes:\n  - source: missing\n  - source: none-*\n  - source: records\n",
        "indexes[0].source: no index or alias named 'missing'",
        "indexes[1].source: pattern 'none-*' matches no open index");
  }

  @Test
  void destinationNames_deriveFromTheBaseName() {
    assertThat(DestinationNames.baseName("records")).isEqualTo("records");
    assertThat(DestinationNames.baseName("records-v12")).isEqualTo("records");
    assertThat(DestinationNames.baseName("records-20240101000000")).isEqualTo("records");
    // Only a full 14-digit timestamp or -v<N> at the very end is a version suffix.
    assertThat(DestinationNames.baseName("records-2024")).isEqualTo("records-2024");
    assertThat(DestinationNames.baseName("records-v2-archive")).isEqualTo("records-v2-archive");
    assertThat(DestinationNames.derive("records-v1", NOW)).isEqualTo("records-" + STAMP);
  }

  private IndexMigration planOne(String yaml) {
    MigrationPlan plan = planner.plan(recipe(yaml), NOTHING_IS_OURS);
    assertThat(plan.migrations()).hasSize(1);
    return plan.migrations().get(0);
  }

  private void assertProblems(String yaml, String... expected) {
    RecipeException e =
        catchThrowableOfType(
            RecipeException.class, () -> planner.plan(recipe(yaml), NOTHING_IS_OURS));
    assertThat(e).as("planning must fail").isNotNull();
    assertThat(e.problems())
        .map(RecipeProblem::toString)
        .containsExactlyElementsOf(List.of(expected));
  }

  private Recipe recipe(String yaml) {
    return loader.parse(yaml);
  }

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
