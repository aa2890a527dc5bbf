package io.indexmigrator.local.template;

/**
 * Where the template is "deployed" locally: the pseudo parameters and the base URL that queue URLs
 * are built from, so that {@code !Ref Queue} resolves to the URL the local SQS really serves.
 */
public record LocalAccount(String region, String accountId, String stackName, String sqsBaseUrl) {
  public static final String DEFAULT_REGION = "us-east-1";
  public static final String DEFAULT_ACCOUNT = "000000000000";

  public static LocalAccount of(String stackName, String sqsBaseUrl) {
    return new LocalAccount(DEFAULT_REGION, DEFAULT_ACCOUNT, stackName, sqsBaseUrl);
  }

  public String queueUrl(String queueName) {
    return sqsBaseUrl + "/" + accountId + "/" + queueName;
  }

  public String queueArn(String queueName) {
    return "arn:aws:sqs:" + region + ":" + accountId + ":" + queueName;
  }

  public String functionArn(String functionName) {
    return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + functionName;
  }

  public String tableArn(String tableName) {
    return "arn:aws:dynamodb:" + region + ":" + accountId + ":table/" + tableName;
  }

  public String stateMachineArn(String name) {
    return "arn:aws:states:" + region + ":" + accountId + ":stateMachine:" + name;
  }
}
