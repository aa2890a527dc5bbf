package io.indexmigrator.core.state;

import io.indexmigrator.core.RetryableMigrationException;
import java.time.Instant;

/**
 * Another invocation holds the lease on this idempotency key and has not finished. Retry later: the
 * lease runs out at {@link #leaseUntil()} if its holder died.
 */
public final class InProgressException extends RetryableMigrationException {
  private final String key;
  private final Instant leaseUntil;

  public InProgressException(String key, Instant leaseUntil) {
    super("'" + key + "' is in progress in another invocation (lease until " + leaseUntil + ")");
    this.key = key;
    this.leaseUntil = leaseUntil;
  }

  public String key() {
    return key;
  }

  public Instant leaseUntil() {
    return leaseUntil;
  }
}
