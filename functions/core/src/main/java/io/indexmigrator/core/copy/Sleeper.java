package io.indexmigrator.core.copy;

import java.time.Duration;

/** Waits between attempts; tests substitute one that records the waits instead. */
@FunctionalInterface
public interface Sleeper {
  void sleep(Duration duration) throws InterruptedException;

  /** Sleeps the calling thread. */
  static Sleeper system() {
    return duration -> Thread.sleep(duration);
  }
}
