package io.indexmigrator.functions.sync;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse.BatchItemFailure;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.state.DynamoStateStore;
import io.indexmigrator.core.state.StateStore;
import io.indexmigrator.core.sync.SyncApplier;
import io.indexmigrator.core.sync.SyncOutcome;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangeEventCodec;
import io.indexmigrator.events.InvalidChangeEventException;
import io.indexmigrator.functions.AwsServiceClients;
import io.indexmigrator.functions.ClusterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync consumer: SQS batches of change events in, the destinations converged to the source.
 * Invalid and unappliable events go to the dead-letter queue with their reason; events of an index
 * still being copied, and events whose document the engine failed on alone, are reported failed so
 * SQS offers them again ({@link BatchDecisions}: on a FIFO queue with the later events of the same
 * document, and a failing document only a few times before it is dead-lettered with the reason).
 */
public final class SyncHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
  /** The environment variables this function reads; template.yaml must set each. */
  public static final List<String> ENVIRONMENT = SyncConfig.VARIABLES;

  /** Those of {@link #ENVIRONMENT} that have no default. */
  public static final List<String> REQUIRED_ENVIRONMENT = SyncConfig.REQUIRED;

  private static final Logger LOG = LoggerFactory.getLogger(SyncHandler.class);
  private static final ChangeEventCodec CODEC = new ChangeEventCodec();

  private final SyncApplier applier;
  private final DeadLetters deadLetters;
  private final SyncMetrics metrics;
  private final long unroutedGraceMillis;

  public SyncHandler() {
    this(SyncConfig.from(EnvironmentReader.system(ENVIRONMENT)));
  }

  private SyncHandler(SyncConfig config) {
    this(
        config,
        // Events of writes to a named cluster are re-read there; every write goes to the default.
        ClusterRegistry.connectDefault(config.clusters()),
        new DynamoStateStore(AwsServiceClients.dynamo(), config.stateTable()));
  }

  private SyncHandler(SyncConfig config, Clusters clusters, StateStore store) {
    this(
        new SyncApplier(store, clusters, Clock.systemUTC()),
        new DeadLetters(AwsServiceClients.sqs(), config.deadLetterQueueUrl(), config.queueUrl()),
        new SyncMetrics(store, Clock.systemUTC()),
        config.unroutedGraceSeconds() * 1000L);
  }

  SyncHandler(
      SyncApplier applier, DeadLetters deadLetters, SyncMetrics metrics, long unroutedGraceMillis) {
    this.applier = applier;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.unroutedGraceMillis = unroutedGraceMillis;
  }

  @Override
  public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
    List<SQSMessage> messages = event.getRecords() == null ? List.of() : event.getRecords();
    List<SQSMessage> valid = new ArrayList<>();
    List<ChangeEvent> events = new ArrayList<>();
    for (SQSMessage message : messages) {
      try {
        events.add(CODEC.parse(message.getBody()));
        valid.add(message);
      } catch (InvalidChangeEventException e) {
        deadLetters.send(message, "invalid change event: " + e.getMessage());
      }
    }
    List<SyncOutcome> outcomes;
    try {
      outcomes = applier.apply(events);
    } catch (RetryableMigrationException e) {
      LOG.warn("batch of {} events will be retried: {}", events.size(), e.getMessage());
      return new SQSBatchResponse(
          valid.stream().map(m -> new BatchItemFailure(m.getMessageId())).toList());
    }
    List<BatchItemFailure> failures = new ArrayList<>();
    List<SQSMessage> retried = new ArrayList<>();
    for (BatchDecisions.Decision decision :
        BatchDecisions.decide(valid, outcomes, System.currentTimeMillis(), unroutedGraceMillis)) {
      SQSMessage message = decision.message();
      switch (decision.action()) {
        case RETRY -> {
          failures.add(new BatchItemFailure(message.getMessageId()));
          retried.add(message);
        }
        case DEAD_LETTER -> deadLetters.send(message, decision.reason());
        case DONE -> {
          SyncOutcome outcome = decision.outcome();
          if (outcome.kind() == SyncOutcome.Kind.IGNORED && outcome.recipe() != null) {
            // Fenced by a rollover: a late event the operator may want to know about.
            LOG.warn("recipe {}: {}", outcome.recipe().name(), outcome.reason());
          }
        }
      }
    }
    metrics.batch(valid, outcomes);
    deadLetters.retrySoon(retried);
    return new SQSBatchResponse(failures);
  }
}
