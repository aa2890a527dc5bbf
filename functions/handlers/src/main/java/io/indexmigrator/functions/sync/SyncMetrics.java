package io.indexmigrator.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.StateStore;
import io.indexmigrator.core.sync.SyncOutcome;
import io.indexmigrator.functions.sqs.SqsMessages;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds the per-recipe sync counters that {@code status} shows. Counts are gathered in memory and
 * written at most every {@link #FLUSH_MILLIS} per execution environment: one state-table write per
 * batch cost the consumer more than the batch itself.
 */
final class SyncMetrics {
  static final long FLUSH_MILLIS = 2000;

  private final StateStore store;
  private final Clock clock;
  private final Map<RecipeRef, long[]> unflushed = new HashMap<>();
  private long maxLag;
  private long lastFlush;

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
    counts.forEach(
        (recipe, c) -> {
          long[] total = unflushed.computeIfAbsent(recipe, r -> new long[3]);
          for (int i = 0; i < 3; i++) {
            total[i] += c[i];
          }
        });
    maxLag = Math.max(maxLag, lag(messages));
    if (clock.millis() - lastFlush >= FLUSH_MILLIS) {
      flush();
    }
  }

  /** Writes what was counted since the last flush; the lag is the largest seen meanwhile. */
  void flush() {
    Instant now = clock.instant();
    unflushed.forEach((recipe, c) -> store.recordSyncBatch(recipe, c[0], c[1], c[2], maxLag, now));
    unflushed.clear();
    maxLag = 0;
    lastFlush = now.toEpochMilli();
  }

  /** Age of the oldest message: how far behind the source the destination was. */
  private long lag(List<SQSMessage> messages) {
    long now = clock.millis();
    long oldest = now;
    for (SQSMessage message : messages) {
      String sent = SqsMessages.attribute(message, "SentTimestamp");
      if (sent != null) {
        oldest = Math.min(oldest, Long.parseLong(sent));
      }
    }
    return now - oldest;
  }
}
