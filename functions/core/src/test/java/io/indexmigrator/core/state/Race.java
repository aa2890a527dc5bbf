package io.indexmigrator.core.state;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs N contenders released at the same instant and collects how each ended. */
final class Race {
  /** One contender's end: a result, or the exception it threw. */
  record Outcome<T>(T result, Throwable failure) {
    boolean won() {
      return failure == null;
    }
  }

  private Race() {}

  static <T> List<Outcome<T>> run(int contenders, IntFunction<Callable<T>> contender)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < contenders; i++) {
        Callable<T> work = contender.apply(i);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return work.call();
                }));
      }
      start.countDown();
      List<Outcome<T>> outcomes = new ArrayList<>();
      for (Future<T> future : futures) {
        try {
          outcomes.add(new Outcome<>(future.get(30, TimeUnit.SECONDS), null));
        } catch (java.util.concurrent.ExecutionException e) {
          outcomes.add(new Outcome<>(null, e.getCause()));
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError("a contender did not finish within 30 s", e);
        }
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }
}
