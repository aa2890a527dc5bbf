package io.indexmigrator.core.sync;

import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.SearchCluster.BulkItemResult;
import io.indexmigrator.core.search.SearchCluster.BulkWrite;
import io.indexmigrator.core.search.SearchCluster.DocumentRead;
import io.indexmigrator.core.search.SearchCluster.DocumentRef;
import io.indexmigrator.core.search.SearchCluster.StoredDocument;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.state.IndexPhase;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.StateStore;
import io.indexmigrator.events.ChangeEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Applies change events to the destinations: never the event's content, always the document's
 * current state, re-read from the source. Whatever order, however often, however late events
 * arrive, the destination converges to the source.
 *
 * <p>A found document is written with {@code version_type=external_gte} and the source's {@code
 * _version}, so an older state can never overwrite a newer one. A conflict is re-checked: if the
 * source still holds exactly the state we read, the destination's newer version belongs to an
 * earlier incarnation of the document (deleted and re-created after the source forgot the deletion,
 * which resets versions), and the current state is written with internal versioning. A document
 * gone from the source is deleted from the destination.
 *
 * <p>Events of an index still being copied are deferred: the copy reads a snapshot, and they must
 * be applied after it.
 */
public final class SyncApplier {
  private static final int MAX_ATTEMPTS = 5;
  private static final long BASE_BACKOFF_MILLIS = 100;

  private final Clusters clusters;
  private final SearchCluster destination;
  private final SyncRoutes routes;

  /**
   * Within one cluster: every event is of a write to the default cluster, read from {@code source}
   * and applied to {@code destination} (the same cluster, seen through different clients in tests).
   */
  public SyncApplier(
      StateStore store, SearchCluster source, SearchCluster destination, Clock clock) {
    this(store, source, destination, clock, Duration.ofSeconds(5));
  }

  /**
   * Events of writes to any of {@code clusters}, each re-read from the cluster it names and applied
   * to the default cluster, the destination of every recipe.
   */
  public SyncApplier(StateStore store, Clusters clusters, Clock clock) {
    this(store, clusters, clusters.defaultCluster(), clock, Duration.ofSeconds(5));
  }

  SyncApplier(
      StateStore store,
      SearchCluster source,
      SearchCluster destination,
      Clock clock,
      Duration routeCacheTtl) {
    this(store, Clusters.of(source), destination, clock, routeCacheTtl);
  }

  SyncApplier(
      StateStore store,
      Clusters sources,
      SearchCluster destination,
      Clock clock,
      Duration routeCacheTtl) {
    this.clusters = sources;
    this.destination = destination;
    this.routes = new SyncRoutes(store, sources, clock, routeCacheTtl);
  }

  /** The document one or more events point at, on the cluster its route reads from. */
  private record Target(IndexRecord index, String id, String routing, String sourceCluster) {}

  /**
   * Applies a batch of events; returns one outcome per event, in order. A document the engine fails
   * on alone (an {@code _mget} item error, a write that keeps failing) is {@code FAILED} with the
   * engine's reason; the others are applied.
   *
   * @throws RetryableMigrationException when the clusters cannot be reached, fail a whole request,
   *     or keep throttling (429): nothing is lost, the batch is offered again
   */
  public List<SyncOutcome> apply(List<ChangeEvent> events) {
    Map<ChangeEvent, SyncOutcome> outcomes = new IdentityHashMap<>();
    Map<Target, List<ChangeEvent>> targets = new LinkedHashMap<>();
    // A name's route is read again at most once per batch: a flood of events must not turn into
    // state-table reads per event.
    Set<String> reread = new HashSet<>();
    for (ChangeEvent event : events) {
      String cluster = event.clusterName();
      String name = event.index();
      Optional<SyncRoutes.Route> route = routes.route(cluster, name);
      // A cached route may predate the end of a copy (or a recipe initialized since; SyncRoutes
      // keeps that answer until it expires): look again, then judge only the fresh route (it may
      // be gone by now).
      boolean stale = route.isEmpty() ? !routes.isFinished(cluster, name) : isCopying(route.get());
      if (stale && reread.add(cluster + " " + name)) {
        routes.invalidate(cluster, name);
        route = routes.route(cluster, name);
      }
      if (route.isEmpty()) {
        outcomes.put(
            event,
            routes.isFinished(cluster, name)
                ? SyncOutcome.of(
                    event,
                    SyncOutcome.Kind.IGNORED,
                    "the migration of '" + name + "' is over",
                    null)
                : SyncOutcome.of(event, SyncOutcome.Kind.UNROUTED, unrouted(cluster, name), null));
        continue;
      }
      IndexRecord index = route.get().index();
      if (isCopying(route.get())) {
        outcomes.put(
            event,
            SyncOutcome.of(
                event,
                SyncOutcome.Kind.DEFERRED,
                "'" + index.source() + "' is still being copied (" + index.phase() + ")",
                index.recipe()));
        continue;
      }
      targets
          .computeIfAbsent(
              new Target(index, event.id(), event.routing(), route.get().sourceCluster()),
              t -> new ArrayList<>())
          .add(event);
    }
    Map<IndexRecord, List<Target>> byIndex = new LinkedHashMap<>();
    targets
        .keySet()
        .forEach(t -> byIndex.computeIfAbsent(t.index(), i -> new ArrayList<>()).add(t));
    for (var entry : byIndex.entrySet()) {
      Unapplied unapplied = applyToIndex(entry.getKey(), entry.getValue());
      for (Target target : entry.getValue()) {
        String rejection = unapplied.rejected().get(target);
        String fence = unapplied.fenced().get(target);
        String failure = unapplied.failed().get(target);
        SyncOutcome.Kind kind;
        String reason;
        if (rejection != null) {
          kind = SyncOutcome.Kind.REJECTED;
          reason = rejection;
        } else if (failure != null) {
          kind = SyncOutcome.Kind.FAILED;
          reason = failure;
        } else if (fence != null) {
          kind = SyncOutcome.Kind.IGNORED;
          reason = fence;
        } else {
          kind = SyncOutcome.Kind.APPLIED;
          reason = null;
        }
        for (ChangeEvent event : targets.get(target)) {
          outcomes.put(event, SyncOutcome.of(event, kind, reason, entry.getKey().recipe()));
        }
      }
    }
    return events.stream().map(outcomes::get).toList();
  }

  /** Why no migration takes an event, naming the cluster it should have named if there is one. */
  private String unrouted(String cluster, String name) {
    Set<String> others = routes.otherClustersOf(cluster, name);
    String reason = "no active migration covers index '" + name + "' on cluster '" + cluster + "'";
    if (!others.isEmpty()) {
      reason +=
          "; a migration reads '"
              + name
              + "' from cluster "
              + others.stream().map(c -> "'" + c + "'").collect(Collectors.joining(", "))
              + ": set \"cluster\" in the event to the cluster the application wrote to";
    }
    return reason;
  }

  private static boolean isCopying(SyncRoutes.Route route) {
    return route.index().phase() != IndexPhase.COPIED
        || route.recipeStatus() == RecipeStatus.RUNNING;
  }

  /**
   * What was not applied: {@code rejected} can never be (the destination refuses it), {@code
   * fenced} must not be any more (the destination may already be live), {@code failed} was not this
   * time (the engine failed on that document alone).
   */
  private record Unapplied(
      Map<Target, String> rejected, Map<Target, String> fenced, Map<Target, String> failed) {}

  private Unapplied applyToIndex(IndexRecord index, List<Target> targets) {
    Map<Target, String> rejected = new HashMap<>();
    Map<Target, String> fenced = new HashMap<>();
    Map<Target, String> failed = new HashMap<>();
    Map<Target, String> lastError = new HashMap<>();
    Boolean writesFenced = null;
    List<Target> pending = targets;
    Map<Target, Boolean> forceInternal = new HashMap<>();
    for (int attempt = 1; !pending.isEmpty(); attempt++) {
      if (attempt > MAX_ATTEMPTS) {
        if (pending.stream().anyMatch(t -> lastError.getOrDefault(t, "").startsWith("429"))) {
          // The cluster is pushing back: nothing wrong with these documents, retry the batch
          // later rather than count it against them.
          throw new RetryableMigrationException(
              pending.size()
                  + " documents of '"
                  + index.source()
                  + "' were throttled "
                  + MAX_ATTEMPTS
                  + " times");
        }
        for (Target target : pending) {
          failed.put(
              target,
              "'"
                  + target.id()
                  + "' could not be applied to '"
                  + index.destination()
                  + "' after "
                  + MAX_ATTEMPTS
                  + " attempts: "
                  + lastError.getOrDefault(target, "version conflicts"));
        }
        break;
      }
      List<DocumentRead> reads = read(index.source(), pending);
      List<StoredDocument> current = new ArrayList<>();
      List<Target> readable = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        if (reads.get(i).failed()) {
          failed.put(pending.get(i), unreadable(index, reads.get(i)));
        } else {
          current.add(reads.get(i).document());
          readable.add(pending.get(i));
        }
      }
      List<BulkWrite> writes = new ArrayList<>();
      List<Target> writing = new ArrayList<>();
      List<StoredDocument> writingRead = new ArrayList<>();
      for (int i = 0; i < readable.size(); i++) {
        StoredDocument doc = current.get(i);
        Target target = readable.get(i);
        boolean mayUndoApplicationWrites =
            !doc.found() || forceInternal.getOrDefault(target, false);
        if (mayUndoApplicationWrites) {
          // Once the aliases move, the application writes to the destination itself: a delete or
          // an internal-version overwrite from a late event could undo one of its writes.
          if (writesFenced == null) {
            writesFenced = routes.writesFenced(index);
          }
          if (writesFenced) {
            fenced.put(
                target,
                "'"
                    + index.destination()
                    + "' may already serve the application (rollover past verification):"
                    + " not deleting or overwriting '"
                    + target.id()
                    + "' there");
            continue;
          }
        }
        writing.add(target);
        writingRead.add(doc);
        writes.add(
            doc.found()
                ? BulkWrite.index(
                    target.id(),
                    target.routing(),
                    doc.sourceJson(),
                    forceInternal.getOrDefault(target, false) ? null : doc.version())
                : BulkWrite.delete(target.id(), target.routing()));
      }
      if (writes.isEmpty()) {
        break;
      }
      List<BulkItemResult> results = write(index.destination(), writes);
      List<Target> again = new ArrayList<>();
      boolean throttled = false;
      for (int i = 0; i < results.size(); i++) {
        BulkItemResult result = results.get(i);
        Target target = writing.get(i);
        if (result.succeeded() || (writes.get(i).delete() && result.notFound())) {
          continue;
        }
        if (result.versionConflict()) {
          // Newer in the destination: fine if the source moved on (a later event follows);
          // otherwise the destination holds an earlier incarnation: overwrite it.
          DocumentRead reread = read(index.source(), List.of(target)).get(0);
          if (reread.failed()) {
            failed.put(target, unreadable(index, reread));
            continue;
          }
          StoredDocument now = reread.document();
          StoredDocument read = writingRead.get(i);
          if (now.found()
              && now.seqNo() == read.seqNo()
              && now.primaryTerm() == read.primaryTerm()) {
            forceInternal.put(target, true);
          }
          again.add(target);
        } else if (result.retryable()) {
          throttled = true;
          lastError.put(
              target, result.status() + " " + result.errorType() + ": " + result.reason());
          again.add(target);
        } else {
          rejected.put(
              target,
              "destination '"
                  + index.destination()
                  + "' refused document '"
                  + target.id()
                  + "': "
                  + result.errorType()
                  + ": "
                  + result.reason());
        }
      }
      if (throttled) {
        backoff(attempt);
      }
      pending = again;
    }
    return new Unapplied(rejected, fenced, failed);
  }

  private static String unreadable(IndexRecord index, DocumentRead read) {
    return "reading '"
        + read.ref().id()
        + "' from '"
        + index.source()
        + "' failed: "
        + read.errorType()
        + ": "
        + read.reason();
  }

  private List<DocumentRead> read(String index, List<Target> targets) {
    // One index record, one recipe: every target of a call reads from the same cluster.
    SearchCluster source = clusters.cluster(targets.get(0).sourceCluster());
    try {
      return source.multiGetEach(
          index, targets.stream().map(t -> new DocumentRef(t.id(), t.routing())).toList());
    } catch (SearchClusterException e) {
      throw new RetryableMigrationException(
          "reading " + index + " from the source failed: " + e.getMessage(), e);
    }
  }

  private List<BulkItemResult> write(String index, List<BulkWrite> writes) {
    try {
      return destination.bulk(index, writes);
    } catch (SearchClusterException e) {
      throw new RetryableMigrationException(
          "writing to " + index + " failed: " + e.getMessage(), e);
    }
  }

  private static void backoff(int attempt) {
    long ceiling = BASE_BACKOFF_MILLIS << Math.min(attempt, 6);
    try {
      // Full jitter: concurrent consumers hitting a busy cluster spread out.
      Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableMigrationException("interrupted while backing off", e);
    }
  }
}
