package io.indexmigrator.functions.lifecycle;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.lifecycle.CopyCoordinator;
import io.indexmigrator.core.lifecycle.CopyCoordinator.SliceItem;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.functions.AwsServiceClients;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sfn.SfnClient;

/** The Task steps of statemachine/migration.asl.json, chosen by the input's {@code action}. */
public final class CopyStepHandler
    implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  /** The environment variables this function reads; template.yaml must set each. */
  public static final List<String> ENVIRONMENT = LifecycleConfig.VARIABLES;

  /** Those of {@link #ENVIRONMENT} that have no default. */
  public static final List<String> REQUIRED_ENVIRONMENT = LifecycleConfig.REQUIRED;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ROUND_SUFFIX = Pattern.compile("-r\\d+$");

  private final CopyCoordinator copy;

  /** Starts an execution (state machine ARN, then name and input as JSON) and returns its ARN. */
  private final ExecutionStarter starter;

  /** Starts a new execution of a state machine: continue-as-new. */
  @FunctionalInterface
  interface ExecutionStarter {
    String start(String stateMachineArn, String name, String inputJson);
  }

  public CopyStepHandler() {
    this(
        new CopyCoordinator(LifecycleFactory.fromEnvironment(LifecycleFactory.config())),
        sfnStarter(AwsServiceClients.sfn()));
  }

  CopyStepHandler(CopyCoordinator copy, ExecutionStarter starter) {
    this.copy = copy;
    this.starter = starter;
  }

  private static ExecutionStarter sfnStarter(SfnClient sfn) {
    return (arn, name, input) ->
        sfn.startExecution(r -> r.stateMachineArn(arn).name(name).input(input)).executionArn();
  }

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> rawInput, Context context) {
    try {
      return handle(rawInput);
    } catch (SearchClusterException e) {
      throw forStateMachine(e);
    }
  }

  /**
   * The error a state sees for a cluster error: one that may pass (no answer, 429, 5xx: a node
   * restarting, a brief outage) as the retryable error the ASL retries with backoff, instead of
   * failing the run; any other as it is.
   */
  static RuntimeException forStateMachine(SearchClusterException e) {
    return e.isRetryable() ? new RetryableMigrationException(e.getMessage(), e) : e;
  }

  private Map<String, Object> handle(Map<String, Object> rawInput) {
    JsonNode input = JSON.valueToTree(rawInput);
    String action = input.path("action").asText();
    Object result =
        switch (action) {
          case "plan" -> {
            JsonNode state = input.path("input");
            yield copy.plan(
                required(state, "recipe"),
                state.path("round").asInt(0),
                required(input, "executionArn"));
          }
          case "startSlice" -> copy.startSlice(item(input));
          case "pollSlice" -> copy.pollSlice(item(input), input.path("polls").asInt(0));
          case "copyRoundsOver" ->
              Map.of(
                  "over",
                  copy.copyRoundsOver(required(input, "recipe"), input.path("generation").asInt()));
          case "continueAsNew" -> continueAsNew(input);
          case "pollChanges" ->
              copy.pollChanges(
                  required(input, "recipe"),
                  input.path("generation").asInt(),
                  input.path("polls").asInt(0));
          case "finishCopy" ->
              copy.finishCopy(required(input, "recipe"), input.path("generation").asInt());
          case "recordFailure" -> {
            JsonNode state = input.path("input");
            JsonNode error = state.path("error");
            copy.recordFailure(
                required(state, "recipe"),
                error.path("Error").asText(null),
                error.path("Cause").asText(null));
            yield Map.of("recorded", true);
          }
          default -> throw new MigrationFailedException("unknown copy action '" + action + "'");
        };
    @SuppressWarnings("unchecked")
    Map<String, Object> output = JSON.convertValue(result, Map.class);
    return output;
  }

  private Map<String, Object> continueAsNew(JsonNode input) {
    JsonNode state = input.path("input");
    String recipe = required(state, "recipe");
    int next = state.path("round").asInt(0) + 1;
    String base = ROUND_SUFFIX.matcher(required(input, "executionName")).replaceFirst("");
    String name = truncate(base, 70) + "-r" + next;
    String arn =
        starter.start(
            required(input, "stateMachineArn"),
            name,
            JSON.createObjectNode().put("recipe", recipe).put("round", next).toString());
    return Map.of("executionArn", arn, "round", next);
  }

  private static SliceItem item(JsonNode input) {
    return new SliceItem(
        required(input, "recipe"),
        input.path("generation").asInt(),
        required(input, "source"),
        input.path("sliceId").asInt());
  }

  private static String required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.asText().isBlank()) {
      throw new MigrationFailedException("the step input has no '" + field + "': " + node);
    }
    return value.asText();
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
