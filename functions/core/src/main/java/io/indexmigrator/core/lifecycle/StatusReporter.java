package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.SliceRecord;
import io.indexmigrator.core.state.SliceStatus;
import io.indexmigrator.core.state.StateStore;
import io.indexmigrator.core.state.SyncStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds a {@link StatusReport} from the state table alone, so status works without reaching the
 * cluster. Copied counts add up every slice; the rate is measured from the first slice's start to
 * the latest checkpoint.
 */
public final class StatusReporter {
  private final StateStore store;

  public StatusReporter(StateStore store) {
    this.store = store;
  }

  public Optional<StatusReport> status(String recipeName) {
    return store.getRecipe(recipeName).map(this::report);
  }

  private StatusReport report(RecipeRecord recipe) {
    List<IndexRecord> indexes = store.listIndexes(recipe.ref());
    List<SliceRecord> slices = store.listSlices(recipe.ref());
    List<StatusReport.IndexStatus> statuses = new ArrayList<>();
    long total = 0;
    long copied = 0;
    Instant earliest = null;
    Instant latest = null;
    for (IndexRecord index : indexes) {
      List<SliceRecord> own =
          slices.stream().filter(s -> s.source().equals(index.source())).toList();
      long indexCopied = 0;
      long failures = 0;
      List<String> reasons = new ArrayList<>();
      Instant first = null;
      Instant last = null;
      int done = 0;
      for (SliceRecord slice : own) {
        indexCopied += CopyCoordinator.copiedDocuments(slice.progress());
        failures += slice.progress().failures();
        reasons.addAll(slice.progress().failureReasons());
        if (slice.status() == SliceStatus.FAILED && slice.lastError() != null) {
          reasons.add("slice " + slice.sliceId() + ": " + slice.lastError());
        }
        if (slice.status() == SliceStatus.DONE) {
          done++;
        }
        first = min(first, slice.startedAt());
        last = max(last, slice.finishedAt() != null ? slice.finishedAt() : slice.lastPolledAt());
      }
      double rate = rate(indexCopied, first, last);
      statuses.add(
          new StatusReport.IndexStatus(
              index.source(),
              index.destination(),
              index.phase().name(),
              index.docsTotal(),
              indexCopied,
              failures,
              own.size(),
              done,
              rate,
              eta(index.docsTotal() - indexCopied, rate, done == own.size()),
              reasons.stream().limit(10).toList()));
      total += index.docsTotal();
      copied += indexCopied;
      earliest = min(earliest, first);
      latest = max(latest, last);
    }
    double rate = rate(copied, earliest, latest);
    boolean allDone = slices.stream().allMatch(s -> s.status() == SliceStatus.DONE);
    StatusReport.Rollover rollover =
        store
            .getRollover(recipe.ref())
            .map(
                r ->
                    new StatusReport.Rollover(
                        r.phase().name(),
                        r.writeBlockedMillis(),
                        r.verificationJson(),
                        r.failure(),
                        r.owner(),
                        r.leaseUntil() == null ? null : r.leaseUntil().toString(),
                        r.switchJson() == null
                            ? null
                            : StatusReport.Switch.of(
                                ClusterSwitch.SwitchState.parse(r.switchJson()).published())))
            .orElse(null);
    SyncStats stats = store.getSyncStats(recipe.ref());
    StatusReport.Sync sync =
        new StatusReport.Sync(
            syncMode(recipe),
            stats.applied(),
            stats.rejected(),
            stats.deferred(),
            Math.round(stats.appliedPerSecond() * 10) / 10.0,
            stats.lastLagMillis(),
            stats.lastAppliedAt() == null ? null : stats.lastAppliedAt().toString(),
            null,
            null,
            null);
    return new StatusReport(
        recipe.name(),
        recipe.generation(),
        recipe.status().name(),
        recipe.executionArn() == null
            ? null
            : new StatusReport.Execution(recipe.executionArn(), null),
        recipe.failure(),
        recipe.updatedAt() == null ? null : recipe.updatedAt().toString(),
        total,
        copied,
        rate,
        eta(total - copied, rate, allDone),
        statuses,
        sync,
        rollover,
        clusters(recipe));
  }

  /** The recipe's two clusters by name; engines are for a caller that can reach them. */
  private static StatusReport.Clusters clusters(RecipeRecord recipe) {
    String source = Clusters.DEFAULT;
    String destination = Clusters.DEFAULT;
    try {
      Recipe parsed = new RecipeLoader().parse(recipe.document());
      source = parsed.source().cluster();
      destination = parsed.destination().cluster();
    } catch (RuntimeException unreadable) {
      // An unreadable document says nothing more; the default is where the functions work.
    }
    return new StatusReport.Clusters(
        new StatusReport.Clusters.Side(source, null),
        new StatusReport.Clusters.Side(destination, null));
  }

  private static String syncMode(RecipeRecord recipe) {
    try {
      return new RecipeLoader().parse(recipe.document()).sync().mode().name().toLowerCase();
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private static double rate(long docs, Instant from, Instant to) {
    if (from == null || to == null || !to.isAfter(from)) {
      return 0;
    }
    double seconds = Duration.between(from, to).toMillis() / 1000.0;
    return Math.round(docs / seconds * 10) / 10.0;
  }

  private static Long eta(long remaining, double rate, boolean done) {
    if (done || remaining <= 0) {
      return done ? 0L : null;
    }
    return rate <= 0 ? null : (long) Math.ceil(remaining / rate);
  }

  private static Instant min(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }
}
