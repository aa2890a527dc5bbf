package io.indexmigrator.functions.sync;

import io.indexmigrator.core.sync.SyncControl;
import java.util.Map;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The sync consumer through the AWS APIs: its SQS event-source mapping (created disabled by
 * template.yaml, so events wait while the copy runs) and the depth of its queue.
 */
public final class AwsSyncControl implements SyncControl {
  private final LambdaClient lambda;
  private final String functionName;
  private final SqsClient sqs;
  private final String queueUrl;

  public AwsSyncControl(LambdaClient lambda, String functionName, SqsClient sqs, String queueUrl) {
    this.lambda = lambda;
    this.functionName = functionName;
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  @Override
  public void enableConsumer() {
    lambda
        .listEventSourceMappings(r -> r.functionName(functionName))
        .eventSourceMappings()
        .forEach(
            mapping -> {
              if (!"Enabled".equals(mapping.state()) && !"Enabling".equals(mapping.state())) {
                lambda.updateEventSourceMapping(r -> r.uuid(mapping.uuid()).enabled(true));
              }
            });
  }

  @Override
  public long backlog() {
    Map<QueueAttributeName, String> attributes =
        sqs.getQueueAttributes(
                r ->
                    r.queueUrl(queueUrl)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
            .attributes();
    return attributes.values().stream().mapToLong(Long::parseLong).sum();
  }
}
