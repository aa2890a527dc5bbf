package io.indexmigrator.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.core.config.NamedClusters;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pins template.yaml, the ASL files and the handler code to each other, so a rename on one side
 * fails the build instead of a deployment.
 */
class TemplateConsistencyTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Set<String> LAMBDA_PROVIDED =
      Set.of("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME");
  static final ObjectMapper JSON = new ObjectMapper();

  final SamTemplate template =
      SamTemplate.load(
          ROOT.resolve("template.yaml"),
          LocalAccount.of("test", "http://127.0.0.1:1"),
          Map.of("ClusterEndpoint", "https://search.example"));

  @Test
  void everyAslFileIsDeployedAndFullySubstituted() throws IOException {
    List<Path> aslFiles;
    try (Stream<Path> files = Files.list(ROOT.resolve("statemachine"))) {
      aslFiles = files.filter(f -> f.toString().endsWith(".asl.json")).sorted().toList();
    }
    assertThat(aslFiles).isNotEmpty();
    Set<Path> deployed = new HashSet<>();
    template.stateMachines().forEach(m -> deployed.add(m.definitionUri()));
    assertThat(deployed).containsExactlyInAnyOrderElementsOf(aslFiles);

    for (var machine : template.stateMachines()) {
      assertThat(machine.definition()).as(machine.logicalId()).doesNotContain("${");
      String raw = Files.readString(machine.definitionUri());
      for (String key : machine.substitutions().keySet()) {
        assertThat(raw)
            .as("substitution %s of %s is used", key, machine.logicalId())
            .contains("${" + key + "}");
      }
    }
  }

  @Test
  void everyTaskResourceIsAFunctionOfTheTemplate() throws IOException {
    Set<String> functionArns = new HashSet<>();
    template.functions().forEach(f -> functionArns.add(f.arn()));
    for (var machine : template.stateMachines()) {
      for (JsonNode task : states(JSON.readTree(machine.definition()), "Task")) {
        assertThat(task.path("Resource").asText())
            .as("Task resource in %s", machine.logicalId())
            .isIn(functionArns);
      }
    }
  }

  /**
   * A rollover Task that gave up before its function ended would let the Abort lift the write
   * blocks (or a second rollover start) while the function still runs: each must outwait it.
   */
  /** The planner sizes a round of reader items by the copy Map's concurrency. */
  @Test
  void theCopyMapsConcurrency_isTheOneThePlannerSizesReaderRoundsBy() throws IOException {
    var machine =
        template.stateMachines().stream()
            .filter(m -> m.logicalId().equals("MigrationStateMachine"))
            .findFirst()
            .orElseThrow();
    List<JsonNode> maps =
        JSON.readTree(machine.definition()).findParents("Type").stream()
            .filter(state -> state.path("Type").asText().equals("Map"))
            .toList();
    assertThat(maps).hasSize(1);
    assertThat(maps.get(0).path("MaxConcurrency").asInt())
        .isEqualTo(io.indexmigrator.core.lifecycle.CopyCoordinator.MAP_CONCURRENCY);
  }

  @Test
  void rolloverTasksOutwaitTheirFunction() throws IOException {
    Map<String, Long> timeouts = new java.util.HashMap<>();
    template.functions().forEach(f -> timeouts.put(f.arn(), f.timeout().toSeconds()));
    var machine =
        template.stateMachines().stream()
            .filter(m -> m.logicalId().equals("RolloverStateMachine"))
            .findFirst()
            .orElseThrow();
    List<JsonNode> tasks = states(JSON.readTree(machine.definition()), "Task");
    assertThat(tasks).isNotEmpty();
    for (JsonNode task : tasks) {
      long functionTimeout = timeouts.get(task.path("Resource").asText());
      assertThat(task.path("TimeoutSeconds").asLong(60))
          .as("TimeoutSeconds of a rollover Task (the function may run %d s)", functionTimeout)
          .isGreaterThan(functionTimeout);
    }
  }

  @Test
  void everyHandlerIsARequestHandlerWhoseEnvironmentTheTemplateSets() throws Exception {
    for (var fn : template.functions()) {
      Class<?> handler = Class.forName(fn.handlerClass());
      assertThat(RequestHandler.class.isAssignableFrom(handler))
          .as("%s implements RequestHandler", fn.handlerClass())
          .isTrue();
      if (fn.handler().contains("::")) {
        String method = fn.handler().substring(fn.handler().indexOf("::") + 2);
        assertThat(Stream.of(handler.getMethods()).map(m -> m.getName())).contains(method);
      }
      assertThat(handler.getConstructor())
          .as("%s has a public no-arg constructor", handler)
          .isNotNull();
      List<String> read = staticList(handler, "ENVIRONMENT");
      List<String> needed = staticList(handler, "REQUIRED_ENVIRONMENT");
      assertThat(read).as("%s reads what it requires", handler).containsAll(needed);
      for (String variable : needed) {
        if (LAMBDA_PROVIDED.contains(variable)) {
          continue;
        }
        assertThat(fn.environment())
            .as("template sets %s for %s", variable, fn.logicalId())
            .containsKey(variable);
      }
    }
  }

  /**
   * The template's SourceCluster* parameters reach every function that talks to a cluster as a
   * NAMED_CLUSTERS value the functions accept, and nothing when no second cluster is given.
   */
  @Test
  void sourceClusterParameters_becomeANamedClusterEveryClusterFunctionReads() throws Exception {
    SamTemplate withSource =
        SamTemplate.load(
            ROOT.resolve("template.yaml"),
            LocalAccount.of("test", "http://127.0.0.1:1"),
            Map.of(
                "ClusterEndpoint", "https://search.example",
                "SourceClusterName", "old-es",
                "SourceClusterEndpoint", "https://old.example:9200",
                "SourceClusterAuth", "basic",
                "SourceClusterCredentialsSecretArn",
                    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:old-AbCdEf"));
    int readers = 0;
    for (var fn : withSource.functions()) {
      Class<?> handler = Class.forName(fn.handlerClass());
      if (!staticList(handler, "ENVIRONMENT").contains(NamedClusters.VARIABLE)) {
        continue;
      }
      readers++;
      Map<String, String> env = new java.util.HashMap<>(fn.environment());
      NamedClusters clusters =
          NamedClusters.from(EnvironmentReader.of(env, NamedClusters.VARIABLES));
      assertThat(clusters.names()).as(fn.logicalId()).containsExactly("default", "old-es");
      assertThat(clusters.get("old-es").endpoint().toString())
          .isEqualTo("https://old.example:9200");
      assertThat(clusters.get("old-es").auth()).isEqualTo(ClusterConfig.Auth.BASIC);
    }
    assertThat(readers).as("functions reading NAMED_CLUSTERS").isGreaterThanOrEqualTo(3);

    for (var fn : template.functions()) {
      assertThat(fn.environment().getOrDefault(NamedClusters.VARIABLE, ""))
          .as("%s without a second cluster", fn.logicalId())
          .isEmpty();
    }
  }

  /**
   * The function that runs the cut-over knows where to publish the switch, under the stack's own
   * path, which is exactly what its SSM grant covers.
   */
  @Test
  void theControlFunction_publishesUnderTheStacksOwnParameterPath() throws Exception {
    var control =
        template.functions().stream()
            .filter(f -> f.logicalId().equals("ControlFunction"))
            .findFirst()
            .orElseThrow();
    assertThat(control.environment())
        .containsEntry("ENDPOINT_PARAMETER_PREFIX", "/index-migrator/test")
        .containsEntry("SWITCH_EVENT_BUS", "default");
    assertThat(staticList(Class.forName(control.handlerClass()), "ENVIRONMENT"))
        .contains("ENDPOINT_PARAMETER_PREFIX", "SWITCH_EVENT_BUS");
    for (var fn : template.functions()) {
      if (!fn.logicalId().equals("ControlFunction")) {
        assertThat(fn.environment())
            .as("only the control function publishes: %s", fn.logicalId())
            .doesNotContainKey("ENDPOINT_PARAMETER_PREFIX");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> staticList(Class<?> handler, String name) throws Exception {
    Field field = handler.getField(name);
    assertThat(Modifier.isStatic(field.getModifiers()))
        .as("%s.%s is static", handler, name)
        .isTrue();
    return (List<String>) field.get(null);
  }

  @Test
  void everyCodeUriIsTheShadedFunctionsJar() {
    for (var fn : template.functions()) {
      assertThat(fn.codeUri())
          .isEqualTo(ROOT.resolve("functions/handlers/target/migrator-functions.jar"));
    }
  }

  @Test
  void everyErrorNamedInTheAslIsAnExceptionTheCodeThrows() throws IOException {
    String sources = allSources(ROOT.resolve("functions"));
    for (var machine : template.stateMachines()) {
      for (String error : errorNames(JSON.readTree(machine.definition()))) {
        // Names the Step Functions and Lambda services define (throttling, timeouts, crashes).
        if (error.startsWith("States.")
            || error.startsWith("Lambda.")
            || error.startsWith("Sandbox.")
            || error.startsWith("Runtime.")) {
          continue;
        }
        Class<?> type;
        try {
          type = Class.forName(error);
        } catch (ClassNotFoundException e) {
          throw new AssertionError(
              machine.logicalId() + " names error " + error + ", which is no class of the code");
        }
        assertThat(Throwable.class.isAssignableFrom(type)).as(error).isTrue();
        assertThat(isThrown(type, sources))
            .as("%s (named in %s) is thrown somewhere in functions/", error, machine.logicalId())
            .isTrue();
      }
    }
  }

  /** True when the code throws the class itself or one of its subclasses defined in the code. */
  private static boolean isThrown(Class<?> type, String sources) {
    Matcher thrown = Pattern.compile("throw new (\\w+)\\(").matcher(sources);
    while (thrown.find()) {
      String simpleName = thrown.group(1);
      if (simpleName.equals(type.getSimpleName())) {
        return true;
      }
      Matcher definition =
          Pattern.compile("class " + simpleName + " extends (\\w+)").matcher(sources);
      if (definition.find() && definition.group(1).equals(type.getSimpleName())) {
        return true;
      }
    }
    return false;
  }

  private static String allSources(Path dir) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (f.toString().contains("/src/main/")) {
          all.append(Files.readString(f)).append('\n');
        }
      }
    }
    return all.toString();
  }

  private static List<JsonNode> states(JsonNode machine, String type) {
    List<JsonNode> found = new ArrayList<>();
    collect(machine, type, found);
    return found;
  }

  private static void collect(JsonNode node, String type, List<JsonNode> found) {
    if (node.isObject()) {
      if (type.equals(node.path("Type").asText()) && node.has("Resource")) {
        found.add(node);
      }
      node.fields().forEachRemaining(e -> collect(e.getValue(), type, found));
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, type, found));
    }
  }

  private static Set<String> errorNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    if (node.isObject()) {
      node.path("ErrorEquals").forEach(e -> names.add(e.asText()));
      node.fields().forEachRemaining(e -> names.addAll(errorNames(e.getValue())));
    } else if (node.isArray()) {
      node.forEach(n -> names.addAll(errorNames(n)));
    }
    return names;
  }
}
