package io.indexmigrator.core.lifecycle;

import java.util.List;

/**
 * A recipe's progress, as {@code migrator status --json} prints it. Field names are a documented,
 * stable interface (docs/status.md).
 *
 * @param state the recipe's status (INITIALIZED, RUNNING, COPIED, ..., CANCELLED, FAILED)
 * @param execution the current Step Functions execution, or null before the first run
 */
public record StatusReport(
    String recipe,
    int generation,
    String state,
    Execution execution,
    String failure,
    String updatedAt,
    long docsTotal,
    long docsCopied,
    double ratePerSecond,
    Long etaSeconds,
    List<IndexStatus> indexes,
    Sync sync,
    Rollover rollover,
    Clusters clusters) {

  /**
   * The live sync: {@code mode} none, events or poll; counters of the consumer; the queue depths
   * are filled in by the caller that can read the queues (null otherwise).
   *
   * @param lagMillis age of the oldest unapplied event, as far as it is known: 0 once the queue
   *     holds nothing, else the age of the oldest event of the last applied batch when it was
   *     applied (the consumer receives the oldest events first)
   * @param pollCheckpoints for {@code poll}: per source index, per shard, the last {@code _seq_no}
   *     applied
   */
  public record Sync(
      String mode,
      long applied,
      long rejected,
      long deferred,
      double appliedPerSecond,
      Long lagMillis,
      String lastAppliedAt,
      Long queueDepth,
      Long deadLetterDepth,
      java.util.Map<String, java.util.Map<Integer, Long>> pollCheckpoints) {
    /** With the queues' depths; an empty sync queue (nothing visible or in flight) means no lag. */
    public Sync withQueues(Long depth, Long deadLetters) {
      return new Sync(
          mode,
          applied,
          rejected,
          deferred,
          appliedPerSecond,
          depth != null && depth == 0 ? Long.valueOf(0) : lagMillis,
          lastAppliedAt,
          depth,
          deadLetters,
          pollCheckpoints);
    }

    public Sync withPollCheckpoints(
        java.util.Map<String, java.util.Map<Integer, Long>> checkpoints) {
      return new Sync(
          mode,
          applied,
          rejected,
          deferred,
          appliedPerSecond,
          lagMillis,
          lastAppliedAt,
          queueDepth,
          deadLetterDepth,
          checkpoints);
    }
  }

  public StatusReport withSync(Sync newSync) {
    return new StatusReport(
        recipe,
        generation,
        state,
        execution,
        failure,
        updatedAt,
        docsTotal,
        docsCopied,
        ratePerSecond,
        etaSeconds,
        indexes,
        newSync,
        rollover,
        clusters);
  }

  /**
   * @param status RUNNING, SUCCEEDED, FAILED, ABORTED, TIMED_OUT, or UNKNOWN when unreadable
   */
  public record Execution(String arn, String status) {}

  /**
   * @param docsTotal documents in the source when the recipe was initialized
   * @param docsCopied documents the copy tasks wrote, all slices counted
   * @param ratePerSecond documents per second since the copy started
   * @param etaSeconds remaining documents at that rate, or null when unknown or done
   */
  public record IndexStatus(
      String source,
      String destination,
      String phase,
      long docsTotal,
      long docsCopied,
      long failures,
      int slices,
      int slicesDone,
      double ratePerSecond,
      Long etaSeconds,
      List<String> failureReasons) {}

  /**
   * The last rollover.
   *
   * @param owner who runs it now (a rollover execution's ARN), or null when none does
   * @param leaseUntil until when that owner holds it, or null
   * @param endpointSwitch for a cross-cluster rollover, the switch it published (the document
   *     applications read); whether it still stands is in {@code phase}: SWITCHED until commit
   *     (then UNBLOCKED) or rollback (then ROLLED_BACK)
   */
  public record Rollover(
      String phase,
      Long writeBlockedMillis,
      String verification,
      String failure,
      String owner,
      String leaseUntil,
      Switch endpointSwitch) {}

  /** A published switch as status shows it; the fields are those of the switch document. */
  public record Switch(
      String id,
      String state,
      String cluster,
      String endpoint,
      String previousCluster,
      String previousEndpoint,
      java.util.Map<String, String> aliases,
      String at) {
    static Switch of(io.indexmigrator.core.publish.EndpointSwitch change) {
      return new Switch(
          change.id(),
          change.state(),
          change.cluster(),
          change.endpoint(),
          change.previousCluster(),
          change.previousEndpoint(),
          change.aliases(),
          change.at() == null ? null : change.at().toString());
    }
  }

  public StatusReport withExecution(Execution newExecution) {
    return new StatusReport(
        recipe,
        generation,
        state,
        newExecution,
        failure,
        updatedAt,
        docsTotal,
        docsCopied,
        ratePerSecond,
        etaSeconds,
        indexes,
        sync,
        rollover,
        clusters);
  }

  /**
   * The clusters the recipe reads from and writes to, by the names recipes use, with the engine
   * each runs as far as the caller could ask it (null otherwise).
   */
  public record Clusters(Side source, Side destination) {
    /** One side: {@code name} as in the recipe, {@code engine} e.g. {@code opensearch 2.19.6}. */
    public record Side(String name, String engine) {}

    public Clusters withEngines(String sourceEngine, String destinationEngine) {
      return new Clusters(
          new Side(source.name(), sourceEngine), new Side(destination.name(), destinationEngine));
    }
  }

  public StatusReport withClusters(Clusters newClusters) {
    return new StatusReport(
        recipe,
        generation,
        state,
        execution,
        failure,
        updatedAt,
        docsTotal,
        docsCopied,
        ratePerSecond,
        etaSeconds,
        indexes,
        sync,
        rollover,
        newClusters);
  }
}
