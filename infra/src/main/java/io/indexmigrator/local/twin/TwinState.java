package io.indexmigrator.local.twin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.indexmigrator.local.aws.AwsClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a running twin publishes in {@code <stateDir>/twin.json}: its pid and every endpoint, queue,
 * table and state machine, so the CLI, tests and shells ({@code migrator local env}) can reach it.
 */
public record TwinState(
    long pid,
    String region,
    String stackName,
    Map<String, String> endpoints,
    Map<String, ClusterEntry> clusters,
    Map<String, String> tables,
    Map<String, String> queues,
    Map<String, String> stateMachines,
    Map<String, String> functions) {

  public static final String FILE_NAME = "twin.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public record ClusterEntry(String url, String engine, long pid) {}

  public URI endpoint(String service) {
    String url = endpoints.get(service);
    if (url == null) {
      throw new IllegalStateException("the twin has no " + service + " endpoint");
    }
    return URI.create(url);
  }

  public static Path file(Path stateDir) {
    return stateDir.resolve(FILE_NAME);
  }

  public void write(Path stateDir) {
    try {
      Files.createDirectories(stateDir);
      Path tmp = stateDir.resolve(FILE_NAME + ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      // Readers poll for this file; they must never see it half-written.
      Files.move(tmp, file(stateDir), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file(stateDir), e);
    }
  }

  public static Optional<TwinState> read(Path stateDir) {
    Path file = file(stateDir);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), TwinState.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Shell {@code export} lines for every endpoint and resource name. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AWS_REGION", region);
    env.put("AWS_DEFAULT_REGION", region);
    env.put("AWS_ACCESS_KEY_ID", AwsClients.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", AwsClients.SECRET_KEY);
    env.put("AWS_ENDPOINT_URL_DYNAMODB", endpoints.get("dynamodb"));
    env.put("AWS_ENDPOINT_URL_SQS", endpoints.get("sqs"));
    env.put("AWS_ENDPOINT_URL_LAMBDA", endpoints.get("lambda"));
    env.put("AWS_ENDPOINT_URL_SFN", endpoints.get("stepfunctions"));
    // A twin started before these stand-ins existed has no such endpoints.
    if (endpoints.containsKey("ssm")) {
      env.put("AWS_ENDPOINT_URL_SSM", endpoints.get("ssm"));
    }
    if (endpoints.containsKey("events")) {
      env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", endpoints.get("events"));
    }
    clusters.forEach(
        (role, cluster) -> env.put("MIGRATOR_" + snake(role) + "_CLUSTER_URL", cluster.url()));
    tables.forEach((id, name) -> env.put("MIGRATOR_" + snake(id) + "_NAME", name));
    queues.forEach((id, url) -> env.put("MIGRATOR_" + snake(id) + "_URL", url));
    stateMachines.forEach((id, arn) -> env.put("MIGRATOR_" + snake(id) + "_ARN", arn));
    return env;
  }

  /** {@code SmokeDeadLetterQueue} becomes {@code SMOKE_DEAD_LETTER_QUEUE}. */
  static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('-', '_').toUpperCase();
  }
}
