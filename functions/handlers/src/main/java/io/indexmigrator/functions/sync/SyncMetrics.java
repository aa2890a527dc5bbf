package io.indexmigrator.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.StateStore;
import io.indexmigrator.core.sync.SyncOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Feeds the per-recipe sync counters that {@code status} shows. */
final class SyncMetrics {
  private final StateStore store;
  private final Clock clock;

  SyncMetrics(StateStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Counts one batch: outcomes per recipe, and the age of the batch's oldest message as lag. */
  void batch(List<SQSMessage> messages, List<SyncOutcome> outcomes) {
    Map<RecipeRef, long[]> counts = new HashMap<>();
    for (SyncOutcome outcome : outcomes) {
      if (outcome.recipe() == null) {
        continue;
      }
      long[] c = counts.computeIfAbsent(outcome.recipe(), r -> new long[3]);
      switch (outcome.kind()) {
        case APPLIED -> c[0]++;
        case REJECTED -> c[1]++;
        case DEFERRED -> c[2]++;
        default -> {
          // Ignored events belong to no running migration.
        }
      }
    }
    long lag = lag(messages);
    Instant now = clock.instant();
    counts.forEach((recipe, c) -> store.recordSyncBatch(recipe, c[0], c[1], c[2], lag, now));
  }

  /** Age of the oldest message: how far behind the source the destination was. */
  private long lag(List<SQSMessage> messages) {
    long now = clock.millis();
    long oldest = now;
    for (SQSMessage message : messages) {
      String sent =
          message.getAttributes() == null ? null : message.getAttributes().get("SentTimestamp");
      if (sent != null) {
        oldest = Math.min(oldest, Long.parseLong(sent));
      }
    }
    return now - oldest;
  }
}
