package io.indexmigrator.core.state;

import java.time.Instant;

/**
 * What the state table remembers about one idempotency key.
 *
 * @param leaseId identifies the invocation holding (or that held) the lease
 * @param leaseUntil when an IN_PROGRESS lease may be taken over
 * @param expiresAt when the record stops counting (and DynamoDB's TTL may delete it); second
 *     precision
 * @param resultJson the work's result once COMPLETED, else null
 */
public record IdempotencyRecord(
    String key,
    Status status,
    String leaseId,
    Instant leaseUntil,
    Instant expiresAt,
    String resultJson) {

  /** IN_PROGRESS while an invocation runs the work, COMPLETED once its result is stored. */
  public enum Status {
    IN_PROGRESS,
    COMPLETED
  }

  /**
   * Whether the record no longer blocks a new invocation at {@code now}; compared at the precision
   * the table stores (seconds for the expiry, milliseconds for the lease).
   */
  public boolean isTakeableAt(Instant now) {
    return expiresAt.getEpochSecond() < now.getEpochSecond()
        || (status == Status.IN_PROGRESS && leaseUntil.toEpochMilli() < now.toEpochMilli());
  }
}
