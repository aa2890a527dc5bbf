package io.indexmigrator.core.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a piece of work at most once per key while its result is remembered, for callers that are
 * invoked at least once (Step Functions tasks, SQS messages). The first caller takes a lease and
 * runs the work; later callers get the stored result without running it; a caller arriving while
 * the work runs gets {@link InProgressException}. A lease whose holder died runs out after the
 * lease duration and is taken over. Work that throws leaves no record, so it may be retried.
 */
public final class IdempotencyGuard {
  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyGuard.class);
  private static final int ACQUIRE_ATTEMPTS = 3;

  private final IdempotencyLedger ledger;
  private final Clock clock;
  private final Duration lease;
  private final ObjectMapper json;

  /**
   * @param lease how long a caller may run the work before others may take over; at least the
   *     Lambda timeout, so a live holder never loses its lease
   */
  public IdempotencyGuard(IdempotencyLedger ledger, Clock clock, Duration lease) {
    this(ledger, clock, lease, JsonMapper.builder().addModule(new JavaTimeModule()).build());
  }

  public IdempotencyGuard(
      IdempotencyLedger ledger, Clock clock, Duration lease, ObjectMapper json) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lease = requirePositive("lease", lease);
    this.json = Objects.requireNonNull(json, "json");
  }

  /**
   * Returns the remembered result for {@code key}, or runs {@code work} and remembers its result
   * (serialized as JSON) for {@code ttl}.
   *
   * @throws InProgressException when another invocation holds the lease
   */
  public <T> T once(String key, Duration ttl, Class<T> resultType, Supplier<T> work) {
    Objects.requireNonNull(key, "key");
    requirePositive("ttl", ttl);
    for (int attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      Instant now = clock.instant();
      String leaseId = UUID.randomUUID().toString();
      IdempotencyRecord claim =
          new IdempotencyRecord(
              key,
              IdempotencyRecord.Status.IN_PROGRESS,
              leaseId,
              now.plus(lease),
              now.plus(ttl.compareTo(lease) > 0 ? ttl : lease),
              null);
      if (ledger.tryAcquire(claim, now)) {
        return runAndRemember(claim, ttl, resultType, work);
      }
      var existing = ledger.findIdempotency(key);
      if (existing.isEmpty() || existing.get().isTakeableAt(clock.instant())) {
        continue; // the blocking record went away between our write and our read
      }
      IdempotencyRecord found = existing.get();
      if (found.status() == IdempotencyRecord.Status.IN_PROGRESS) {
        throw new InProgressException(key, found.leaseUntil());
      }
      return read(key, found.resultJson(), resultType);
    }
    throw new InProgressException(key, clock.instant());
  }

  private <T> T runAndRemember(
      IdempotencyRecord claim, Duration ttl, Class<T> resultType, Supplier<T> work) {
    T result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      ledger.release(claim.key(), claim.leaseId());
      throw e;
    }
    String resultJson;
    try {
      resultJson =
          StateLimits.requireJsonSize(
              "result of '" + claim.key() + "'",
              json.writeValueAsString(result),
              StateLimits.MAX_RESULT_BYTES);
    } catch (JsonProcessingException e) {
      ledger.release(claim.key(), claim.leaseId());
      throw new IllegalArgumentException(
          "result of '" + claim.key() + "' cannot be written as JSON: " + e.getOriginalMessage(),
          e);
    } catch (IllegalArgumentException tooLarge) {
      ledger.release(claim.key(), claim.leaseId());
      throw tooLarge;
    }
    Instant done = clock.instant();
    boolean stored =
        ledger.complete(
            new IdempotencyRecord(
                claim.key(),
                IdempotencyRecord.Status.COMPLETED,
                claim.leaseId(),
                done,
                done.plus(ttl),
                resultJson));
    if (!stored) {
      // Our lease ran out and another invocation took over; the work ran twice, which the lease
      // duration is meant to prevent. Our caller still gets our result.
      LOG.warn(
          "lease on '{}' was lost before the result was stored; lease {} too short?",
          claim.key(),
          lease);
    }
    return result;
  }

  private <T> T read(String key, String resultJson, Class<T> resultType) {
    try {
      return json.readValue(resultJson, resultType);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "stored result of '"
              + key
              + "' is not a "
              + resultType.getSimpleName()
              + ": "
              + e.getOriginalMessage(),
          e);
    }
  }

  private static Duration requirePositive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be a positive duration, was " + d);
    }
    return d;
  }
}
