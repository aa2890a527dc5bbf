/**
 * A local Lambda service for the twin: {@link io.indexmigrator.local.lambda.LocalLambdaHost} runs
 * the Java handlers in child JVMs (one per concurrent execution environment, kept warm) behind the
 * Lambda Invoke API, and polls SQS and DynamoDB stream event-source mappings into them.
 *
 * <p>Each environment runs AWS's own runtime interface client against a Lambda Runtime API endpoint
 * the host serves, so event (de)serialisation and error documents are the ones Lambda produces.
 */
package io.indexmigrator.local.lambda;
