package io.indexmigrator.local.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamTemplateTest {
  static final Path PROJECT_TEMPLATE = Path.of("..", "template.yaml");
  static final LocalAccount ACCOUNT = LocalAccount.of("im", "http://127.0.0.1:9324");

  @TempDir Path dir;

  private static SamTemplate projectTemplate() {
    return SamTemplate.load(
        PROJECT_TEMPLATE, ACCOUNT, Map.of("ClusterEndpoint", "http://127.0.0.1:9200"));
  }

  @Test
  void projectTemplate_resolvesQueuesWithTheirDeadLetterQueue() {
    SamTemplate template = projectTemplate();

    var smoke = template.queue("SmokeQueue");
    assertThat(smoke.queueName()).isEqualTo("im-SmokeQueue");
    assertThat(smoke.url()).isEqualTo("http://127.0.0.1:9324/000000000000/im-SmokeQueue");
    assertThat(smoke.visibilityTimeoutSeconds()).isEqualTo(10);
    assertThat(smoke.redrivePolicy()).isPresent();
    assertThat(smoke.redrivePolicy().get().deadLetterQueueLogicalId())
        .isEqualTo("SmokeDeadLetterQueue");
    assertThat(smoke.redrivePolicy().get().maxReceiveCount()).isEqualTo(2);
  }

  @Test
  void projectTemplate_mergesGlobalEnvironmentAndResolvesRefs() {
    var fn = projectTemplate().function("SmokeFunction");

    assertThat(fn.environment())
        .containsEntry("STATE_TABLE", "im-StateTable")
        .containsEntry("CLUSTER_ENDPOINT", "http://127.0.0.1:9200")
        .containsEntry("CLUSTER_AUTH", "sigv4")
        .containsEntry("SMOKE_QUEUE_URL", "http://127.0.0.1:9324/000000000000/im-SmokeQueue");
    assertThat(fn.timeout().toSeconds()).isEqualTo(30);
    assertThat(fn.memoryMb()).isEqualTo(1024);
    assertThat(fn.handlerClass()).isEqualTo("io.indexmigrator.functions.smoke.SmokeStepHandler");
    assertThat(fn.codeUri().toString())
        .endsWith("functions/handlers/target/migrator-functions.jar");
  }

  @Test
  void projectTemplate_readsSqsEventSources() {
    var consumer = projectTemplate().function("SmokeQueueFunction");

    assertThat(consumer.sqsEvents()).hasSize(1);
    var source = consumer.sqsEvents().get(0);
    assertThat(source.queueLogicalId()).isEqualTo("SmokeQueue");
    assertThat(source.batchSize()).isEqualTo(10);
    assertThat(source.reportBatchItemFailures()).isTrue();
    assertThat(source.enabled()).isTrue();
  }

  @Test
  void projectTemplate_boundsTheSyncConsumersConcurrency_byAParameter() {
    var sync = projectTemplate().function("SyncFunction").sqsEvents().get(0);
    assertThat(sync.maximumConcurrency()).isEqualTo(10);

    var bounded =
        SamTemplate.load(
                PROJECT_TEMPLATE,
                ACCOUNT,
                Map.of("ClusterEndpoint", "http://127.0.0.1:9200", "SyncMaximumConcurrency", "3"))
            .function("SyncFunction")
            .sqsEvents()
            .get(0);
    assertThat(bounded.maximumConcurrency()).isEqualTo(3);
    assertThat(projectTemplate().function("SmokeQueueFunction").sqsEvents().get(0))
        .extracting(e -> e.maximumConcurrency())
        .isNull();
  }

  @Test
  void syncConcurrencyBelowLambdasMinimum_isRejected() {
    assertThatThrownBy(
            () ->
                SamTemplate.load(
                    PROJECT_TEMPLATE,
                    ACCOUNT,
                    Map.of(
                        "ClusterEndpoint", "http://127.0.0.1:9200", "SyncMaximumConcurrency", "1")))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("SyncMaximumConcurrency")
        .hasMessageContaining("2 to 1000");
  }

  static String sqsFunction(String properties) {
    return """
        Resources:
          Jobs:
            Type: AWS::SQS::Queue
          Worker:
            Type: AWS::Serverless::Function
            Properties:
              Handler: some.Handler
              CodeUri: code.jar
              Events:
                Jobs:
                  Type: SQS
                  Properties:
                    Queue: !GetAtt Jobs.Arn
        """
        + properties.indent(12);
  }

  @Test
  void sqsEventPropertiesTheTwinCannotEmulate_areRejected() throws IOException {
    Path filter = write(sqsFunction("FilterCriteria: {Filters: [{Pattern: '{}'}]}"));
    assertThatThrownBy(() -> SamTemplate.load(filter, ACCOUNT, Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("event Jobs")
        .hasMessageContaining("FilterCriteria is not emulated");

    Path scaling = write(sqsFunction("ScalingConfig: {MaximumConcurrency: 1}"));
    assertThatThrownBy(() -> SamTemplate.load(scaling, ACCOUNT, Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("MaximumConcurrency must be 2 to 1000, was 1");

    Path unknownScaling = write(sqsFunction("ScalingConfig: {MinimumConcurrency: 2}"));
    assertThatThrownBy(() -> SamTemplate.load(unknownScaling, ACCOUNT, Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("ScalingConfig.MinimumConcurrency is not emulated");

    Path ok = write(sqsFunction("ScalingConfig: {MaximumConcurrency: 2}"));
    assertThat(
            SamTemplate.load(ok, ACCOUNT, Map.of())
                .function("Worker")
                .sqsEvents()
                .get(0)
                .maximumConcurrency())
        .isEqualTo(2);
  }

  @Test
  void projectTemplate_substitutesStateMachineDefinitions() {
    var machine = projectTemplate().stateMachine("SmokeStateMachine");

    assertThat(machine.definition())
        .contains("arn:aws:lambda:us-east-1:000000000000:function:im-SmokeFunction")
        .doesNotContain("${");
    assertThat(machine.arn())
        .isEqualTo("arn:aws:states:us-east-1:000000000000:stateMachine:im-SmokeStateMachine");
  }

  @Test
  void projectTemplate_withAnApplicationStream_resolvesTheAdapterAndItsPolicies() {
    var adapter =
        SamTemplate.load(
                PROJECT_TEMPLATE,
                ACCOUNT,
                Map.of(
                    "ClusterEndpoint",
                    "http://127.0.0.1:9200",
                    "ApplicationTableStreamArn",
                    "arn:aws:dynamodb:us-east-1:000000000000:table/records/stream/2026-12-01"))
            .function("DynamoStreamAdapterFunction");

    assertThat(adapter.handlerClass())
        .isEqualTo("io.indexmigrator.functions.adapter.DynamoStreamAdapter");
  }

  @Test
  void split_yieldsTheParts() throws IOException {
    Path template =
        write(
            """
            Parameters:
              StreamArn: {Type: String, Default: "arn:aws:dynamodb:r:1:table/t/stream/label"}
            Resources:
              Jobs:
                Type: AWS::SQS::Queue
                Properties:
                  QueueName: !Select [1, !Split ["table/", !Select [0, !Split ["/stream/", !Ref StreamArn]]]]
            """);

    assertThat(SamTemplate.load(template, ACCOUNT, Map.of()).queue("Jobs").queueName())
        .isEqualTo("t");
  }

  @Test
  void missingRequiredParameter_isNamed() {
    assertThatThrownBy(() -> SamTemplate.load(PROJECT_TEMPLATE, ACCOUNT, Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("parameter 'ClusterEndpoint' has no Default");
  }

  @Test
  void parameterOutsideAllowedValues_isRejected() {
    assertThatThrownBy(
            () ->
                SamTemplate.load(
                    PROJECT_TEMPLATE,
                    ACCOUNT,
                    Map.of("ClusterEndpoint", "http://x", "ClusterAuth", "kerberos")))
        .hasMessageContaining("parameter 'ClusterAuth' is 'kerberos', allowed are");
  }

  @Test
  void unknownParameter_isRejected() {
    assertThatThrownBy(
            () ->
                SamTemplate.load(
                    PROJECT_TEMPLATE, ACCOUNT, Map.of("ClusterEndpoint", "x", "Nope", "1")))
        .hasMessageContaining("unknown parameter 'Nope'");
  }

  @Test
  void definitionVariableWithoutSubstitution_isNamed() throws IOException {
    Files.writeString(dir.resolve("m.asl.json"), "{\"Resource\": \"${MissingArn}\"}");
    Path template =
        write(
            """
            Resources:
              Machine:
                Type: AWS::Serverless::StateMachine
                Properties:
                  DefinitionUri: m.asl.json
                  DefinitionSubstitutions:
                    OtherArn: x
            """);

    assertThatThrownBy(() -> SamTemplate.load(template, ACCOUNT, Map.of()))
        .hasMessageContaining("${MissingArn} has no entry in DefinitionSubstitutions of Machine");
  }

  @Test
  void intrinsicsInLongAndShortForm_resolveAlike() throws IOException {
    Path template =
        write(
            """
            Parameters:
              Stage: {Type: String, Default: dev}
            Conditions:
              IsDev: !Equals [!Ref Stage, dev]
            Resources:
              Jobs:
                Type: AWS::SQS::Queue
                Properties:
                  QueueName: !Sub "${AWS::StackName}-${Stage}-jobs.fifo"
                  FifoQueue: !If [IsDev, true, false]
                  VisibilityTimeout: {"Fn::Join": ["", ["4", "5"]]}
            """);

    var queue = SamTemplate.load(template, ACCOUNT, Map.of()).queue("Jobs");

    assertThat(queue.queueName()).isEqualTo("im-dev-jobs.fifo");
    assertThat(queue.fifo()).isTrue();
    assertThat(queue.visibilityTimeoutSeconds()).isEqualTo(45);
  }

  @Test
  void redriveToForeignQueue_isRejected() throws IOException {
    Path template =
        write(
            """
            Resources:
              Jobs:
                Type: AWS::SQS::Queue
                Properties:
                  RedrivePolicy: {deadLetterTargetArn: "arn:aws:sqs:us-east-1:1:elsewhere", maxReceiveCount: 3}
            """);

    assertThatThrownBy(() -> SamTemplate.load(template, ACCOUNT, Map.of()))
        .hasMessageContaining("is not a queue of this template");
  }

  static final String STREAM_TEMPLATE =
      """
      Parameters:
        ApplicationTableStreamArn: {Type: String, Default: ""}
      Conditions:
        HasApplicationStream: !Not [!Equals [!Ref ApplicationTableStreamArn, ""]]
      Resources:
        Own:
          Type: AWS::DynamoDB::Table
          Properties:
            KeySchema: [{AttributeName: pk, KeyType: HASH}]
            AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
            StreamSpecification: {StreamViewType: KEYS_ONLY}
        Adapter:
          Type: AWS::Serverless::Function
          Condition: HasApplicationStream
          Properties:
            Handler: io.indexmigrator.functions.adapter.DynamoStreamAdapter
            CodeUri: code.jar
            Events:
              Stream:
                Type: DynamoDB
                Properties:
                  Stream: !Ref ApplicationTableStreamArn
                  StartingPosition: LATEST
                  BatchSize: 100
                  FunctionResponseTypes: [ReportBatchItemFailures]
        OwnAdapter:
          Type: AWS::Serverless::Function
          Properties:
            Handler: io.indexmigrator.functions.adapter.DynamoStreamAdapter
            CodeUri: code.jar
            Events:
              Stream:
                Type: DynamoDB
                Properties:
                  Stream: !GetAtt Own.StreamArn
                  StartingPosition: TRIM_HORIZON
                  Enabled: false
      """;

  @Test
  void dynamoDbEvents_areReadWithTheTableInTheirStreamArn() throws IOException {
    Path template = write(STREAM_TEMPLATE);
    String arn =
        "arn:aws:dynamodb:eu-west-1:123456789012:table/Records/stream/2026-11-25T00:00:00.000";

    var events =
        SamTemplate.load(template, ACCOUNT, Map.of("ApplicationTableStreamArn", arn))
            .dynamoStreamEvents();

    assertThat(events)
        .containsExactly(
            new Resources.DynamoStreamEvent(
                "Adapter", "Stream", arn, "Records", 100, "LATEST", true, true),
            new Resources.DynamoStreamEvent(
                "OwnAdapter",
                "Stream",
                "arn:aws:dynamodb:us-east-1:000000000000:table/im-Own/stream/local",
                "im-Own",
                100,
                "TRIM_HORIZON",
                false,
                false));
  }

  @Test
  void dynamoDbEvent_ofAFunctionWhoseConditionIsFalse_isNotRead() throws IOException {
    var loaded = SamTemplate.load(write(STREAM_TEMPLATE), ACCOUNT, Map.of());

    assertThat(loaded.dynamoStreamEvents())
        .extracting(Resources.DynamoStreamEvent::functionLogicalId)
        .containsExactly("OwnAdapter");
  }

  @Test
  void dynamoDbEvent_withoutAStreamArn_isRejected() throws IOException {
    Path template = write(STREAM_TEMPLATE);

    assertThatThrownBy(
            () ->
                SamTemplate.load(template, ACCOUNT, Map.of("ApplicationTableStreamArn", "Records")))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("event Stream: Stream 'Records' is not a DynamoDB stream ARN");
  }

  @Test
  void brokenYaml_isReportedWithTheFile() throws IOException {
    Path template = write("Resources: [unclosed\n");

    assertThatThrownBy(() -> SamTemplate.load(template, ACCOUNT, Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("invalid YAML");
  }

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("template.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
