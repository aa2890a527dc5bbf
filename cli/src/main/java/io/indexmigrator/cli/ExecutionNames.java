package io.indexmigrator.cli;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Names for the executions the CLI starts. Step Functions treats a second StartExecution with the
 * same name and input as the same execution, so two operators starting a rollover in the same
 * millisecond would both attach to one execution and both report its success. A random suffix makes
 * every start its own execution, and the lease decides which one may proceed.
 */
final class ExecutionNames {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Execution names allow 80 characters of [A-Za-z0-9-_]. */
  static final int MAX = 80;

  /**
   * The copy's continue-as-new appends "-rN" to the first 70 characters of its name; a run's name
   * stays within them so each round keeps the random suffix.
   */
  static final int MAX_RUN = 70;

  private ExecutionNames() {}

  static String unique(String recipe, String purpose, Instant now, int max) {
    byte[] random = new byte[4];
    RANDOM.nextBytes(random);
    String tail = "-" + purpose + "-" + now.toEpochMilli() + "-" + HexFormat.of().formatHex(random);
    String safe = recipe.replaceAll("[^A-Za-z0-9_-]", "-");
    return safe.substring(0, Math.min(safe.length(), max - tail.length())) + tail;
  }
}
