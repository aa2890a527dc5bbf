package io.indexmigrator.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * template.yaml as CloudFormation will see it: cfn-lint and the SAM transform accept it, and the
 * IAM roles the transform produces grant nothing on a wildcard resource unless the wildcard is on
 * {@link #ALLOWED_WILDCARDS}.
 *
 * <p>The tools are required, not optional: a machine without them fails here with what to install,
 * because a template that only deploys in theory is what this test exists to catch.
 */
class DeployableTemplateTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path TEMPLATE = ROOT.resolve("template.yaml");
  static final Path TRANSFORM_SCRIPT =
      Path.of("src/test/resources/deploy/sam_transform.py").toAbsolutePath();
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ARN =
      "arn:\\$\\{AWS::Partition}:%s:\\$\\{AWS::Region}:\\$\\{AWS::AccountId}:";

  /** A wildcard resource that is as narrow as IAM allows for these actions, and why. */
  record AllowedWildcard(String actions, String resource, String requiredConditionKey, String why) {
    boolean allows(String action, String renderedResource) {
      return action.matches(actions) && renderedResource.matches(resource);
    }
  }

  static final List<AllowedWildcard> ALLOWED_WILDCARDS =
      List.of(
          new AllowedWildcard(
              "lambda:ListEventSourceMappings",
              "\\*",
              null,
              "ListEventSourceMappings supports no resource-level permission"),
          new AllowedWildcard(
              "lambda:UpdateEventSourceMapping",
              ARN.formatted("lambda") + "event-source-mapping:\\*",
              "lambda:FunctionArn",
              "a mapping's id exists only once deployed; the condition pins it to our function"),
          new AllowedWildcard(
              "states:(StopExecution|DescribeExecution)",
              ARN.formatted("states") + "execution:\\$\\{AWS::StackName}-\\w+:\\*",
              null,
              "execution names are made at run time; the machine is named"),
          new AllowedWildcard(
              "ssm:(PutParameter|GetParameter)",
              ARN.formatted("ssm")
                  + "parameter\\$\\{EndpointParameterPrefix}/\\$\\{AWS::StackName}/\\*",
              null,
              "one parameter per recipe under the stack's own path; recipes are named at run time"),
          new AllowedWildcard(
              "es:ESHttp\\w+",
              "\\$\\{ClusterDomainArn}/\\*",
              null,
              "request paths inside the one domain ClusterDomainArn names"),
          new AllowedWildcard(
              "es:ESHttp(Get|Head|Post|Put)",
              "\\$\\{SourceClusterDomainArn}/\\*",
              null,
              "request paths inside the one domain SourceClusterDomainArn names"),
          new AllowedWildcard(
              "dynamodb:\\w+",
              ARN.formatted("dynamodb") + "table/\\$\\{StateTable}/index/\\*",
              null,
              "SAM's DynamoDB policy templates: the indexes of the named table"),
          new AllowedWildcard(
              "lambda:InvokeFunction",
              ARN.formatted("lambda") + "function:\\$\\{\\w+}\\*",
              null,
              "SAM's LambdaInvokePolicy: versions and aliases of the named function"));

  static JsonNode source;
  static JsonNode deployed;
  static String transformOutput;

  @BeforeAll
  static void transform() throws IOException {
    source = JSON.readTree(run(List.of("python3", "-c", yamlToJson(), TEMPLATE.toString())).out);
    Ran ran = run(List.of("python3", TRANSFORM_SCRIPT.toString(), TEMPLATE.toString()));
    transformOutput = ran.out + ran.err;
    deployed = ran.exitCode == 0 ? JSON.readTree(ran.out) : null;
  }

  @Test
  void cfnLintAcceptsTheTemplate() {
    Ran lint = run(List.of("cfn-lint", "--", TEMPLATE.toString()));
    assertThat(lint.exitCode).as("cfn-lint %s:%n%s%s", TEMPLATE, lint.out, lint.err).isZero();
  }

  @Test
  void samTransformAcceptsTheTemplate() {
    assertThat(deployed).as("SAM transform of %s:%n%s", TEMPLATE, transformOutput).isNotNull();
    assertThat(deployed.path("Resources").path("ControlFunctionRole").path("Type").asText())
        .isEqualTo("AWS::IAM::Role");
  }

  @Test
  void noRoleGrantsAWildcardResourceOutsideTheAllowlist() {
    List<String> violations = new ArrayList<>();
    for (var role : roles().entrySet()) {
      for (JsonNode statement : statements(role.getValue())) {
        for (String resource : renderAll(statement.path("Resource"))) {
          if (!resource.contains("*")) {
            continue;
          }
          for (String action : texts(statement.path("Action"))) {
            var allowed =
                ALLOWED_WILDCARDS.stream().filter(a -> a.allows(action, resource)).findFirst();
            if (allowed.isEmpty()) {
              violations.add(role.getKey() + ": " + action + " on " + resource);
            } else if (allowed.get().requiredConditionKey() != null
                && !conditionNamesAFunction(statement, allowed.get().requiredConditionKey())) {
              violations.add(
                  role.getKey()
                      + ": "
                      + action
                      + " on "
                      + resource
                      + " without a "
                      + allowed.get().requiredConditionKey()
                      + " condition naming a function of the template");
            }
          }
        }
      }
    }
    assertThat(violations).as("wildcard resources not on the allowlist").isEmpty();
  }

  @Test
  void everyStateMachineOrExecutionArnNamesAMachineOfTheTemplate() {
    Pattern machineArn =
        Pattern.compile(":states:.*:(?:stateMachine|execution):\\$\\{AWS::StackName}-(\\w+)");
    int seen = 0;
    for (var role : roles().entrySet()) {
      for (JsonNode statement : statements(role.getValue())) {
        for (String resource : renderAll(statement.path("Resource"))) {
          Matcher m = machineArn.matcher(resource);
          if (!resource.contains(":states:")) {
            continue;
          }
          assertThat(m.find())
              .as("%s: %s names its machine by name", role.getKey(), resource)
              .isTrue();
          seen++;
          JsonNode machine = deployed.path("Resources").path(m.group(1));
          assertThat(machine.path("Type").asText())
              .as("%s names %s, a state machine of the template", role.getKey(), m.group(1))
              .isEqualTo("AWS::StepFunctions::StateMachine");
          assertThat(renderAll(machine.path("Properties").path("StateMachineName")))
              .as("the name of %s, which %s's policy spells out", m.group(1), role.getKey())
              .containsExactly("${AWS::StackName}-" + m.group(1));
        }
      }
    }
    assertThat(seen).as("state machine ARNs in policies").isPositive();
  }

  @Test
  void onlyTheControlFunctionMayDelete_andTheCopyOnlyItsOwnReadContexts() {
    Set<String> deleters = new TreeSet<>();
    Set<String> copyDeletes = new TreeSet<>();
    for (var role : roles().entrySet()) {
      for (JsonNode statement : statements(role.getValue())) {
        if (texts(statement.path("Action")).stream()
            .anyMatch(a -> a.equals("es:ESHttpDelete") || a.equals("es:*") || a.equals("*"))) {
          if (role.getKey().equals("CopyFunctionRole")) {
            assertThat(texts(statement.path("Action"))).containsExactly("es:ESHttpDelete");
            copyDeletes.addAll(renderAll(statement.path("Resource")));
          } else {
            deleters.add(role.getKey());
          }
        }
      }
    }
    // Index deletes (init clean-up, cancel, rollover) and the verifier's clear-scroll all run in
    // the control function; the sync consumer and the smoke test never delete.
    assertThat(deleters).containsExactly("ControlFunctionRole");
    // The reader copy engine closes its scrolls and points in time, on either cluster, and can
    // reach no other path with DELETE.
    assertThat(copyDeletes)
        .containsExactlyInAnyOrder(
            "${ClusterDomainArn}/_search/scroll",
            "${ClusterDomainArn}/_search/point_in_time",
            "${SourceClusterDomainArn}/_search/scroll",
            "${SourceClusterDomainArn}/_search/point_in_time");
  }

  /**
   * The second cluster is the source of a migration: it is read, and only the control function puts
   * the rollover's write block on it; nothing there is ever deleted or written otherwise.
   */
  @Test
  void theSourceClusterIsOnlyReadAndWriteBlocked() {
    Map<String, Set<String>> grants = new TreeMap<>();
    for (var role : roles().entrySet()) {
      for (JsonNode statement : statements(role.getValue())) {
        if (renderAll(statement.path("Resource")).contains("${SourceClusterDomainArn}/*")) {
          grants
              .computeIfAbsent(role.getKey(), r -> new TreeSet<>())
              .addAll(texts(statement.path("Action")));
        }
      }
    }
    assertThat(grants)
        .containsOnlyKeys("CopyFunctionRole", "ControlFunctionRole", "SyncFunctionRole");
    assertThat(grants.get("ControlFunctionRole"))
        .containsExactlyInAnyOrder(
            "es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut");
    assertThat(grants.get("CopyFunctionRole"))
        .containsExactlyInAnyOrder("es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost");
    assertThat(grants.get("SyncFunctionRole"))
        .containsExactlyInAnyOrder("es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost");
  }

  @Test
  void theSourceClustersSecretIsReadableOnlyByTheFunctionsThatReachIt() {
    Set<String> readers = new TreeSet<>();
    for (var role : roles().entrySet()) {
      for (JsonNode statement : statements(role.getValue())) {
        if (renderAll(statement.path("Resource"))
            .contains("${SourceClusterCredentialsSecretArn}")) {
          assertThat(texts(statement.path("Action")))
              .containsExactly("secretsmanager:GetSecretValue");
          readers.add(role.getKey());
        }
      }
    }
    assertThat(readers)
        .containsExactlyInAnyOrder("CopyFunctionRole", "ControlFunctionRole", "SyncFunctionRole");
  }

  @Test
  void theStateTableOutlivesTheStack() {
    JsonNode table = source.path("Resources").path("StateTable");
    assertThat(table.path("DeletionPolicy").asText()).isEqualTo("Retain");
    assertThat(table.path("UpdateReplacePolicy").asText()).isEqualTo("Retain");
  }

  @Test
  void everyFunctionHasALogGroupWithRetention() {
    Map<String, JsonNode> logGroups = new TreeMap<>();
    source
        .path("Resources")
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().path("Type").asText().equals("AWS::Logs::LogGroup")) {
                renderAll(e.getValue().path("Properties").path("LogGroupName"))
                    .forEach(name -> logGroups.put(name, e.getValue()));
              }
            });
    source
        .path("Resources")
        .fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                return;
              }
              JsonNode group = logGroups.get("/aws/lambda/${" + e.getKey() + "}");
              assertThat(group).as("log group /aws/lambda/<%s>", e.getKey()).isNotNull();
              assertThat(renderAll(group.path("Properties").path("RetentionInDays")))
                  .containsExactly("${LogRetentionInDays}");
              assertThat(group.path("Condition")).isEqualTo(e.getValue().path("Condition"));
            });
  }

  // ------------------------------------------------------------------------------ the roles

  private static Map<String, JsonNode> roles() {
    assertThat(deployed).as("SAM transform of %s:%n%s", TEMPLATE, transformOutput).isNotNull();
    Map<String, JsonNode> roles = new TreeMap<>();
    deployed
        .path("Resources")
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().path("Type").asText().equals("AWS::IAM::Role")) {
                roles.put(e.getKey(), e.getValue());
              }
            });
    assertThat(roles).isNotEmpty();
    return roles;
  }

  /** Every statement of a role's inline policies, on both sides of each {@code Fn::If}. */
  private static List<JsonNode> statements(JsonNode role) {
    List<JsonNode> statements = new ArrayList<>();
    for (JsonNode policy : branches(role.path("Properties").path("Policies"))) {
      for (JsonNode statement : branches(policy.path("PolicyDocument").path("Statement"))) {
        statements.add(statement);
      }
    }
    return statements;
  }

  /** The elements of a list, with each {@code Fn::If} replaced by both of its values. */
  private static List<JsonNode> branches(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> out.addAll(branches(n)));
    } else if (node.has("Fn::If")) {
      out.addAll(branches(node.get("Fn::If").get(1)));
      out.addAll(branches(node.get("Fn::If").get(2)));
    } else if (node.isObject()
        && !(node.size() == 1
            && node.has("Ref")
            && node.get("Ref").asText().equals("AWS::NoValue"))) {
      out.add(node);
    }
    return out;
  }

  private static boolean conditionNamesAFunction(JsonNode statement, String key) {
    List<String> values = new ArrayList<>();
    statement.path("Condition").forEach(operator -> values.addAll(renderAll(operator.path(key))));
    return !values.isEmpty()
        && values.stream()
            .allMatch(
                v -> {
                  Matcher m = Pattern.compile("\\$\\{(\\w+)\\.Arn}").matcher(v);
                  return m.matches()
                      && source
                          .path("Resources")
                          .path(m.group(1))
                          .path("Type")
                          .asText()
                          .equals("AWS::Serverless::Function");
                });
  }

  private static List<String> texts(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else if (!node.isMissingNode()) {
      out.add(node.asText());
    }
    return out;
  }

  /**
   * Each value a resource expression can take, written out with {@code ${Name}} for references, so
   * a wildcard is visible whatever the parameters: {@code Fn::Sub} variables are filled in, {@code
   * Ref X} is {@code ${X}}, {@code Fn::GetAtt [X, A]} is {@code ${X.A}}, both sides of an {@code
   * Fn::If} count.
   */
  static List<String> renderAll(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isMissingNode() || node.isNull()) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.addAll(renderAll(n)));
    } else if (node.isValueNode()) {
      out.add(node.asText());
    } else if (node.has("Ref")) {
      if (!node.get("Ref").asText().equals("AWS::NoValue")) {
        out.add("${" + node.get("Ref").asText() + "}");
      }
    } else if (node.has("Fn::GetAtt")) {
      JsonNode att = node.get("Fn::GetAtt");
      out.add(
          "${"
              + (att.isArray() ? att.get(0).asText() + "." + att.get(1).asText() : att.asText())
              + "}");
    } else if (node.has("Fn::If")) {
      out.addAll(renderAll(node.get("Fn::If").get(1)));
      out.addAll(renderAll(node.get("Fn::If").get(2)));
    } else if (node.has("Fn::Sub")) {
      JsonNode sub = node.get("Fn::Sub");
      String text = sub.isArray() ? sub.get(0).asText() : sub.asText();
      if (sub.isArray()) {
        var vars = sub.get(1).fields();
        while (vars.hasNext()) {
          var v = vars.next();
          List<String> values = renderAll(v.getValue());
          text = text.replace("${" + v.getKey() + "}", String.join("|", values));
        }
      }
      out.add(text);
    } else {
      // Fn::Select, Fn::Split, Fn::Join...: what they are built from is what could be a wildcard.
      out.add(node.toString());
    }
    return out;
  }

  // ------------------------------------------------------------------------------ processes

  record Ran(int exitCode, String out, String err) {}

  private static String yamlToJson() {
    // The SAM translator's YAML reader knows CloudFormation's short forms (!Ref, !Sub...).
    return "import json,sys\n"
        + "from samtranslator.yaml_helper import yaml_parse\n"
        + "print(json.dumps(yaml_parse(open(sys.argv[1]).read()), default=str))\n";
  }

  private static Ran run(List<String> command) {
    Process process;
    try {
      process =
          new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(false).start();
    } catch (IOException e) {
      throw new AssertionError(
          command.get(0)
              + " is not installed (or not on PATH): "
              + e.getMessage()
              + "; install it with `pip install cfn-lint aws-sam-translator`",
          e);
    }
    try {
      process.getOutputStream().close();
      var err = process.getErrorStream();
      var errText = new StringBuilder();
      Thread drain =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException ignored) {
                      // The exit code tells.
                    }
                  });
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
      }
      drain.join();
      String errors = errText.toString();
      if (errors.contains("No module named 'samtranslator'")) {
        throw new AssertionError(
            "python3 cannot import samtranslator; install it with `pip install"
                + " aws-sam-translator`:\n"
                + errors);
      }
      return new Ran(process.exitValue(), out, errors);
    } catch (IOException e) {
      throw new AssertionError(String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(String.join(" ", command) + " interrupted", e);
    }
  }
}
