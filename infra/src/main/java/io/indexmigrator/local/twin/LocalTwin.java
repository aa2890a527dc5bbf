package io.indexmigrator.local.twin;

import io.indexmigrator.local.aws.AwsClients;
import io.indexmigrator.local.aws.LocalDynamoDb;
import io.indexmigrator.local.aws.LocalSqs;
import io.indexmigrator.local.aws.LocalSsmAndEvents;
import io.indexmigrator.local.aws.Ports;
import io.indexmigrator.local.aws.TemplateProvisioner;
import io.indexmigrator.local.cluster.ClusterLauncher;
import io.indexmigrator.local.cluster.ClusterSpec;
import io.indexmigrator.local.cluster.RunningCluster;
import io.indexmigrator.local.lambda.DynamoStreamEventSource;
import io.indexmigrator.local.lambda.FunctionSpec;
import io.indexmigrator.local.lambda.LocalLambdaHost;
import io.indexmigrator.local.lambda.SqsEventSource;
import io.indexmigrator.local.sfn.LocalStepFunctions;
import io.indexmigrator.local.sfn.StateMachineSpec;
import io.indexmigrator.local.template.LocalAccount;
import io.indexmigrator.local.template.Resources;
import io.indexmigrator.local.template.SamTemplate;
import io.indexmigrator.local.template.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A local twin of everything template.yaml deploys, built from real parts: search clusters,
 * DynamoDB Local, ElasticMQ, our handlers behind the Lambda API, and the ASL files running in
 * aws-local-stepfunctions. Production code reaches each through the ordinary AWS SDK with an
 * endpoint override and nothing else.
 */
public final class LocalTwin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalTwin.class);

  /** Step Functions fans out Map iterations; each needs an execution environment. */
  private static final int FUNCTION_CONCURRENCY = 4;

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Map<String, RunningCluster> clustersByName = new LinkedHashMap<>();
  private TwinState state;

  private LocalTwin() {}

  /** Starts every part; on any failure stops what was started and rethrows. */
  public static LocalTwin start(TwinOptions options) {
    LocalTwin twin = new LocalTwin();
    try {
      twin.startAll(options);
      return twin;
    } catch (RuntimeException e) {
      twin.close();
      throw e;
    }
  }

  public TwinState state() {
    return state;
  }

  /**
   * Restarts one of the twin's clusters ({@code destination} or {@code source}) in place, as a node
   * restart would: same endpoint and data, every scroll, point in time and task gone.
   */
  public void restartCluster(String name) {
    RunningCluster cluster = clustersByName.get(name);
    if (cluster == null) {
      throw new IllegalArgumentException(
          "the twin has no cluster '" + name + "'; it has " + clustersByName.keySet());
    }
    cluster.restart();
  }

  private void startAll(TwinOptions options) {
    Path stateDir = options.stateDir().toAbsolutePath();
    createDirectories(stateDir);
    // Validate the template before the slow parts start, so bad input fails in a second.
    int sqsPort = Ports.freeOr(0);
    LocalAccount account =
        new LocalAccount(
            LocalAccount.DEFAULT_REGION,
            LocalAccount.DEFAULT_ACCOUNT,
            options.stackName(),
            "http://127.0.0.1:" + sqsPort);
    SamTemplate.load(options.template(), account, Map.of("ClusterEndpoint", "http://127.0.0.1:1"))
        .functions()
        .forEach(LocalTwin::requireHandlerInCode);

    ClusterLauncher launcher = new ClusterLauncher();
    Map<String, TwinState.ClusterEntry> clusters = new LinkedHashMap<>();
    RunningCluster destination =
        track(launcher.start(ClusterSpec.of(options.engine()).withClusterName("destination")));
    clusters.put("destination", entry(destination));
    clustersByName.put("destination", destination);
    // The functions learn the clusters as on AWS: from the template's parameters.
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put(
        "ClusterEndpoint", options.functionRoute().apply(destination.httpUri()).toString());
    parameters.put("ClusterAuth", "none");
    if (options.sourceEngine().isPresent()) {
      RunningCluster source =
          track(
              launcher.start(
                  ClusterSpec.of(options.sourceEngine().get()).withClusterName("source")));
      clusters.put("source", entry(source));
      clustersByName.put("source", source);
      parameters.put("SourceClusterEndpoint", source.httpUri().toString());
      parameters.put("SourceClusterAuth", "none");
    }

    SamTemplate template = SamTemplate.load(options.template(), account, parameters);

    LocalDynamoDb dynamoDb =
        track(LocalDynamoDb.start(0, Optional.of(stateDir.resolve("dynamodb"))));
    LocalSqs sqs = track(LocalSqs.start(sqsPort, account.region(), account.accountId()));
    SqsClient sqsClient = track(AwsClients.sqs(sqs.endpoint(), account.region()));
    LocalSsmAndEvents ssmAndEvents =
        track(LocalSsmAndEvents.start(0, stateDir, account.region(), account.accountId()));
    try (var dynamo = AwsClients.dynamo(dynamoDb.endpoint(), account.region())) {
      TemplateProvisioner.provision(template, dynamo, sqsClient);
    }

    int lambdaPort = Ports.freeOr(0);
    int sfnPort = Ports.freeOr(0);
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("dynamodb", dynamoDb.endpoint().toString());
    endpoints.put("sqs", sqs.endpoint().toString());
    endpoints.put("lambda", "http://127.0.0.1:" + lambdaPort);
    endpoints.put("stepfunctions", "http://127.0.0.1:" + sfnPort);
    endpoints.put("ssm", ssmAndEvents.endpoint().toString());
    endpoints.put("events", ssmAndEvents.endpoint().toString());

    List<FunctionSpec> functions = new ArrayList<>();
    List<SqsEventSource> sources = new ArrayList<>();
    Map<Path, Path> deployedCode = new LinkedHashMap<>();
    for (Resources.Function fn : template.functions()) {
      // Like a deployment, the twin runs a snapshot of the code: rebuilding the jar while the twin
      // runs must not pull classes out from under warm environments.
      Path code = deployedCode.computeIfAbsent(fn.codeUri(), uri -> snapshot(uri, stateDir));
      Map<String, String> env = new LinkedHashMap<>(fn.environment());
      env.put("AWS_ENDPOINT_URL_DYNAMODB", endpoints.get("dynamodb"));
      env.put("AWS_ENDPOINT_URL_SQS", endpoints.get("sqs"));
      env.put("AWS_ENDPOINT_URL_LAMBDA", endpoints.get("lambda"));
      env.put("AWS_ENDPOINT_URL_SFN", endpoints.get("stepfunctions"));
      env.put("AWS_ENDPOINT_URL_SSM", endpoints.get("ssm"));
      env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", endpoints.get("events"));
      functions.add(
          new FunctionSpec(
              fn.functionName(),
              fn.handler(),
              List.of(code),
              env,
              fn.timeout(),
              fn.memoryMb(),
              FUNCTION_CONCURRENCY));
      for (Resources.SqsEventSource event : fn.sqsEvents()) {
        Resources.Queue queue = template.queue(event.queueLogicalId());
        sources.add(
            new SqsEventSource(
                fn.logicalId() + "-" + event.name(),
                fn.functionName(),
                queue.url(),
                queue.arn(),
                event.batchSize(),
                event.maximumBatchingWindow(),
                event.reportBatchItemFailures(),
                event.enabled(),
                event.maximumConcurrency()));
      }
    }
    List<DynamoStreamEventSource> streamSources = new ArrayList<>();
    for (Resources.DynamoStreamEvent event : template.dynamoStreamEvents()) {
      streamSources.add(
          new DynamoStreamEventSource(
              event.functionLogicalId() + "-" + event.name(),
              template.function(event.functionLogicalId()).functionName(),
              event.streamArn(),
              event.tableName(),
              event.batchSize(),
              DynamoStreamEventSource.StartingPosition.valueOf(event.startingPosition()),
              event.reportBatchItemFailures(),
              event.enabled()));
    }
    DynamoDbStreamsClient streams =
        streamSources.isEmpty()
            ? null
            : track(AwsClients.dynamoStreams(dynamoDb.endpoint(), account.region()));
    LocalLambdaHost lambda =
        track(
            LocalLambdaHost.start(
                lambdaPort,
                functions,
                sources,
                streamSources,
                sqsClient,
                streams,
                stateDir.resolve("lambda")));

    List<StateMachineSpec> machines =
        template.stateMachines().stream()
            .map(
                m ->
                    new StateMachineSpec(
                        m.name(),
                        m.arn(),
                        m.definition(),
                        "arn:aws:iam::" + account.accountId() + ":role/" + m.name()))
            .toList();
    LocalStepFunctions sfn =
        track(
            LocalStepFunctions.start(
                sfnPort, machines, lambda.endpoint(), stateDir.resolve("sfn")));

    Map<String, String> tables = new LinkedHashMap<>();
    template.tables().forEach(t -> tables.put(t.logicalId(), t.tableName()));
    Map<String, String> queues = new LinkedHashMap<>();
    template.queues().forEach(q -> queues.put(q.logicalId(), q.url()));
    Map<String, String> stateMachines = new LinkedHashMap<>();
    template.stateMachines().forEach(m -> stateMachines.put(m.logicalId(), m.arn()));
    Map<String, String> functionNames = new LinkedHashMap<>();
    template.functions().forEach(f -> functionNames.put(f.logicalId(), f.functionName()));
    endpoints.put("lambda", lambda.endpoint().toString());
    endpoints.put("stepfunctions", sfn.endpoint().toString());
    state =
        new TwinState(
            ProcessHandle.current().pid(),
            account.region(),
            options.stackName(),
            endpoints,
            clusters,
            tables,
            queues,
            stateMachines,
            functionNames);
    LOG.info("local twin up: {}", endpoints);
  }

  /** A template naming a handler the code does not contain fails here, not at first invoke. */
  static void requireHandlerInCode(Resources.Function fn) {
    Path code = fn.codeUri();
    if (!Files.exists(code)) {
      throw new TemplateException(
          "function "
              + fn.logicalId()
              + ": CodeUri "
              + code
              + " does not exist; build it with 'mvn -DskipTests package'");
    }
    String entry = fn.handlerClass().replace('.', '/') + ".class";
    boolean found;
    if (Files.isDirectory(code)) {
      found = Files.isRegularFile(code.resolve(entry));
    } else {
      try (JarFile jar = new JarFile(code.toFile())) {
        found = jar.getEntry(entry) != null;
      } catch (IOException e) {
        throw new TemplateException("function " + fn.logicalId() + ": cannot read " + code, e);
      }
    }
    if (!found) {
      throw new TemplateException(
          "function "
              + fn.logicalId()
              + ": handler class "
              + fn.handlerClass()
              + " is not in "
              + code);
    }
  }

  private static Path snapshot(Path code, Path stateDir) {
    if (Files.isDirectory(code)) {
      return code;
    }
    try {
      Path dir = Files.createDirectories(stateDir.resolve("code"));
      Path copy = dir.resolve(dir.toFile().list().length + "-" + code.getFileName());
      Files.copy(code, copy);
      return copy;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot copy function code " + code + ": " + e.getMessage(), e);
    }
  }

  private static TwinState.ClusterEntry entry(RunningCluster cluster) {
    return new TwinState.ClusterEntry(
        cluster.httpUri().toString(), cluster.engine().toString(), cluster.pid());
  }

  private <T extends AutoCloseable> T track(T resource) {
    started.push(resource);
    return resource;
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Stops everything in reverse start order; keeps going when one part fails to stop. */
  @Override
  public void close() {
    while (!started.isEmpty()) {
      AutoCloseable resource = started.pop();
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", resource.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
