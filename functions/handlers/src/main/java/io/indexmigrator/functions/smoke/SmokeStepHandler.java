package io.indexmigrator.functions.smoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.RetryableMigrationException;
import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.core.search.ClusterInfo;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.smoke.SmokeSteps;
import io.indexmigrator.functions.AwsServiceClients;
import io.indexmigrator.functions.ClusterConnections;
import java.util.List;
import java.util.Map;

/** The Task steps of statemachine/smoke.asl.json, chosen by the input's {@code action}. */
public final class SmokeStepHandler
    implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  /** The environment variables this function reads; template.yaml must set each. */
  public static final List<String> ENVIRONMENT = SmokeConfig.STEP_VARIABLES;

  /** Those of {@link #ENVIRONMENT} that have no default. */
  public static final List<String> REQUIRED_ENVIRONMENT = SmokeConfig.STEP_REQUIRED;

  private final SmokeSteps steps;

  public SmokeStepHandler() {
    this(fromEnvironment());
  }

  SmokeStepHandler(SmokeSteps steps) {
    this.steps = steps;
  }

  private static SmokeSteps fromEnvironment() {
    SmokeConfig config = SmokeConfig.forSteps(EnvironmentReader.system(ENVIRONMENT));
    SearchCluster cluster = ClusterConnections.connect(config.cluster());
    return new SmokeSteps(
        AwsServiceClients.dynamo(),
        AwsServiceClients.sqs(),
        config.stateTable(),
        config.smokeQueueUrl(),
        () -> describe(cluster));
  }

  private static Map<String, Object> describe(SearchCluster cluster) {
    try {
      ClusterInfo info = cluster.info();
      return Map.of(
          "distribution", info.distribution(),
          "version", info.version(),
          "clusterName", info.clusterName());
    } catch (SearchClusterException e) {
      if (e.isRetryable()) {
        throw new RetryableMigrationException("cluster not reachable: " + e.getMessage(), e);
      }
      throw new MigrationFailedException("cluster refused the probe: " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
    String action = String.valueOf(input.get("action"));
    String runId = String.valueOf(input.get("runId"));
    return switch (action) {
      case "probeCluster" -> steps.probeCluster();
      case "sendMessage" -> steps.sendMessage(runId, String.valueOf(input.get("body")));
      case "countDeliveries" -> {
        @SuppressWarnings("unchecked")
        List<String> messages = (List<String>) input.get("messages");
        int polls = ((Number) input.getOrDefault("polls", 0)).intValue();
        yield steps.countDeliveries(runId, messages, polls);
      }
      default -> throw new MigrationFailedException("unknown smoke action '" + action + "'");
    };
  }
}
