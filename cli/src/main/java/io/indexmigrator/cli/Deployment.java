package io.indexmigrator.cli;

import io.indexmigrator.local.aws.AwsClients;
import io.indexmigrator.local.twin.TwinState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Where the commands send their calls: a deployed SAM stack (its outputs name the table, queues and
 * state machines; credentials and region from the standard chain) or, with {@code --local}, the
 * running local twin.
 */
final class Deployment {
  private final TwinState twin;
  private final Map<String, String> outputs;

  private Deployment(TwinState twin, Map<String, String> outputs) {
    this.twin = twin;
    this.outputs = outputs;
  }

  /** The options every command that talks to a deployment accepts. */
  static final class Options {
    @Option(names = "--local", description = "Use the local twin (bin/migrator local up).")
    boolean local;

    @Option(
        names = "--stack",
        defaultValue = "index-migrator",
        description =
            "CloudFormation stack deployed from template.yaml (default: ${DEFAULT-VALUE}).")
    String stack;

    @Option(names = "--state-dir", description = "The local twin's state directory.", hidden = true)
    Path stateDir;

    Deployment resolve() {
      if (local) {
        TwinState state =
            LocalCommand.running(LocalCommand.stateDir(stateDir))
                .orElseThrow(
                    () ->
                        new UserError(
                            "--local given but no local twin is running; start it with: bin/migrator local up"));
        return new Deployment(state, Map.of());
      }
      Map<String, String> outputs = new HashMap<>();
      try (CloudFormationClient cfn = CloudFormationClient.create()) {
        cfn.describeStacks(r -> r.stackName(stack))
            .stacks()
            .get(0)
            .outputs()
            .forEach(o -> outputs.put(o.outputKey(), o.outputValue()));
      } catch (CloudFormationException e) {
        throw new UserError(
            "cannot read stack '"
                + stack
                + "': "
                + e.awsErrorDetails().errorMessage()
                + " (use --local for the local twin)");
      }
      return new Deployment(null, outputs);
    }
  }

  String stateMachineArn(String logicalId) {
    return twin != null ? lookup(twin.stateMachines(), logicalId) : output(logicalId + "Arn");
  }

  String queueUrl(String logicalId) {
    return twin != null ? lookup(twin.queues(), logicalId) : output(logicalId + "Url");
  }

  String tableName(String logicalId) {
    return twin != null ? lookup(twin.tables(), logicalId) : output(logicalId + "Name");
  }

  String functionName(String logicalId) {
    return twin != null ? lookup(twin.functions(), logicalId) : output(logicalId + "Name");
  }

  /** Control calls can run for minutes (a checksum verification); wait as long as Lambda may. */
  LambdaClient lambda() {
    var http = UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(16));
    if (twin != null) {
      return LambdaClient.builder()
          .endpointOverride(twin.endpoint("lambda"))
          .region(Region.of(twin.region()))
          .credentialsProvider(
              StaticCredentialsProvider.create(
                  AwsBasicCredentials.create(AwsClients.ACCESS_KEY, AwsClients.SECRET_KEY)))
          .httpClientBuilder(http)
          .build();
    }
    return LambdaClient.builder().httpClientBuilder(http).build();
  }

  SfnClient sfn() {
    return twin != null
        ? AwsClients.sfn(twin.endpoint("stepfunctions"), twin.region())
        : SfnClient.create();
  }

  SqsClient sqs() {
    return twin != null ? AwsClients.sqs(twin.endpoint("sqs"), twin.region()) : SqsClient.create();
  }

  DynamoDbClient dynamo() {
    return twin != null
        ? AwsClients.dynamo(twin.endpoint("dynamodb"), twin.region())
        : DynamoDbClient.create();
  }

  private static String lookup(Map<String, String> map, String key) {
    String value = map.get(key);
    if (value == null) {
      throw new UserError(
          "the local twin has no " + key + "; restart it after changing template.yaml");
    }
    return value;
  }

  private String output(String key) {
    String value = outputs.get(key);
    if (value == null) {
      throw new UserError("the stack has no output " + key + "; deploy the current template.yaml");
    }
    return value;
  }
}
