package io.indexmigrator.core.state;

import java.time.Instant;
import java.util.Objects;

/**
 * The checkpoint and report of a recipe's rollover; a rollover resumed after a crash starts from
 * the last phase recorded here.
 *
 * @param writeBlockedMillis how long writes to the sources were blocked, once known
 * @param verificationJson the verifier's summary as JSON (at most 100 KB), or null
 * @param drainedBacklog how many sync events were applied while writes were blocked
 * @param failure why the rollover failed, or null
 * @param switchJson what a cross-cluster cut-over published or is about to publish (the {@code
 *     EndpointSwitch} and the destinations' shard checkpoints at the switch), or null
 * @param owner who holds the rollover lease (a Step Functions execution, a CLI call), or null
 * @param leaseUntil until when {@code owner} may act alone: past it, the owner is known to have
 *     stopped (it outlives every Lambda timeout), and the next rollover or cancel may take over
 */
public record RolloverRecord(
    String recipeName,
    int generation,
    RolloverPhase phase,
    Instant blockedAt,
    Instant unblockedAt,
    Long writeBlockedMillis,
    String verificationJson,
    Long drainedBacklog,
    String failure,
    String switchJson,
    String owner,
    Instant leaseUntil,
    long version) {

  public RolloverRecord {
    new RecipeRef(recipeName, generation);
    Objects.requireNonNull(phase, "phase");
    StateLimits.requireJsonSize(
        "rollover verification of '" + recipeName + "'",
        verificationJson,
        StateLimits.MAX_VERIFICATION_BYTES);
    failure = StateLimits.truncate(failure, StateLimits.MAX_MESSAGE_CHARS);
  }

  /** A rollover that has just blocked writes (version 0: not yet written). */
  public static RolloverRecord blocked(RecipeRef recipe, Instant blockedAt) {
    return new RolloverRecord(
        recipe.name(),
        recipe.generation(),
        RolloverPhase.BLOCKED,
        blockedAt,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        0);
  }

  public RecipeRef recipe() {
    return new RecipeRef(recipeName, generation);
  }

  public RolloverRecord withPhase(RolloverPhase newPhase) {
    return new RolloverRecord(
        recipeName,
        generation,
        newPhase,
        blockedAt,
        unblockedAt,
        writeBlockedMillis,
        verificationJson,
        drainedBacklog,
        failure,
        switchJson,
        owner,
        leaseUntil,
        version);
  }

  public RolloverRecord withVerification(String json) {
    return new RolloverRecord(
        recipeName,
        generation,
        phase,
        blockedAt,
        unblockedAt,
        writeBlockedMillis,
        json,
        drainedBacklog,
        failure,
        switchJson,
        owner,
        leaseUntil,
        version);
  }

  public RolloverRecord withUnblocked(Instant at, long drained) {
    Long blockedFor = blockedAt == null ? null : at.toEpochMilli() - blockedAt.toEpochMilli();
    return new RolloverRecord(
        recipeName,
        generation,
        phase,
        blockedAt,
        at,
        blockedFor,
        verificationJson,
        drained,
        failure,
        switchJson,
        owner,
        leaseUntil,
        version);
  }

  /** The measured write-blocked window, more exact than the difference of the two instants. */
  public RolloverRecord withWriteBlockedMillis(long millis) {
    return new RolloverRecord(
        recipeName,
        generation,
        phase,
        blockedAt,
        unblockedAt,
        millis,
        verificationJson,
        drainedBacklog,
        failure,
        switchJson,
        owner,
        leaseUntil,
        version);
  }

  public RolloverRecord withFailure(String message) {
    return new RolloverRecord(
        recipeName,
        generation,
        RolloverPhase.FAILED,
        blockedAt,
        unblockedAt,
        writeBlockedMillis,
        verificationJson,
        drainedBacklog,
        message,
        switchJson,
        owner,
        leaseUntil,
        version);
  }

  public RolloverRecord withBlockedAt(Instant at) {
    return new RolloverRecord(
        recipeName,
        generation,
        phase,
        at,
        unblockedAt,
        writeBlockedMillis,
        verificationJson,
        drainedBacklog,
        failure,
        switchJson,
        owner,
        leaseUntil,
        version);
  }

  public RolloverRecord withDrained(long drained) {
    return new RolloverRecord(
        recipeName,
        generation,
        phase,
        blockedAt,
        unblockedAt,
        writeBlockedMillis,
        verificationJson,
        drained,
        failure,
        switchJson,
        owner,
        leaseUntil,
        version);
  }

  /** Held by {@code newOwner} until {@code until}; null for both releases the lease. */
  public RolloverRecord withLease(String newOwner, Instant until) {
    return new RolloverRecord(
        recipeName,
        generation,
        phase,
        blockedAt,
        unblockedAt,
        writeBlockedMillis,
        verificationJson,
        drainedBacklog,
        failure,
        switchJson,
        newOwner,
        until,
        version);
  }

  /** Whether someone holds the lease at {@code now}. */
  public boolean leaseHeld(Instant now) {
    return owner != null && leaseUntil != null && now.isBefore(leaseUntil);
  }

  /** A new attempt: the outcome of an earlier one is forgotten, the lease is kept. */
  public RolloverRecord restarted(RolloverPhase newPhase) {
    return new RolloverRecord(
        recipeName,
        generation,
        newPhase,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        owner,
        leaseUntil,
        version);
  }

  /** What the cut-over publishes (or published); see {@link #switchJson()}. */
  public RolloverRecord withSwitch(String json) {
    return new RolloverRecord(
        recipeName,
        generation,
        phase,
        blockedAt,
        unblockedAt,
        writeBlockedMillis,
        verificationJson,
        drainedBacklog,
        failure,
        json,
        owner,
        leaseUntil,
        version);
  }

  RolloverRecord withVersion(long newVersion) {
    return new RolloverRecord(
        recipeName,
        generation,
        phase,
        blockedAt,
        unblockedAt,
        writeBlockedMillis,
        verificationJson,
        drainedBacklog,
        failure,
        switchJson,
        owner,
        leaseUntil,
        newVersion);
  }
}
