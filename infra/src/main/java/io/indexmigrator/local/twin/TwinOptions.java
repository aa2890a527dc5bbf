package io.indexmigrator.local.twin;

import io.indexmigrator.local.cluster.EngineVersion;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code migrator local up} starts.
 *
 * @param stateDir where the twin keeps DynamoDB data, logs, execution history and twin.json
 * @param template the SAM template to provision (the project's template.yaml)
 * @param engine the destination cluster's engine (the cluster the functions are configured for)
 * @param sourceEngine a second cluster, for cross-cluster migrations
 */
public record TwinOptions(
    Path stateDir,
    Path template,
    EngineVersion engine,
    Optional<EngineVersion> sourceEngine,
    String stackName) {
  public static final String DEFAULT_STACK = "index-migrator";
}
