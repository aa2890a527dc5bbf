package io.indexmigrator.core.sync;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.lifecycle.Lifecycle;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.sync.poll.PollCheckpoints;
import io.indexmigrator.core.sync.poll.PollResult;
import io.indexmigrator.core.sync.poll.SeqNoPoller;
import java.time.Duration;
import java.util.List;

/**
 * {@code sync: poll}: the source's new operations, found by {@code _seq_no} per shard, fed to the
 * same {@link SyncApplier} as published events. Checkpoints are taken when the copy starts, so
 * everything written during the copy is picked up once it is done.
 */
public final class PollSync {
  private static final int PAGE_SIZE = 1000;
  private static final int MAX_DOCS_PER_INDEX = 20_000;

  private final Lifecycle lifecycle;
  private final PollCheckpoints checkpoints;
  private final SyncApplier applier;

  public PollSync(Lifecycle lifecycle, PollCheckpoints checkpoints) {
    this.lifecycle = lifecycle;
    this.checkpoints = checkpoints;
    this.applier = new SyncApplier(lifecycle.store(), lifecycle.clusters(), lifecycle.clock());
  }

  /** The cluster a recipe's sources are polled on, by the name recipes use. */
  private String sourceCluster(RecipeRef recipe) {
    RecipeRecord record =
        lifecycle
            .store()
            .getRecipe(recipe.name())
            .orElseThrow(
                () -> new MigrationFailedException("no recipe named '" + recipe.name() + "'"));
    return new RecipeLoader().parse(record.document()).source().cluster();
  }

  private SeqNoPoller poller(String cluster) {
    return new SeqNoPoller(lifecycle.clusters().cluster(cluster), checkpoints, PAGE_SIZE);
  }

  /** Takes each source's checkpoints; shards that already have one keep it (a resumed run). */
  public void begin(RecipeRef recipe) {
    SeqNoPoller poller = poller(sourceCluster(recipe));
    for (IndexRecord index : lifecycle.store().listIndexes(recipe)) {
      poller.begin(recipe.name(), recipe.generation(), index.source());
    }
  }

  /** What one round found: events applied, and whether every shard is caught up. */
  public record Round(long applied, boolean caughtUp) {}

  /** Polls every index of the recipe once, within {@code budget}, applying what it finds. */
  public Round pollOnce(RecipeRef recipe, Duration budget) {
    List<IndexRecord> indexes = lifecycle.store().listIndexes(recipe);
    String cluster = sourceCluster(recipe);
    SeqNoPoller poller = poller(cluster);
    long applied = 0;
    boolean caughtUp = true;
    Duration share = budget.dividedBy(Math.max(1, indexes.size()));
    for (IndexRecord index : indexes) {
      PollResult result =
          poller.poll(
              recipe.name(),
              recipe.generation(),
              index.source(),
              MAX_DOCS_PER_INDEX,
              share,
              // The polled changes are of the source cluster's indexes: say so to the applier.
              events -> apply(events.stream().map(e -> e.onCluster(cluster)).toList()));
      applied += result.documentsEmitted();
      caughtUp &= !result.moreRemaining();
    }
    return new Round(applied, caughtUp);
  }

  /** Polls until every shard is caught up (used under the rollover's write block). */
  public long drain(RecipeRef recipe, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long applied = 0;
    while (true) {
      Round round = pollOnce(recipe, Duration.ofSeconds(5));
      applied += round.applied();
      if (round.caughtUp()) {
        return applied;
      }
      if (System.nanoTime() > deadline) {
        throw new MigrationFailedException(
            "polling did not catch up within " + timeout.toSeconds() + " s");
      }
    }
  }

  private void apply(List<io.indexmigrator.events.ChangeEvent> events) {
    for (SyncOutcome outcome : applier.apply(events)) {
      if (outcome.kind() == SyncOutcome.Kind.DEFERRED
          || outcome.kind() == SyncOutcome.Kind.REJECTED
          || outcome.kind() == SyncOutcome.Kind.FAILED) {
        // The checkpoint must not move past an event that was not applied.
        throw new MigrationFailedException(
            "polled change of '"
                + outcome.event().index()
                + "/"
                + outcome.event().id()
                + "' not applied: "
                + outcome.reason());
      }
    }
  }
}
