package io.indexmigrator.local.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The execution environments of one function: at most {@code maxConcurrency} at once, warm ones
 * reused most-recently-used first (as Lambda tends to), broken ones replaced.
 */
final class FunctionPool implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionPool.class);

  private final FunctionSpec spec;
  private final String functionArn;
  private final String region;
  private final ManagedRuntime runtime;
  private final Path functionDir;
  private final Semaphore slots;
  private final Deque<ExecutionEnvironment> idle = new ConcurrentLinkedDeque<>();
  private final Set<ExecutionEnvironment> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger started = new AtomicInteger();
  private volatile boolean closed;

  FunctionPool(
      FunctionSpec spec,
      String functionArn,
      String region,
      ManagedRuntime runtime,
      Path functionDir) {
    this.spec = spec;
    this.functionArn = functionArn;
    this.region = region;
    this.runtime = runtime;
    this.functionDir = functionDir;
    this.slots = new Semaphore(spec.maxConcurrency(), true);
  }

  FunctionSpec spec() {
    return spec;
  }

  String functionArn() {
    return functionArn;
  }

  /** How many execution environments were started so far (cold starts). */
  int coldStarts() {
    return started.get();
  }

  /**
   * Runs one invocation in a free environment, waiting up to {@code queueWait} for one.
   *
   * @throws ThrottledException if no environment became free in time
   */
  InvocationResult invoke(String requestId, byte[] payload, Duration queueWait)
      throws InterruptedException, ThrottledException {
    if (!slots.tryAcquire(queueWait.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new ThrottledException(spec.name());
    }
    try {
      ExecutionEnvironment environment = takeEnvironment();
      InvocationResult result = environment.invoke(requestId, payload);
      release(environment);
      if (environment.diedWhileIdle() && !closed) {
        LOG.info(
            "Environment {} had died while idle; retrying {} on a fresh one",
            environment.id(),
            requestId);
        ExecutionEnvironment fresh = takeEnvironment();
        result = fresh.invoke(requestId, payload);
        release(fresh);
      }
      return result;
    } finally {
      slots.release();
    }
  }

  private void release(ExecutionEnvironment environment) {
    if (environment.reusable() && !closed) {
      idle.push(environment);
    } else {
      retire(environment);
    }
  }

  private ExecutionEnvironment takeEnvironment() {
    ExecutionEnvironment environment;
    while ((environment = idle.poll()) != null) {
      if (environment.reusable()) {
        return environment;
      }
      retire(environment);
    }
    if (closed) {
      throw new IllegalStateException("Function " + spec.name() + " is shut down");
    }
    String id = spec.name() + "-" + started.incrementAndGet();
    try {
      environment =
          ExecutionEnvironment.launch(spec, functionArn, region, id, runtime, functionDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    live.add(environment);
    LOG.info("Cold start of {} (environment {}, log {})", spec.name(), id, environment.logFile());
    return environment;
  }

  private void retire(ExecutionEnvironment environment) {
    live.remove(environment);
    environment.close();
  }

  @Override
  public void close() {
    closed = true;
    idle.clear();
    live.forEach(ExecutionEnvironment::close);
    live.clear();
  }

  /** No execution environment became free within the queue wait. */
  static final class ThrottledException extends Exception {
    ThrottledException(String functionName) {
      super("Rate Exceeded. (" + functionName + " is at its maximum concurrency)");
    }
  }
}
