package io.indexmigrator.functions.lifecycle;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.lifecycle.Canceller;
import io.indexmigrator.core.lifecycle.Initializer;
import io.indexmigrator.core.lifecycle.Lifecycle;
import io.indexmigrator.core.lifecycle.RolloverCoordinator;
import io.indexmigrator.core.lifecycle.StatusReport;
import io.indexmigrator.core.lifecycle.StatusReporter;
import io.indexmigrator.core.publish.SwitchPublisher;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeException;
import io.indexmigrator.core.recipe.RecipeLoader;
import io.indexmigrator.core.verify.Verifier;
import io.indexmigrator.functions.AwsServiceClients;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;

/**
 * The commands the CLI (or {@code aws lambda invoke}) runs synchronously: init, rollover, cancel,
 * status. They touch the cluster, which on AWS is often reachable only from the functions' VPC.
 */
public final class ControlHandler
    implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  /** The environment variables this function reads; template.yaml must set each. */
  public static final List<String> ENVIRONMENT = LifecycleConfig.VARIABLES;

  /** Those of {@link #ENVIRONMENT} that have no default. */
  public static final List<String> REQUIRED_ENVIRONMENT = LifecycleConfig.REQUIRED;

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ControlHandler.class);

  private final Lifecycle lifecycle;
  private final int verifySlices;
  private final Consumer<String> executionStopper;
  private final SwitchPublisher publisher;

  public ControlHandler() {
    this(LifecycleFactory.config());
  }

  private ControlHandler(LifecycleConfig config) {
    this(
        LifecycleFactory.fromEnvironment(config),
        config.verifySlices(),
        sfnStopper(),
        LifecycleFactory.publisher(config));
  }

  ControlHandler(
      Lifecycle lifecycle,
      int verifySlices,
      Consumer<String> executionStopper,
      SwitchPublisher publisher) {
    this.lifecycle = lifecycle;
    this.verifySlices = verifySlices;
    this.executionStopper = executionStopper;
    this.publisher = publisher;
  }

  private RolloverCoordinator coordinator() {
    return new RolloverCoordinator(lifecycle, verifySlices, publisher);
  }

  private static Consumer<String> sfnStopper() {
    var sfn = AwsServiceClients.sfn();
    return arn -> {
      try {
        sfn.stopExecution(r -> r.executionArn(arn).error("Cancelled").cause("migrator cancel"));
      } catch (ExecutionDoesNotExistException gone) {
        // Nothing to stop.
      }
    };
  }

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> rawInput, Context context) {
    JsonNode input = JSON.valueToTree(rawInput);
    String action = input.path("action").asText();
    Object result =
        switch (action) {
          case "init" -> {
            Recipe recipe = parseRecipe(input);
            yield new Initializer(lifecycle).init(recipe, input.path("inPlace").asBoolean(false));
          }
          case "rollover" -> {
            // From the rollover state machine the request is the execution's input.
            JsonNode request = input.has("input") ? input.get("input") : input;
            yield coordinator()
                .rollover(
                    required(request, "recipe"),
                    verifyMode(request),
                    input.hasNonNull("owner")
                        ? input.get("owner").asText()
                        : "invoke:" + (context != null ? context.getAwsRequestId() : "direct"));
          }
          case "abortRollover" -> {
            JsonNode request = input.path("input");
            yield coordinator()
                .abort(required(request, "recipe"), required(input, "owner"), cause(request));
          }
          // Short and synchronous: each publishes once and touches no more than a block and the
          // aliases, and a repeat after a crash finishes what the first began.
          case "commit" ->
              coordinator()
                  .commit(
                      required(input, "recipe"),
                      input.path("keepSourceBlocked").asBoolean(false),
                      owner(input, context));
          case "rollback" ->
              coordinator().rollback(required(input, "recipe"), owner(input, context));
          case "cancel" ->
              new Canceller(lifecycle, executionStopper)
                  .cancel(required(input, "recipe"), input.path("keep").asBoolean(false));
          case "status" -> {
            StatusReport report = status(required(input, "recipe"));
            yield report.withClusters(withEngines(report.clusters()));
          }
          // What the recipe's clusters run, for a CLI that reads status from the state table but
          // may not reach the clusters itself (they often live in the functions' VPC).
          case "engines" -> withEngines(status(required(input, "recipe")).clusters());
          default -> throw new MigrationFailedException("unknown control action '" + action + "'");
        };
    @SuppressWarnings("unchecked")
    Map<String, Object> output = JSON.convertValue(result, Map.class);
    return output;
  }

  private static String owner(JsonNode input, Context context) {
    return input.hasNonNull("owner")
        ? input.get("owner").asText()
        : "invoke:" + (context != null ? context.getAwsRequestId() : "direct");
  }

  private StatusReport status(String recipe) {
    return new StatusReporter(lifecycle.store())
        .status(recipe)
        .orElseThrow(() -> new MigrationFailedException("no recipe named '" + recipe + "'"));
  }

  private StatusReport.Clusters withEngines(StatusReport.Clusters clusters) {
    return clusters.withEngines(
        engineOf(clusters.source().name()), engineOf(clusters.destination().name()));
  }

  /**
   * What a cluster says it runs, or null when it cannot be asked now: status works from the state
   * table, and a cluster that is down must not make it fail.
   */
  private String engineOf(String cluster) {
    try {
      return lifecycle.clusters().cluster(cluster).info().engine();
    } catch (RuntimeException unreachable) {
      LOG.warn("status: cannot ask cluster '{}' what it runs: {}", cluster, unreachable.toString());
      return null;
    }
  }

  private static Verifier.Mode verifyMode(JsonNode request) {
    if (!request.hasNonNull("verify")) {
      return null;
    }
    String verify = request.get("verify").asText();
    return switch (verify) {
      case "count" -> Verifier.Mode.COUNT;
      case "checksum" -> Verifier.Mode.CHECKSUM;
      default ->
          throw new MigrationFailedException(
              "'verify' must be 'count' or 'checksum', got '" + verify + "'");
    };
  }

  /** The error the rollover state machine caught, in words: Lambda's own JSON when it has one. */
  static String cause(JsonNode request) {
    JsonNode error = request.path("error");
    String type = error.path("Error").asText("unknown error");
    String cause = error.path("Cause").asText("");
    try {
      JsonNode parsed = JSON.readTree(cause);
      if (parsed != null && parsed.hasNonNull("errorMessage")) {
        cause = parsed.get("errorMessage").asText();
      }
    } catch (Exception notJson) {
      // A plain-text cause (a timeout, a crashed runtime) is used as it is.
    }
    return "the rollover stopped with " + type + (cause.isBlank() ? "" : ": " + cause);
  }

  private static Recipe parseRecipe(JsonNode input) {
    String document = required(input, "document");
    try {
      return new RecipeLoader().parse(document);
    } catch (RecipeException e) {
      throw new MigrationFailedException(e.getMessage(), e);
    }
  }

  private static String required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.asText().isBlank()) {
      throw new MigrationFailedException("the request has no '" + field + "'");
    }
    return value.asText();
  }
}
