package io.indexmigrator.core.lifecycle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Cluster calls that run at once: under a write block every round trip is time the application
 * waits, and at the end of a copy every index waits for its refresh.
 *
 * @param executor where the reads run; {@link #VIRTUAL} in production (nothing outlives a finished
 *     Lambda invocation), the calling thread in tests whose cluster double is single-threaded
 */
record ConcurrentReads(Executor executor) {
  static final ConcurrentReads VIRTUAL =
      new ConcurrentReads(Executors.newVirtualThreadPerTaskExecutor());

  /** Each read in the calling thread, one after another. */
  static final ConcurrentReads IN_TURN = new ConcurrentReads(Runnable::run);

  <T> CompletableFuture<T> start(Supplier<T> read) {
    return CompletableFuture.supplyAsync(read, executor);
  }

  /** The result, or the read's own exception (a cluster error stays a cluster error). */
  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
