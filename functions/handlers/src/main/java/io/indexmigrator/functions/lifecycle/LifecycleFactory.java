package io.indexmigrator.functions.lifecycle;

import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.core.lifecycle.Lifecycle;
import io.indexmigrator.core.publish.SwitchPublisher;
import io.indexmigrator.core.search.Clusters;
import io.indexmigrator.core.state.DynamoStateStore;
import io.indexmigrator.core.sync.SyncControl;
import io.indexmigrator.core.sync.poll.DynamoPollCheckpoints;
import io.indexmigrator.functions.AwsServiceClients;
import io.indexmigrator.functions.ClusterRegistry;
import io.indexmigrator.functions.publish.AwsSwitchPublisher;
import io.indexmigrator.functions.sync.AwsSyncControl;
import java.time.Clock;

/** Builds the lifecycle's collaborators from the environment, once per execution environment. */
final class LifecycleFactory {
  private LifecycleFactory() {}

  static Lifecycle fromEnvironment(LifecycleConfig config) {
    Clusters clusters = ClusterRegistry.connectDefault(config.clusters());
    SyncControl sync =
        config.syncFunctionName().isPresent() && config.syncQueueUrl().isPresent()
            ? new AwsSyncControl(
                AwsServiceClients.lambda(),
                config.syncFunctionName().get(),
                AwsServiceClients.sqs(),
                config.syncQueueUrl().get())
            : SyncControl.NONE;
    var dynamo = AwsServiceClients.dynamo();
    return new Lifecycle(
        new DynamoStateStore(dynamo, config.stateTable()),
        clusters,
        Clock.systemUTC(),
        sync,
        new DynamoPollCheckpoints(dynamo, config.stateTable()));
  }

  /**
   * Where a cross-cluster switch is published, or {@link SwitchPublisher#NONE} without a prefix.
   */
  static SwitchPublisher publisher(LifecycleConfig config) {
    return config
        .endpointParameterPrefix()
        .<SwitchPublisher>map(
            prefix ->
                new AwsSwitchPublisher(
                    AwsServiceClients::ssm,
                    AwsServiceClients::eventBridge,
                    prefix,
                    config.switchEventBus(),
                    config.clusters()))
        .orElse(SwitchPublisher.NONE);
  }

  static LifecycleConfig config() {
    return LifecycleConfig.from(EnvironmentReader.system(LifecycleConfig.VARIABLES));
  }
}
