package io.indexmigrator.core.state;

import java.time.Instant;
import java.util.Optional;

/**
 * Conditional storage for {@link IdempotencyGuard}. Implemented by both state stores, on the same
 * table as the migration state.
 */
public interface IdempotencyLedger {

  /**
   * Records {@code claim} (IN_PROGRESS) if there is no record for its key, or the record has
   * expired, or it is IN_PROGRESS with a lease that ran out, all judged at {@code now}.
   *
   * @return whether the lease was taken
   */
  boolean tryAcquire(IdempotencyRecord claim, Instant now);

  Optional<IdempotencyRecord> findIdempotency(String key);

  /**
   * Replaces the IN_PROGRESS record with {@code completed} if it still carries the same lease id.
   *
   * @return false when the lease was lost to another invocation (its record is kept)
   */
  boolean complete(IdempotencyRecord completed);

  /** Deletes the record if it is still IN_PROGRESS under {@code leaseId}, so a retry may run. */
  void release(String key, String leaseId);
}
