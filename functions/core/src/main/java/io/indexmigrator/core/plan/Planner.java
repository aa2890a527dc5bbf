package io.indexmigrator.core.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.recipe.CopyOptions;
import io.indexmigrator.core.recipe.IndexSpec;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeException;
import io.indexmigrator.core.recipe.RecipeProblem;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.FieldStatistics;
import io.indexmigrator.core.search.IndexSettings;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.search.ResolvedExpression.ConcreteIndex;
import io.indexmigrator.core.search.ResolvedExpression.Kind;
import io.indexmigrator.core.search.SearchCluster;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Turns a recipe into a {@link MigrationPlan} by looking at the source cluster: expands patterns
 * and aliases to concrete indexes, names destinations, merges settings and mappings, and splits the
 * copy into slices.
 *
 * <p>All problems that need the cluster to detect (unknown index, pattern matching nothing,
 * destination clashes, ...) are collected and thrown together as one {@link RecipeException} whose
 * paths point into the recipe. Nothing is written to the cluster.
 */
public final class Planner {

  /** Upper bound for {@code slices: auto}: more parallel scrolls rarely help and cost heap. */
  public static final int MAX_AUTO_SLICES = 20;

  /** Work items of one index the state table holds. */
  static final int MAX_WORK_ITEMS = 10_000;

  private static final int MAX_INDEX_NAME_BYTES = 255;
  private static final String REFRESH_INTERVAL = "index.refresh_interval";
  private static final String NUMBER_OF_REPLICAS = "index.number_of_replicas";
  private static final String AUTO_EXPAND_REPLICAS = "index.auto_expand_replicas";
  private static final String NUMBER_OF_SHARDS = "index.number_of_shards";

  /**
   * Settings that describe the source index's identity, history or current operational state rather
   * than its definition; the cluster sets them, or copying them would be wrong (a write block the
   * migration itself put on the source, allocation pinned to the old index's nodes).
   */
  static final Set<String> NOT_COPIED =
      Set.of(
          "index.uuid",
          "index.creation_date",
          "index.creation_date_string",
          "index.provided_name",
          "index.history.uuid",
          "index.verified_before_close",
          "index.frozen",
          "index.search.throttled");

  static final List<String> NOT_COPIED_PREFIXES =
      List.of(
          "index.version.",
          "index.blocks.",
          "index.resize.",
          "index.shrink.",
          "index.remote_store.",
          "index.routing.allocation.initial_recovery.",
          "index.routing.allocation.require._",
          "index.routing.allocation.include._",
          "index.routing.allocation.exclude._");

  /**
   * What a source on another cluster carries that the destination cluster would refuse or misapply:
   * allocation filters naming the source's nodes and attributes (the destination's nodes differ, so
   * shards would stay unassigned), and leftovers of lifecycle plugins whose policies do not exist
   * there (X-Pack ILM, archived settings, OpenSearch ISM). A recipe may still set any of them for
   * the destination.
   */
  static final List<String> NOT_COPIED_ACROSS_CLUSTERS_PREFIXES =
      List.of(
          "index.routing.allocation.include.",
          "index.routing.allocation.require.",
          "index.routing.allocation.exclude.",
          "index.lifecycle.",
          "archived.",
          "index.opendistro.index_state_management.",
          "index.plugins.index_state_management.");

  private final SearchCluster cluster;
  private final SearchCluster destination;
  private final Clock clock;

  /**
   * Plans an in-cluster migration.
   *
   * @param cluster the source cluster, where destinations are created too
   * @param clock time used for derived destination names (second precision, UTC)
   */
  public Planner(SearchCluster cluster, Clock clock) {
    this(cluster, cluster, clock);
  }

  /**
   * @param source the cluster the recipe's indexes are read from (patterns, aliases, settings and
   *     mappings); choosing it for {@code recipe.source().cluster()} is the caller's job
   * @param destination the cluster destination indexes are created on, where their names must be
   *     free; the same object as {@code source} for an in-cluster migration
   * @param clock time used for derived destination names (second precision, UTC)
   */
  public Planner(SearchCluster source, SearchCluster destination, Clock clock) {
    this.cluster = Objects.requireNonNull(source, "source");
    this.destination = Objects.requireNonNull(destination, "destination");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  private boolean isCrossCluster() {
    return cluster != destination;
  }

  /**
   * Plans {@code recipe}.
   *
   * @param destinationIsOurs says whether an existing index was created by this recipe (typically
   *     from the migration's state); such destinations are accepted, so that re-planning after a
   *     crash works, and such indexes are not picked up as sources by patterns
   * @throws RecipeException listing every problem found
   * @throws io.indexmigrator.core.search.SearchClusterException if the cluster cannot be read
   */
  public MigrationPlan plan(Recipe recipe, Predicate<String> destinationIsOurs) {
    Instant plannedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    List<RecipeProblem> problems = new ArrayList<>();
    List<IndexMigration> migrations = new ArrayList<>();
    Map<String, String> sourceOwners = new HashMap<>();
    Map<String, String> destinationOwners = new HashMap<>();

    for (int i = 0; i < recipe.indexes().size(); i++) {
      IndexSpec spec = recipe.indexes().get(i);
      String entry = "indexes[" + i + "]";
      String expression = recipe.prefixed(spec.source());
      List<ConcreteIndex> sources =
          resolveSources(spec, entry, expression, destinationIsOurs, problems);
      if (sources.isEmpty()) {
        continue;
      }
      if (spec.destination() != null && sources.size() > 1) {
        problems.add(
            new RecipeProblem(
                entry + ".destination",
                "cannot be used with '"
                    + expression
                    + "', which covers "
                    + sources.size()
                    + " indexes ("
                    + sources.stream().map(ConcreteIndex::name).collect(Collectors.joining(", "))
                    + "); remove it to derive one destination per index"));
        continue;
      }
      for (ConcreteIndex source : sources) {
        String owner = sourceOwners.putIfAbsent(source.name(), entry);
        if (owner != null) {
          problems.add(
              new RecipeProblem(
                  entry + ".source",
                  "index '" + source.name() + "' is already migrated by " + owner));
          continue;
        }
        String destination =
            spec.destination() != null
                ? recipe.prefixed(spec.destination())
                : DestinationNames.derive(baseFor(spec, expression, sources, source), plannedAt);
        String destinationPath = entry + ".destination";
        if (!checkDestination(
            recipe, source.name(), destination, destinationPath, destinationIsOurs, problems)) {
          continue;
        }
        String previous = destinationOwners.putIfAbsent(destination, source.name());
        if (previous != null) {
          problems.add(
              new RecipeProblem(
                  destinationPath,
                  "'"
                      + destination
                      + "' would receive both '"
                      + previous
                      + "' and '"
                      + source.name()
                      + "'"));
          continue;
        }
        migrations.add(migration(recipe, spec, entry, expression, source, destination, problems));
      }
    }
    // A destination must not be an index that this same plan reads from.
    for (IndexMigration migration : migrations) {
      String reader = sourceOwners.get(migration.destinationIndex());
      if (reader != null) {
        problems.add(
            new RecipeProblem(
                migration.recipeEntry() + ".destination",
                "'" + migration.destinationIndex() + "' is a source index of " + reader));
      }
    }
    if (!problems.isEmpty()) {
      // Entries covering several indexes can report the same problem once per index.
      throw new RecipeException(new ArrayList<>(new LinkedHashSet<>(problems)));
    }
    return new MigrationPlan(recipe.name(), plannedAt, migrations);
  }

  private List<ConcreteIndex> resolveSources(
      IndexSpec spec,
      String entry,
      String expression,
      Predicate<String> destinationIsOurs,
      List<RecipeProblem> problems) {
    ResolvedExpression resolved = cluster.resolve(expression);
    String path = entry + ".source";
    if (resolved.kind() == Kind.MISSING) {
      problems.add(new RecipeProblem(path, "no index or alias named '" + expression + "'"));
      return List.of();
    }
    List<ConcreteIndex> sources = resolved.indexes();
    if (resolved.kind() == Kind.PATTERN && !isCrossCluster()) {
      // Destinations of an earlier, interrupted run of this recipe may match the pattern too;
      // across clusters they live on the other one.
      sources = sources.stream().filter(s -> !destinationIsOurs.test(s.name())).toList();
    }
    if (sources.isEmpty()) {
      problems.add(
          new RecipeProblem(
              path,
              resolved.kind() == Kind.PATTERN
                  ? "pattern '" + expression + "' matches no open index"
                  : "'" + expression + "' covers no open index"));
    }
    return sources;
  }

  /**
   * The name a derived destination is based on: the alias for an alias that points at a single
   * index (the alias is the name users know), otherwise the concrete index.
   */
  private static String baseFor(
      IndexSpec spec, String expression, List<ConcreteIndex> sources, ConcreteIndex source) {
    boolean singleIndexAlias =
        !spec.isPattern()
            && sources.size() == 1
            && !source.name().equals(expression)
            && source.aliases().stream().anyMatch(a -> a.alias().equals(expression));
    return singleIndexAlias ? expression : source.name();
  }

  private boolean checkDestination(
      Recipe recipe,
      String source,
      String destination,
      String path,
      Predicate<String> destinationIsOurs,
      List<RecipeProblem> problems) {
    if (destination.equals(source)) {
      problems.add(new RecipeProblem(path, "'" + destination + "' is the source index itself"));
      return false;
    }
    if (destination.getBytes(StandardCharsets.UTF_8).length > MAX_INDEX_NAME_BYTES) {
      problems.add(
          new RecipeProblem(
              path, "'" + destination + "' is longer than " + MAX_INDEX_NAME_BYTES + " bytes"));
      return false;
    }
    if (this.destination.indexExists(destination) && !destinationIsOurs.test(destination)) {
      problems.add(
          new RecipeProblem(
              path,
              "index or alias '"
                  + destination
                  + "' already exists and was not created by recipe '"
                  + recipe.name()
                  + "'"));
      return false;
    }
    return true;
  }

  private IndexMigration migration(
      Recipe recipe,
      IndexSpec spec,
      String entry,
      String expression,
      ConcreteIndex source,
      String destination,
      List<RecipeProblem> problems) {
    ObjectNode sourceSettings = cluster.getSettings(source.name());
    ObjectNode destinationSettings = copyableSettings(sourceSettings);
    if (isCrossCluster()) {
      List<String> stripped = new ArrayList<>();
      destinationSettings
          .fieldNames()
          .forEachRemaining(
              key -> {
                if (NOT_COPIED_ACROSS_CLUSTERS_PREFIXES.stream().anyMatch(key::startsWith)) {
                  stripped.add(key);
                }
              });
      destinationSettings.remove(stripped);
    }
    ObjectNode recipeSettings = IndexSettings.normalize(spec.settings());
    for (Iterator<String> it = recipeSettings.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!isCopyable(key)) {
        problems.add(
            new RecipeProblem(
                entry + ".settings",
                "'" + key + "' is managed by the cluster or the migration and cannot be set"));
      }
    }
    destinationSettings.setAll(copyableSettings(recipeSettings));

    ObjectNode mappings =
        spec.mappings() != null ? spec.mappings() : cluster.getMappings(source.name());
    int primaryShards = sourceSettings.path(NUMBER_OF_SHARDS).asInt(1);
    int sliceCount =
        spec.copy().slices().isAuto()
            ? Math.max(1, Math.min(primaryShards, MAX_AUTO_SLICES))
            : spec.copy().slices().count();
    List<Slice> slices;
    Partitioning partitioning = null;
    if (spec.copy().mode() == CopyOptions.CopyMode.READER) {
      // One work item per primary shard: a shard is what a scroll or a point-in-time slice reads
      // without a filter, and its cursor is what a step checkpoints.
      if (!spec.copy().slices().isAuto()) {
        problems.add(
            new RecipeProblem(
                entry + ".copy.slices",
                "the reader copy engine reads one work item per primary shard ("
                    + primaryShards
                    + " here), split further by copy.partition; remove slices, or use copy.mode:"
                    + " reindex in-cluster"));
      }
      if (spec.transform() != null) {
        problems.add(
            new RecipeProblem(
                entry + ".transform",
                "the reader copy engine does not apply transforms yet; remove the transform, or"
                    + " copy in-cluster with copy.mode: reindex"));
      }
      if (spec.copy().isThrottled()) {
        problems.add(
            new RecipeProblem(
                entry + ".copy.requestsPerSecond",
                "the reader copy engine has no throttle yet; remove requestsPerSecond"));
      }
      partitioning = partitioning(spec, entry, source.name(), problems);
      int parts = partitioning == null ? 1 : partitioning.parts();
      // One work item per primary shard, or per range of the partition field within each shard:
      // item shard * parts + part.
      sliceCount = primaryShards * parts;
      slices = new java.util.ArrayList<>();
      if (sliceCount > MAX_WORK_ITEMS) {
        problems.add(
            new RecipeProblem(
                entry + ".copy.partition.parts",
                primaryShards
                    + " shards in "
                    + parts
                    + " ranges each make "
                    + sliceCount
                    + " work items for '"
                    + source.name()
                    + "', more than the "
                    + MAX_WORK_ITEMS
                    + " one index can have; use fewer parts"));
        sliceCount = 1;
      } else {
        for (int item = 0; item < sliceCount; item++) {
          slices.add(Slice.of(source.name(), destination, item, sliceCount));
        }
      }
    } else if (spec.copy().mode() == CopyOptions.CopyMode.REMOTE_REINDEX) {
      // The engine refuses slices with source.remote: one task per index, one scroll on the
      // source.
      if (!spec.copy().slices().isAuto()) {
        problems.add(
            new RecipeProblem(
                entry + ".copy.slices",
                "a remote reindex cannot be sliced (the engine refuses slices with source.remote);"
                    + " remove slices, and name copy.partition to run one task per range of a field,"
                    + " or use copy.mode: reader to copy shards in parallel"));
      }
      partitioning = partitioning(spec, entry, source.name(), problems);
      // One task per range of the partition field: disjoint queries the engine can run side by
      // side, which its own slicing cannot do with source.remote.
      sliceCount = partitioning == null ? 1 : partitioning.parts();
      slices = new java.util.ArrayList<>();
      for (int part = 0; part < sliceCount; part++) {
        slices.add(Slice.of(source.name(), destination, part, sliceCount));
      }
    } else {
      // One task per index, sliced by the engine (as `_reindex?slices=N` does): its slices start
      // together and share one throttle, and one poll of the parent task sees them all. Separate
      // tasks per slice started unevenly (one Lambda invocation each) and were noticed one by one.
      slices = List.of(Slice.of(source.name(), destination, 0, 1));
    }
    return new IndexMigration(
        entry,
        source.name(),
        destination,
        aliasesToMove(recipe, expression, source),
        destinationSettings,
        creationSettings(destinationSettings),
        restoreSettings(destinationSettings),
        mappings,
        primaryShards,
        spec.copy(),
        spec.transform(),
        sliceCount,
        slices,
        partitioning);
  }

  /** Numeric and date field types whose values a range query splits and min/max aggregate. */
  private static final Set<String> WHOLE_NUMBER_TYPES =
      Set.of("long", "integer", "short", "byte", "unsigned_long");

  private static final Set<String> FRACTION_TYPES =
      Set.of("double", "float", "half_float", "scaled_float");

  private static final Set<String> DATE_TYPES = Set.of("date", "date_nanos");

  /**
   * The ranges of the entry's partition field over the source index, or null when the entry names
   * none. The field must be mapped on the source as a number or date: the ranges are queries on the
   * source, whatever the destination's mapping becomes.
   */
  private Partitioning partitioning(
      IndexSpec spec, String entry, String sourceIndex, List<RecipeProblem> problems) {
    CopyOptions.Partition partition = spec.copy().partition();
    if (partition == null) {
      return null;
    }
    String path = entry + ".copy.partition.field";
    String type = fieldType(cluster.getMappings(sourceIndex), partition.field());
    boolean date = type != null && DATE_TYPES.contains(type);
    boolean whole = type != null && WHOLE_NUMBER_TYPES.contains(type);
    if (type == null || !(date || whole || FRACTION_TYPES.contains(type))) {
      problems.add(
          new RecipeProblem(
              path,
              "'"
                  + partition.field()
                  + "' "
                  + (type == null
                      ? "is not a mapped field of '" + sourceIndex + "'"
                      : "is a " + type + " field in '" + sourceIndex + "'")
                  + "; a partition needs a numeric or date field (long, integer, short, byte,"
                  + " double, float, half_float, scaled_float, date, date_nanos)"));
      return null;
    }
    if (!(cluster instanceof FieldStatistics statistics)) {
      problems.add(
          new RecipeProblem(
              path,
              "the source cluster cannot report the values of a field; remove the partition"));
      return null;
    }
    return statistics
        .valueRange(sourceIndex, partition.field())
        .map(
            r ->
                Partitioning.evenly(
                    partition.field(), date, whole, r.min(), r.max(), partition.parts()))
        .orElseGet(() -> new Partitioning(partition.field(), date, List.of()));
  }

  /** The mapped type of a dotted field path, or null when no such field is mapped. */
  static String fieldType(ObjectNode mappings, String field) {
    JsonNode node = mappings;
    for (String name : field.split("\\.", -1)) {
      node = node.path("properties").path(name);
      if (node.isMissingNode()) {
        return null;
      }
    }
    JsonNode type = node.get("type");
    return type != null && type.isTextual() ? type.textValue() : null;
  }

  /**
   * Aliases the rollover moves: the recipe's source alias always (moving it is the point of naming
   * an alias), all other aliases on the index when {@code rollover.moveAliases} is set.
   */
  private static List<AliasInfo> aliasesToMove(
      Recipe recipe, String expression, ConcreteIndex source) {
    return source.aliases().stream()
        .filter(a -> recipe.rollover().moveAliases() || a.alias().equals(expression))
        .toList();
  }

  private static ObjectNode copyableSettings(ObjectNode settings) {
    ObjectNode copy = JsonNodeFactory.instance.objectNode();
    settings
        .properties()
        .forEach(
            e -> {
              if (isCopyable(e.getKey())) {
                copy.set(e.getKey(), e.getValue());
              }
            });
    return copy;
  }

  static boolean isCopyable(String key) {
    return !NOT_COPIED.contains(key) && NOT_COPIED_PREFIXES.stream().noneMatch(key::startsWith);
  }

  /**
   * Bulk loading is faster without refreshes and without replicas to copy every write to.
   * auto_expand_replicas would override number_of_replicas, so it is switched off meanwhile.
   */
  private static ObjectNode creationSettings(ObjectNode destinationSettings) {
    ObjectNode creation = destinationSettings.deepCopy();
    creation.put(REFRESH_INTERVAL, "-1");
    creation.put(NUMBER_OF_REPLICAS, "0");
    if (expandsReplicas(destinationSettings)) {
      creation.put(AUTO_EXPAND_REPLICAS, "false");
    }
    return creation;
  }

  /** What to put after the copy; null resets to the cluster default where the index had none. */
  private static ObjectNode restoreSettings(ObjectNode destinationSettings) {
    ObjectNode restore = JsonNodeFactory.instance.objectNode();
    restore.set(REFRESH_INTERVAL, valueOrReset(destinationSettings, REFRESH_INTERVAL));
    restore.set(NUMBER_OF_REPLICAS, valueOrReset(destinationSettings, NUMBER_OF_REPLICAS));
    if (expandsReplicas(destinationSettings)) {
      restore.set(AUTO_EXPAND_REPLICAS, destinationSettings.get(AUTO_EXPAND_REPLICAS));
    }
    return restore;
  }

  private static boolean expandsReplicas(ObjectNode settings) {
    JsonNode value = settings.get(AUTO_EXPAND_REPLICAS);
    return value != null && !value.isNull() && !value.asText().equals("false");
  }

  private static JsonNode valueOrReset(ObjectNode settings, String key) {
    JsonNode value = settings.get(key);
    return value == null ? NullNode.instance : value;
  }
}
