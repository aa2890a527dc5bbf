package io.indexmigrator.functions;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * SDK clients for the functions, built once per execution environment. Region, credentials and
 * endpoints come from the standard chain, so the same code reaches AWS or the local twin (which
 * sets {@code AWS_ENDPOINT_URL_*}). The URL-connection HTTP client keeps cold starts short.
 */
public final class AwsServiceClients {
  private AwsServiceClients() {}

  public static DynamoDbClient dynamo() {
    return DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  public static SqsClient sqs() {
    return SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  public static LambdaClient lambda() {
    return LambdaClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  public static SfnClient sfn() {
    return SfnClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  public static SsmClient ssm() {
    return SsmClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  public static EventBridgeClient eventBridge() {
    return EventBridgeClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }
}
