package io.indexmigrator.functions.smoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.core.smoke.SmokeSteps;
import io.indexmigrator.functions.AwsServiceClients;
import io.indexmigrator.functions.sqs.SqsBatchProcessor;
import java.util.List;

/** Consumes the smoke queue: records good messages, refuses poison ones (they reach the DLQ). */
public final class SmokeQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
  /** The environment variables this function reads; template.yaml must set each. */
  public static final List<String> ENVIRONMENT = SmokeConfig.QUEUE_CONSUMER_VARIABLES;

  /** Those of {@link #ENVIRONMENT} that have no default. */
  public static final List<String> REQUIRED_ENVIRONMENT = SmokeConfig.QUEUE_CONSUMER_VARIABLES;

  private final SmokeSteps steps;

  public SmokeQueueHandler() {
    this(
        new SmokeSteps(
            AwsServiceClients.dynamo(),
            null,
            SmokeConfig.forQueueConsumer(EnvironmentReader.system(ENVIRONMENT)).stateTable(),
            null,
            null));
  }

  SmokeQueueHandler(SmokeSteps steps) {
    this.steps = steps;
  }

  @Override
  public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
    return SqsBatchProcessor.process(event, message -> steps.acceptMessage(message.getBody()));
  }
}
