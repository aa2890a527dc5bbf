package io.indexmigrator.core.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.plan.IndexMigration;
import io.indexmigrator.core.plan.MigrationPlan;
import io.indexmigrator.core.plan.Planner;
import io.indexmigrator.core.recipe.CopyOptions;
import io.indexmigrator.core.recipe.IndexSpec;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeException;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.recipe.RecipeProblem;
import io.indexmigrator.core.recipe.Transform;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.CreateIndexResult;
import io.indexmigrator.core.search.MappingCompatibility;
import io.indexmigrator.core.search.MigrationDirection;
import io.indexmigrator.core.search.ReindexRequest;
import io.indexmigrator.core.search.ReindexTaskStatus;
import io.indexmigrator.core.search.RemoteReindexSource;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.state.AliasSpec;
import io.indexmigrator.core.state.ConflictException;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.SliceRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code init}: validates a recipe against its clusters, stores it, and creates the destination
 * indexes for fast bulk loading. Either all of that happens or none of it: a failure part-way
 * deletes what this call created and forgets the recipe.
 *
 * <p>A cross-cluster recipe is planned on its source cluster (patterns, aliases, settings and
 * mappings are read there, nothing is written there) and its indexes are created on the destination
 * cluster, after the direction check has compared the two engines.
 */
public final class Initializer {
  private static final Logger LOG = LoggerFactory.getLogger(Initializer.class);

  /** Marks destination indexes in their mapping {@code _meta}, so ownership survives our state. */
  public static final String META_KEY = "index_migrator";

  /**
   * Settings an in-place update may change on a live index; anything else (shards, analysis, codec)
   * needs a new index.
   */
  private static final Set<String> DYNAMIC_SETTINGS =
      Set.of(
          "index.number_of_replicas",
          "index.refresh_interval",
          "index.max_result_window",
          "index.max_inner_result_window",
          "index.auto_expand_replicas",
          "index.mapping.total_fields.limit",
          "index.mapping.depth.limit",
          "index.mapping.nested_fields.limit",
          "index.max_terms_count",
          "index.max_regex_length",
          "index.default_pipeline",
          "index.final_pipeline",
          "index.search.slowlog.threshold.query.warn",
          "index.indexing.slowlog.threshold.index.warn");

  /** How many source documents a transform script is tried on at init. */
  static final int TRIAL_DOCUMENTS = 10;

  /** In the name of the throw-away index a transform script is tried on. */
  static final String TRIAL_INFIX = "-init-trial-";

  private final Lifecycle lifecycle;

  public Initializer(Lifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  public InitReport init(Recipe recipe, boolean inPlace) {
    String name = recipe.name();
    lifecycle
        .store()
        .getRecipe(name)
        .filter(r -> !r.status().isFinished())
        .ifPresent(
            active -> {
              throw new MigrationFailedException(
                  "recipe '"
                      + name
                      + "' is already active (status "
                      + active.status()
                      + " since "
                      + active.updatedAt()
                      + "); cancel it first with: migrator cancel "
                      + name);
            });
    SearchCluster destination = destinationCluster(recipe);
    SearchCluster source = sourceCluster(recipe);
    if (recipe.isCrossCluster()) {
      checkCrossCluster(recipe, inPlace, source, destination);
    }
    MigrationPlan plan =
        (recipe.isCrossCluster()
                ? new Planner(source, destination, lifecycle.clock())
                : new Planner(source, lifecycle.clock()))
            .plan(recipe, index -> isOurs(destination, index, name));
    List<String> blockers = inPlaceBlockers(recipe, plan, source);
    if (inPlace) {
      if (!blockers.isEmpty()) {
        throw new MigrationFailedException(
            "--in-place is not possible: " + String.join("; ", blockers));
      }
      return applyInPlace(recipe, plan, source);
    }

    for (IndexMigration migration : plan.migrations()) {
      if (migration.copy().mode() == CopyOptions.CopyMode.REMOTE_REINDEX) {
        checkPipeline(migration, destination);
        tryRemoteReindex(migration, recipe, source, destination);
      } else {
        checkTransform(migration, destination);
      }
    }

    RecipeRecord record;
    try {
      record = lifecycle.store().createRecipe(name, new RecipeLoader().toJson(recipe));
    } catch (ConflictException e) {
      throw new MigrationFailedException(e.getMessage(), e);
    }
    RecipeRef ref = record.ref();
    List<String> createdHere = new ArrayList<>();
    List<InitReport.IndexReport> reports = new ArrayList<>();
    try {
      for (IndexMigration migration : plan.migrations()) {
        ObjectNode mappings = migration.destinationMappings();
        ObjectNode meta = mappings.withObject("_meta");
        meta.putObject(META_KEY).put("recipe", name).put("generation", ref.generation());
        CreateIndexResult created =
            destination.createIndex(
                migration.destinationIndex(), migration.creationSettings(), mappings);
        if (created == CreateIndexResult.CREATED) {
          createdHere.add(migration.destinationIndex());
        }
        long docsTotal = source.count(migration.sourceIndex());
        IndexRecord index =
            IndexRecord.planned(
                ref,
                migration.sourceIndex(),
                migration.destinationIndex(),
                migration.aliasesToMove().stream().map(Initializer::aliasSpec).toList(),
                true,
                migration.recipeEntry(),
                migration.restoreSettings().toString(),
                migration.sliceCount(),
                docsTotal,
                migration.partitioning() == null ? null : migration.partitioning().toJson());
        lifecycle.store().putIndexIfAbsent(index);
        for (var slice : migration.slices()) {
          lifecycle
              .store()
              .putSliceIfAbsent(
                  SliceRecord.pending(
                      ref, migration.sourceIndex(), slice.sliceId(), slice.sliceCount()));
        }
        reports.add(
            new InitReport.IndexReport(
                migration.sourceIndex(),
                migration.destinationIndex(),
                created == CreateIndexResult.CREATED,
                migration.sliceCount(),
                docsTotal,
                migration.aliasesToMove().stream().map(AliasInfo::alias).toList()));
      }
    } catch (RuntimeException e) {
      undo(name, destination, createdHere);
      if (e instanceof SearchClusterException cluster) {
        throw new MigrationFailedException(
            "init of '" + name + "' failed, nothing was kept: " + cluster.getMessage(), e);
      }
      throw e;
    }
    return new InitReport(name, ref.generation(), reports, blockers.isEmpty(), blockers, false);
  }

  /**
   * The recipe's source cluster: one the functions know. Checked before anything is written, so a
   * typo in the name changes nothing.
   */
  private SearchCluster sourceCluster(Recipe recipe) {
    String name = recipe.source().cluster();
    if (!lifecycle.clusters().contains(name)) {
      throw new RecipeException(
          new RecipeProblem(
              "source.cluster",
              "no cluster named '"
                  + name
                  + "'; the functions know "
                  + String.join(
                      ", ", lifecycle.clusters().names().stream().map(n -> "'" + n + "'").toList())
                  + " (other clusters are configured by the template's SourceCluster*"
                  + " parameters)"));
    }
    return lifecycle.sourceOf(recipe);
  }

  private SearchCluster destinationCluster(Recipe recipe) {
    String name = recipe.destination().cluster();
    if (!Clusters.DEFAULT.equals(name)) {
      throw new RecipeException(
          new RecipeProblem(
              "destination.cluster",
              "'"
                  + name
                  + "': only '"
                  + Clusters.DEFAULT
                  + "' (the cluster the functions are configured for) can be a destination yet;"
                  + " deploy the stack for the destination cluster and name the old one as"
                  + " source.cluster"));
    }
    return lifecycle.destinationOf(recipe);
  }

  /**
   * What a copy between clusters cannot do, refused before anything is written: a downgrade, an
   * in-place change, and a transform (a script is tried, and run, by the destination's {@code
   * _reindex}, which cannot read the source cluster; the reader engine applies none).
   */
  private static void checkCrossCluster(
      Recipe recipe, boolean inPlace, SearchCluster source, SearchCluster destination) {
    if (inPlace) {
      throw new MigrationFailedException(
          "--in-place is not possible: the source is on cluster '"
              + recipe.source().cluster()
              + "' and the destination on '"
              + recipe.destination().cluster()
              + "'; moving indexes between clusters needs a copy");
    }
    for (int i = 0; i < recipe.indexes().size(); i++) {
      IndexSpec spec = recipe.indexes().get(i);
      if (spec.transform() != null && spec.copy().mode() != CopyOptions.CopyMode.REMOTE_REINDEX) {
        throw new RecipeException(
            new RecipeProblem(
                "indexes[" + i + "].transform",
                "the reader copy engine applies no transform across clusters; use copy.mode:"
                    + " remote-reindex (the destination's _reindex runs the script or pipeline"
                    + " while it reads the source), or copy without one and transform"
                    + " in-cluster"));
      }
    }
    MigrationDirection.check(source.info(), destination.info());
  }

  /**
   * Refuses a transform the copy could not run, before anything is written: a pipeline the
   * destination does not have, or a script the engine does not compile or that fails on the first
   * source documents (tried by reindexing a few of them into a throw-away index).
   */
  private void checkTransform(IndexMigration migration, SearchCluster destination) {
    switch (migration.transform()) {
      case null -> {}
      case Transform.Pipeline pipeline -> checkPipeline(migration, destination);
      case Transform.Script script -> tryScript(migration, script, destination);
    }
  }

  private static void checkPipeline(IndexMigration migration, SearchCluster destination) {
    String source = migration.sourceIndex();
    if (migration.transform() instanceof Transform.Pipeline pipeline) {
      {
        if (!destination.ingestPipelineExists(pipeline.name())) {
          throw new MigrationFailedException(
              "index '"
                  + source
                  + "': transform.pipeline '"
                  + pipeline.name()
                  + "' does not exist on the destination cluster (GET _ingest/pipeline/"
                  + pipeline.name()
                  + " found nothing); create it first");
        }
      }
    }
  }

  /**
   * Copies a few documents from the source cluster into a throw-away index with the remote reindex
   * the run will start, transform included, so that what the engine refuses (a source not in its
   * allowlist, unreachable, refusing the credentials, a script failing) is said now, in the
   * engine's words, with what to change.
   */
  private void tryRemoteReindex(
      IndexMigration migration, Recipe recipe, SearchCluster source, SearchCluster destination) {
    String index = migration.sourceIndex();
    if (!(source instanceof RemoteReindexSource remoteSource)) {
      throw new MigrationFailedException(
          "index '"
              + index
              + "': cluster '"
              + recipe.source().cluster()
              + "' cannot be read by a remote reindex; use copy.mode: reader");
    }
    ReindexRequest.RemoteSource remote = remoteSource.remoteSource();
    String trial =
        migration.destinationIndex() + TRIAL_INFIX + UUID.randomUUID().toString().substring(0, 8);
    ReindexRequest.Builder request =
        ReindexRequest.builder(index, trial)
            .remote(remote)
            .batchSize(TRIAL_DOCUMENTS)
            .versionType("external");
    if (migration.transform() instanceof Transform.Script script) {
      request.script(script.source(), script.lang(), script.params());
    } else if (migration.transform() instanceof Transform.Pipeline pipeline) {
      request.pipeline(pipeline.name());
    }
    String problem;
    destination.createIndex(trial, migration.creationSettings(), migration.destinationMappings());
    try {
      ReindexTaskStatus result = destination.reindexSample(request.build(), TRIAL_DOCUMENTS);
      problem = result.failures().isEmpty() ? null : result.failures().get(0);
    } catch (SearchClusterException e) {
      if (e.status() == SearchClusterException.NO_RESPONSE || e.status() == 429) {
        // The destination itself did not answer or is busy: nothing is known about the source.
        throw e;
      }
      // Whatever the destination met on the source comes back as its own error (a 5xx too).
      problem = e.reason();
    } finally {
      destination.deleteIndex(trial);
    }
    if (problem != null) {
      throw new MigrationFailedException(
          "index '"
              + index
              + "': a trial remote reindex of up to "
              + TRIAL_DOCUMENTS
              + " documents from "
              + remote.host()
              + " failed: "
              + problem
              + remoteReindexAdvice(problem, remote.host(), migration.transform()));
    }
  }

  /** What to change, for the refusals a remote reindex commonly meets. */
  static String remoteReindexAdvice(String problem, String host, Transform transform) {
    String lower = problem.toLowerCase(java.util.Locale.ROOT);
    java.net.URI uri = java.net.URI.create(host);
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    String hostPort = uri.getHost() + ":" + port;
    if (lower.contains("allowlist") || lower.contains("whitelist")) {
      return "; the destination cluster must allow this source: add '"
          + hostPort
          + "' to reindex.remote.allowlist (reindex.remote.whitelist before OpenSearch 2.0 and on"
          + " Elasticsearch) in the opensearch.yml of every destination node, then restart them;"
          + " it is a node setting, not one _cluster/settings can change";
    }
    if (lower.contains("connect") || lower.contains("unknownhost") || lower.contains("timed out")) {
      return "; the destination's nodes (not only the functions) must reach "
          + hostPort
          + ": check its security groups, VPC routing and DNS from the destination's side";
    }
    if (lower.contains("401") || lower.contains("unauthorized") || lower.contains("403")) {
      return "; the source refused the credentials the destination sent (the source cluster's"
          + " secret): give that user read access to the index and to scrolls";
    }
    if (transform instanceof Transform.Script script) {
      return "; script (" + script.lang() + "): " + script.source();
    }
    return "";
  }

  private void tryScript(
      IndexMigration migration, Transform.Script script, SearchCluster destination) {
    String source = migration.sourceIndex();
    // A random name, so the trial never meets (and never deletes) an index it did not create.
    String trial =
        migration.destinationIndex() + TRIAL_INFIX + UUID.randomUUID().toString().substring(0, 8);
    String problem;
    destination.createIndex(trial, migration.creationSettings(), migration.destinationMappings());
    try {
      ReindexTaskStatus result =
          destination.reindexSample(
              ReindexRequest.builder(source, trial)
                  .script(script.source(), script.lang(), script.params())
                  .build(),
              TRIAL_DOCUMENTS);
      problem = result.failures().isEmpty() ? null : result.failures().get(0);
    } catch (SearchClusterException e) {
      if (e.isRetryable()) {
        throw e;
      }
      // The reason already starts with the engine's error type.
      problem = e.reason();
    } finally {
      destination.deleteIndex(trial);
    }
    if (problem != null) {
      throw new MigrationFailedException(
          "index '"
              + source
              + "': the transform script failed on a trial copy of up to "
              + TRIAL_DOCUMENTS
              + " documents: "
              + problem
              + "; script ("
              + script.lang()
              + "): "
              + script.source());
    }
  }

  private void undo(String name, SearchCluster destination, List<String> createdHere) {
    for (String index : createdHere) {
      try {
        destination.deleteIndex(index);
      } catch (RuntimeException cleanup) {
        LOG.warn("could not delete {} after a failed init: {}", index, cleanup.toString());
      }
    }
    lifecycle.store().deleteRecipeState(name);
  }

  /** Whether an existing index of {@code destination} carries this recipe's ownership mark. */
  static boolean isOurs(SearchCluster destination, String index, String recipeName) {
    try {
      JsonNode meta = destination.getMappings(index).path("_meta").path(META_KEY);
      return recipeName.equals(meta.path("recipe").asText(null));
    } catch (SearchClusterException e) {
      return false;
    }
  }

  private List<String> inPlaceBlockers(Recipe recipe, MigrationPlan plan, SearchCluster cluster) {
    List<String> blockers = new ArrayList<>();
    if (recipe.isCrossCluster()) {
      return List.of(
          "the source is on cluster '"
              + recipe.source().cluster()
              + "' and the destination on '"
              + recipe.destination().cluster()
              + "'; moving indexes between clusters needs a copy");
    }
    for (IndexMigration migration : plan.migrations()) {
      IndexSpec spec = recipe.indexes().get(RecipeEntries.indexOf(migration.recipeEntry()));
      String source = migration.sourceIndex();
      if (spec.transform() != null) {
        blockers.add(source + ": a transform rewrites documents, which needs a copy");
      }
      if (spec.destination() != null) {
        blockers.add(source + ": the recipe names a destination index, which needs a copy");
      }
      ObjectNode settings = spec.settings();
      if (settings != null) {
        for (Iterator<String> it = flatten(settings).iterator(); it.hasNext(); ) {
          String key = it.next();
          if (!DYNAMIC_SETTINGS.contains(key)) {
            blockers.add(source + ": setting " + key + " cannot change on a live index");
          }
        }
      }
      if (spec.mappings() != null) {
        MappingCompatibility compatibility = cluster.checkMappingsAdditive(source, spec.mappings());
        compatibility.conflicts().forEach(c -> blockers.add(source + ": " + c));
      }
    }
    return blockers;
  }

  private InitReport applyInPlace(Recipe recipe, MigrationPlan plan, SearchCluster cluster) {
    List<InitReport.IndexReport> reports = new ArrayList<>();
    for (IndexMigration migration : plan.migrations()) {
      IndexSpec spec = recipe.indexes().get(RecipeEntries.indexOf(migration.recipeEntry()));
      if (spec.mappings() != null) {
        cluster.putMappings(migration.sourceIndex(), spec.mappings());
      }
      if (spec.settings() != null) {
        cluster.putSettings(migration.sourceIndex(), spec.settings());
      }
      reports.add(
          new InitReport.IndexReport(
              migration.sourceIndex(),
              migration.sourceIndex(),
              false,
              0,
              cluster.count(migration.sourceIndex()),
              migration.aliasesToMove().stream().map(AliasInfo::alias).toList()));
    }
    RecipeRecord record =
        lifecycle.store().createRecipe(recipe.name(), new RecipeLoader().toJson(recipe));
    lifecycle
        .store()
        .transition(
            recipe.name(),
            Set.of(RecipeStatus.INITIALIZED),
            RecipeStatus.ROLLED_OVER,
            r -> r.withFailure(null));
    return new InitReport(recipe.name(), record.generation(), reports, true, List.of(), true);
  }

  private static List<String> flatten(ObjectNode settings) {
    List<String> keys = new ArrayList<>();
    flatten("", settings, keys);
    return keys;
  }

  private static void flatten(String prefix, JsonNode node, List<String> keys) {
    node.properties()
        .forEach(
            e -> {
              String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
              if (e.getValue().isObject()) {
                flatten(key, e.getValue(), keys);
              } else {
                keys.add(key.startsWith("index.") ? key : "index." + key);
              }
            });
  }

  static AliasSpec aliasSpec(AliasInfo alias) {
    return new AliasSpec(
        alias.alias(),
        alias.filter() == null ? null : alias.filter().toString(),
        null,
        alias.indexRouting(),
        alias.searchRouting(),
        alias.writeIndex());
  }
}
