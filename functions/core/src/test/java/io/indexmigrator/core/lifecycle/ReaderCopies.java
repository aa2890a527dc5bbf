package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.copy.ShardCopy;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;

/** The reader engine as the copy tests drive it: in memory, no retry waits, seeded jitter. */
final class ReaderCopies {
  private ReaderCopies() {}

  /** No step budget: one page per step, so every step boundary and checkpoint is exercised. */
  static CopyCoordinator onePagePerStep(Lifecycle lifecycle) {
    return new CopyCoordinator(
        lifecycle,
        new ReaderCopyEngine(
            lifecycle,
            (source, destination, pageSize) ->
                new ShardCopy(
                    source,
                    destination,
                    new ShardCopy.Options(
                        pageSize, Duration.ofMinutes(1), 3, Duration.ZERO, Duration.ZERO),
                    Clock.systemUTC(),
                    d -> {},
                    new SplittableRandom(1)),
            Duration.ZERO),
        ConcurrentReads.IN_TURN);
  }
}
