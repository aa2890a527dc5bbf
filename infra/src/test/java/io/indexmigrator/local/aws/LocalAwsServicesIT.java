package io.indexmigrator.local.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.local.template.LocalAccount;
import io.indexmigrator.local.template.SamTemplate;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class LocalAwsServicesIT {
  @TempDir static Path dataDir;
  static LocalDynamoDb dynamoDb;
  static LocalSqs sqs;
  static DynamoDbClient dynamo;
  static SqsClient sqsClient;
  static SamTemplate template;

  @BeforeAll
  static void start() {
    dynamoDb = LocalDynamoDb.start(0, Optional.of(dataDir.resolve("dynamodb")));
    int sqsPort = Ports.freeOr(0);
    LocalAccount account = LocalAccount.of("it", "http://127.0.0.1:" + sqsPort);
    sqs = LocalSqs.start(sqsPort, account.region(), account.accountId());
    dynamo = AwsClients.dynamo(dynamoDb.endpoint(), account.region());
    sqsClient = AwsClients.sqs(sqs.endpoint(), account.region());
    template =
        SamTemplate.load(
            Path.of("..", "template.yaml"), account, Map.of("ClusterEndpoint", "http://x"));
    TemplateProvisioner.provision(template, dynamo, sqsClient);
  }

  @AfterAll
  static void stop() {
    sqs.close();
    dynamoDb.close();
  }

  @Test
  void stateTable_supportsConditionalWrites() {
    String table = template.tables().get(0).tableName();
    var item = Map.of("pk", AttributeValue.fromS("recipe#a"), "sk", AttributeValue.fromS("meta"));
    dynamo.putItem(
        r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));

    assertThatThrownBy(
            () ->
                dynamo.putItem(
                    r ->
                        r.tableName(table)
                            .item(item)
                            .conditionExpression("attribute_not_exists(pk)")))
        .isInstanceOf(ConditionalCheckFailedException.class);
  }

  @Test
  void queues_existAtTheUrlsTheTemplateResolvedWithTheirRedrivePolicy() {
    var smoke = template.queue("SmokeQueue");
    var attributes =
        sqsClient
            .getQueueAttributes(r -> r.queueUrl(smoke.url()).attributeNames(QueueAttributeName.ALL))
            .attributes();

    assertThat(attributes.get(QueueAttributeName.QUEUE_ARN)).isEqualTo(smoke.arn());
    assertThat(attributes.get(QueueAttributeName.REDRIVE_POLICY))
        .contains(template.queue("SmokeDeadLetterQueue").arn())
        .contains("2");
    assertThat(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("10");
  }

  @Test
  void fifoQueue_deduplicatesAndKeepsEachGroupsOrder_withTheTwinsHistory() {
    assertThat(LocalSqs.fifoClassesReplaced()).isTrue();
    String url = template.queue("SyncQueue").url();
    String first = sendOnce(url, "a");
    String again = sendOnce(url, "a");
    assertThat(again).isEqualTo(first);
    int sent = 2_000;
    for (int from = 0; from < sent; from += 10) {
      int start = from;
      sqsClient.sendMessageBatch(
          r ->
              r.queueUrl(url)
                  .entries(
                      java.util.stream.IntStream.range(start, start + 10)
                          .mapToObj(
                              i ->
                                  software.amazon.awssdk.services.sqs.model
                                      .SendMessageBatchRequestEntry.builder()
                                      .id("e" + i)
                                      .messageBody(Integer.toString(i))
                                      .messageGroupId("g" + (i % 7))
                                      .messageDeduplicationId("d" + i)
                                      .build())
                          .toList()));
    }
    Map<String, Integer> lastPerGroup = new java.util.HashMap<>();
    java.util.List<String> bodies = new java.util.ArrayList<>();
    while (true) {
      var messages =
          sqsClient
              .receiveMessage(
                  r ->
                      r.queueUrl(url)
                          .maxNumberOfMessages(10)
                          .messageSystemAttributeNamesWithStrings("MessageGroupId"))
              .messages();
      if (messages.isEmpty()) {
        break;
      }
      for (var message : messages) {
        bodies.add(message.body());
        if (!message.body().equals("a")) {
          String group = message.attributesAsStrings().get("MessageGroupId");
          int n = Integer.parseInt(message.body());
          assertThat(n).isGreaterThan(lastPerGroup.getOrDefault(group, -1));
          lastPerGroup.put(group, n);
        }
        sqsClient.deleteMessage(r -> r.queueUrl(url).receiptHandle(message.receiptHandle()));
      }
    }
    assertThat(bodies).hasSize(sent + 1).containsOnlyOnce("a");
  }

  private static String sendOnce(String url, String body) {
    return sqsClient
        .sendMessage(
            r ->
                r.queueUrl(url).messageBody(body).messageGroupId("g0").messageDeduplicationId(body))
        .messageId();
  }

  @Test
  void provisioning_isIdempotent() {
    TemplateProvisioner.provision(template, dynamo, sqsClient);

    assertThat(dynamo.listTables().tableNames()).hasSize(template.tables().size());
    assertThat(sqsClient.listQueues().queueUrls()).hasSize(template.queues().size());
  }

  @Test
  void explicitPortInUse_isNamed() {
    assertThatThrownBy(() -> LocalDynamoDb.start(dynamoDb.port(), Optional.empty()))
        .hasMessageContaining("port " + dynamoDb.port() + " is already in use");
  }
}
