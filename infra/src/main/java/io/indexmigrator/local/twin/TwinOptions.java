package io.indexmigrator.local.twin;

import io.indexmigrator.local.cluster.EngineVersion;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What {@code migrator local up} starts.
 *
 * @param stateDir where the twin keeps DynamoDB data, logs, execution history and twin.json
 * @param template the SAM template to provision (the project's template.yaml)
 * @param engine the destination cluster's engine (the cluster the functions are configured for)
 * @param sourceEngine a second cluster, for cross-cluster migrations
 * @param functionRoute how the functions reach the destination cluster, given its address: the
 *     address itself, or a test's fault-injecting proxy in front of it
 */
public record TwinOptions(
    Path stateDir,
    Path template,
    EngineVersion engine,
    Optional<EngineVersion> sourceEngine,
    String stackName,
    UnaryOperator<URI> functionRoute) {
  public static final String DEFAULT_STACK = "index-migrator";

  public TwinOptions(
      Path stateDir,
      Path template,
      EngineVersion engine,
      Optional<EngineVersion> sourceEngine,
      String stackName) {
    this(stateDir, template, engine, sourceEngine, stackName, UnaryOperator.identity());
  }
}
