package io.indexmigrator.local.aws;

import io.indexmigrator.local.template.Resources;
import io.indexmigrator.local.template.Resources.Queue;
import io.indexmigrator.local.template.Resources.Table;
import io.indexmigrator.local.template.SamTemplate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates the tables and queues a template declares. Idempotent: what exists is left alone, so a
 * restarted twin keeps its data.
 */
public final class TemplateProvisioner {
  private TemplateProvisioner() {}

  public static void provision(SamTemplate template, DynamoDbClient dynamo, SqsClient sqs) {
    template.tables().forEach(t -> createTable(dynamo, t));
    // Dead-letter queues first: a redrive policy must name a queue that exists.
    List<Queue> ordered = new ArrayList<>(template.queues());
    ordered.sort(
        (a, b) -> Boolean.compare(a.redrivePolicy().isPresent(), b.redrivePolicy().isPresent()));
    for (Queue queue : ordered) {
      createQueue(template, sqs, queue);
    }
  }

  private static void createTable(DynamoDbClient dynamo, Table table) {
    var request =
        CreateTableRequest.builder()
            .tableName(table.tableName())
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .attributeDefinitions(
                table.attributeTypes().entrySet().stream()
                    .map(
                        e ->
                            AttributeDefinition.builder()
                                .attributeName(e.getKey())
                                .attributeType(e.getValue())
                                .build())
                    .toList())
            .keySchema(keySchema(table.keySchema()));
    if (!table.globalSecondaryIndexes().isEmpty()) {
      request.globalSecondaryIndexes(
          table.globalSecondaryIndexes().stream()
              .map(
                  g ->
                      GlobalSecondaryIndex.builder()
                          .indexName(g.indexName())
                          .keySchema(keySchema(g.keySchema()))
                          .projection(
                              Projection.builder().projectionType(g.projectionType()).build())
                          .build())
              .toList());
    }
    table
        .streamViewType()
        .ifPresent(
            view ->
                request.streamSpecification(
                    StreamSpecification.builder()
                        .streamEnabled(true)
                        .streamViewType(view)
                        .build()));
    try {
      dynamo.createTable(request.build());
    } catch (ResourceInUseException alreadyThere) {
      // Provisioning is idempotent; a restarted twin keeps its tables.
    }
    table.ttlAttribute().ifPresent(attribute -> enableTimeToLive(dynamo, table, attribute));
  }

  private static List<KeySchemaElement> keySchema(List<Resources.KeyElement> keys) {
    return keys.stream()
        .map(
            k ->
                KeySchemaElement.builder()
                    .attributeName(k.attributeName())
                    .keyType(k.keyType())
                    .build())
        .toList();
  }

  private static void enableTimeToLive(DynamoDbClient dynamo, Table table, String attribute) {
    var current =
        dynamo.describeTimeToLive(r -> r.tableName(table.tableName())).timeToLiveDescription();
    if (current != null
        && attribute.equals(current.attributeName())
        && current.timeToLiveStatus() == TimeToLiveStatus.ENABLED) {
      return;
    }
    dynamo.updateTimeToLive(
        r ->
            r.tableName(table.tableName())
                .timeToLiveSpecification(s -> s.attributeName(attribute).enabled(true)));
  }

  private static void createQueue(SamTemplate template, SqsClient sqs, Queue queue) {
    Map<QueueAttributeName, String> attributes = new HashMap<>();
    attributes.put(
        QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(queue.visibilityTimeoutSeconds()));
    attributes.put(
        QueueAttributeName.MESSAGE_RETENTION_PERIOD,
        String.valueOf(queue.messageRetentionSeconds()));
    attributes.put(QueueAttributeName.DELAY_SECONDS, String.valueOf(queue.delaySeconds()));
    if (queue.fifo()) {
      attributes.put(QueueAttributeName.FIFO_QUEUE, "true");
      attributes.put(
          QueueAttributeName.CONTENT_BASED_DEDUPLICATION,
          String.valueOf(queue.contentBasedDeduplication()));
    }
    queue
        .redrivePolicy()
        .ifPresent(
            policy ->
                attributes.put(
                    QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\""
                        + template.queue(policy.deadLetterQueueLogicalId()).arn()
                        + "\",\"maxReceiveCount\":\""
                        + policy.maxReceiveCount()
                        + "\"}"));
    sqs.createQueue(r -> r.queueName(queue.queueName()).attributes(attributes));
  }
}
