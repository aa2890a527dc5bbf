package io.indexmigrator.local.template;

import io.indexmigrator.local.template.Resources.DynamoStreamEvent;
import io.indexmigrator.local.template.Resources.Function;
import io.indexmigrator.local.template.Resources.KeyElement;
import io.indexmigrator.local.template.Resources.Queue;
import io.indexmigrator.local.template.Resources.RedrivePolicy;
import io.indexmigrator.local.template.Resources.SecondaryIndex;
import io.indexmigrator.local.template.Resources.SqsEventSource;
import io.indexmigrator.local.template.Resources.StateMachine;
import io.indexmigrator.local.template.Resources.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SAM template resolved for a local account: parameters, conditions and the intrinsic functions
 * the project uses ({@code Ref}, {@code Fn::GetAtt}, {@code Fn::Sub}, {@code Fn::Join}, {@code
 * Fn::If}, {@code Fn::Equals}, {@code Fn::Not}, {@code Fn::And}, {@code Fn::Or}, {@code
 * Fn::Select}, {@code Fn::Split}) are evaluated, Globals are merged into functions, and each
 * resource of a kind the twin provisions becomes a typed record. Anything the twin would silently
 * get wrong is an error instead.
 */
public final class SamTemplate {
  private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");
  private static final Object NO_VALUE = new Object();

  private final Path file;
  private final LocalAccount account;
  private final Map<String, Object> parameters = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> resources = new LinkedHashMap<>();
  private final Map<String, Object> conditionDefinitions;
  private final Map<String, Boolean> conditions = new HashMap<>();
  private final Map<String, Object> functionGlobals;

  private final List<Table> tables = new ArrayList<>();
  private final List<Queue> queues = new ArrayList<>();
  private final List<Function> functions = new ArrayList<>();
  private final List<DynamoStreamEvent> dynamoStreamEvents = new ArrayList<>();
  private final List<StateMachine> stateMachines = new ArrayList<>();

  private SamTemplate(Path file, LocalAccount account, Map<String, String> parameterOverrides) {
    this.file = file.toAbsolutePath().normalize();
    this.account = account;
    Map<String, Object> root = IntrinsicYaml.read(this.file);
    this.conditionDefinitions = mapOrEmpty(root.get("Conditions"), "Conditions");
    Map<String, Object> globals = mapOrEmpty(root.get("Globals"), "Globals");
    this.functionGlobals = mapOrEmpty(globals.get("Function"), "Globals.Function");
    readParameters(mapOrEmpty(root.get("Parameters"), "Parameters"), parameterOverrides);
    Map<String, Object> declared = mapOrEmpty(root.get("Resources"), "Resources");
    if (declared.isEmpty()) {
      throw new TemplateException(this.file + ": no Resources");
    }
    declared.forEach((id, body) -> resources.put(id, mapOrEmpty(body, "Resources." + id)));
    for (var entry : resources.entrySet()) {
      String id = entry.getKey();
      Map<String, Object> resource = entry.getValue();
      if (resource.containsKey("Condition") && !condition(str(resource.get("Condition")))) {
        continue;
      }
      Map<String, Object> props = mapOrEmpty(resource.get("Properties"), id + ".Properties");
      String type = str(resource.get("Type"));
      switch (type) {
        case "AWS::DynamoDB::Table" -> tables.add(table(id, props));
        case "AWS::SQS::Queue" -> queues.add(queue(id, props));
        case "AWS::Serverless::Function" -> functions.add(function(id, props));
        case "AWS::Serverless::StateMachine" -> stateMachines.add(stateMachine(id, props));
        default -> {
          // IAM roles, alarms and the like have no local counterpart; they are not needed to run.
        }
      }
    }
  }

  /**
   * Loads and resolves {@code file}. {@code parameterOverrides} supplies values for parameters
   * (required for those without a Default).
   */
  public static SamTemplate load(
      Path file, LocalAccount account, Map<String, String> parameterOverrides) {
    return new SamTemplate(file, account, parameterOverrides);
  }

  public Path file() {
    return file;
  }

  public LocalAccount account() {
    return account;
  }

  public List<Table> tables() {
    return List.copyOf(tables);
  }

  public List<Queue> queues() {
    return List.copyOf(queues);
  }

  public List<Function> functions() {
    return List.copyOf(functions);
  }

  /** The {@code Type: DynamoDB} events of all functions, in template order. */
  public List<DynamoStreamEvent> dynamoStreamEvents() {
    return List.copyOf(dynamoStreamEvents);
  }

  public List<StateMachine> stateMachines() {
    return List.copyOf(stateMachines);
  }

  public Queue queue(String logicalId) {
    return queues.stream()
        .filter(q -> q.logicalId().equals(logicalId))
        .findFirst()
        .orElseThrow(() -> new TemplateException(file + ": no queue " + logicalId));
  }

  public Function function(String logicalId) {
    return functions.stream()
        .filter(f -> f.logicalId().equals(logicalId))
        .findFirst()
        .orElseThrow(() -> new TemplateException(file + ": no function " + logicalId));
  }

  public StateMachine stateMachine(String logicalId) {
    return stateMachines.stream()
        .filter(s -> s.logicalId().equals(logicalId))
        .findFirst()
        .orElseThrow(() -> new TemplateException(file + ": no state machine " + logicalId));
  }

  // ---------------------------------------------------------------- parameters and conditions

  private void readParameters(Map<String, Object> declared, Map<String, String> overrides) {
    for (String name : overrides.keySet()) {
      if (!declared.containsKey(name)) {
        throw new TemplateException(
            file + ": unknown parameter '" + name + "'; declared are " + declared.keySet());
      }
    }
    declared.forEach(
        (name, body) -> {
          Map<String, Object> spec = mapOrEmpty(body, "Parameters." + name);
          String type = String.valueOf(spec.getOrDefault("Type", "String"));
          Object raw = overrides.containsKey(name) ? overrides.get(name) : spec.get("Default");
          if (raw == null) {
            throw new TemplateException(
                file + ": parameter '" + name + "' has no Default and no value was given");
          }
          String value = String.valueOf(raw);
          if (spec.get("AllowedValues") instanceof List<?> allowed
              && !allowed.stream().map(String::valueOf).toList().contains(value)) {
            throw new TemplateException(
                file + ": parameter '" + name + "' is '" + value + "', allowed are " + allowed);
          }
          if (type.equals("Number")) {
            checkNumber(name, value, spec);
          }
          parameters.put(
              name,
              type.equals("CommaDelimitedList")
                  ? (value.isEmpty() ? List.of("") : List.of(value.split("\\s*,\\s*")))
                  : value);
        });
  }

  /** As CloudFormation does: a Number parameter must parse and lie within MinValue..MaxValue. */
  private void checkNumber(String name, String value, Map<String, Object> spec) {
    double number;
    try {
      number = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new TemplateException(
          file + ": parameter '" + name + "' is '" + value + "', not a number");
    }
    Object min = spec.get("MinValue");
    Object max = spec.get("MaxValue");
    if ((min != null && number < Double.parseDouble(String.valueOf(min)))
        || (max != null && number > Double.parseDouble(String.valueOf(max)))) {
      throw new TemplateException(
          file
              + ": parameter '"
              + name
              + "' is "
              + value
              + ", allowed are "
              + (min == null ? "any" : min)
              + " to "
              + (max == null ? "any" : max));
    }
  }

  private boolean condition(String name) {
    Boolean known = conditions.get(name);
    if (known != null) {
      return known;
    }
    if (!conditionDefinitions.containsKey(name)) {
      throw new TemplateException(file + ": unknown condition '" + name + "'");
    }
    boolean value = truth(resolve(conditionDefinitions.get(name), "Conditions." + name));
    conditions.put(name, value);
    return value;
  }

  private static boolean truth(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    return Boolean.parseBoolean(String.valueOf(value));
  }

  // ---------------------------------------------------------------- intrinsic functions

  /** Evaluates every intrinsic function inside {@code node}; {@code where} names it in errors. */
  Object resolve(Object node, String where) {
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        Object v = resolve(list.get(i), where + "[" + i + "]");
        if (v != NO_VALUE) {
          out.add(v);
        }
      }
      return out;
    }
    if (!(node instanceof Map<?, ?> map)) {
      return node;
    }
    if (map.size() == 1) {
      String key = String.valueOf(map.keySet().iterator().next());
      Object arg = map.values().iterator().next();
      if (key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::")) {
        return intrinsic(key, arg, where);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach(
        (k, v) -> {
          Object resolved = resolve(v, where + "." + k);
          if (resolved != NO_VALUE) {
            out.put(String.valueOf(k), resolved);
          }
        });
    return out;
  }

  private Object intrinsic(String fn, Object arg, String where) {
    return switch (fn) {
      case "Ref" -> ref(str(resolve(arg, where)), where);
      case "Condition" -> condition(str(arg));
      case "Fn::GetAtt" -> {
        List<?> parts = list(resolve(arg, where), where + " Fn::GetAtt");
        if (parts.size() != 2) {
          throw new TemplateException(where + ": Fn::GetAtt needs [Resource, Attribute]");
        }
        yield getAtt(str(parts.get(0)), str(parts.get(1)), where);
      }
      case "Fn::Sub" -> sub(arg, where);
      case "Fn::Join" -> {
        List<?> parts = list(arg, where + " Fn::Join");
        String delimiter = str(resolve(parts.get(0), where));
        List<?> items = list(resolve(parts.get(1), where), where + " Fn::Join");
        yield String.join(delimiter, items.stream().map(String::valueOf).toList());
      }
      case "Fn::Select" -> {
        List<?> parts = list(arg, where + " Fn::Select");
        int index = Integer.parseInt(str(resolve(parts.get(0), where)));
        yield list(resolve(parts.get(1), where), where).get(index);
      }
      case "Fn::Split" -> {
        List<?> parts = list(arg, where + " Fn::Split");
        String delimiter = str(resolve(parts.get(0), where));
        String text = str(resolve(parts.get(1), where));
        yield List.of(text.split(Pattern.quote(delimiter), -1));
      }
      case "Fn::If" -> {
        List<?> parts = list(arg, where + " Fn::If");
        yield condition(str(parts.get(0)))
            ? resolve(parts.get(1), where)
            : resolve(parts.get(2), where);
      }
      case "Fn::Equals" -> {
        List<?> parts = list(arg, where + " Fn::Equals");
        yield String.valueOf(resolve(parts.get(0), where))
            .equals(String.valueOf(resolve(parts.get(1), where)));
      }
      case "Fn::Not" -> !truth(resolve(list(arg, where + " Fn::Not").get(0), where));
      case "Fn::And" ->
          list(arg, where).stream().allMatch(c -> truth(resolve(c, where + " Fn::And")));
      case "Fn::Or" ->
          list(arg, where).stream().anyMatch(c -> truth(resolve(c, where + " Fn::Or")));
      default -> throw new TemplateException(where + ": intrinsic " + fn + " is not supported");
    };
  }

  private Object ref(String name, String where) {
    switch (name) {
      case "AWS::Region":
        return account.region();
      case "AWS::AccountId":
        return account.accountId();
      case "AWS::StackName":
        return account.stackName();
      case "AWS::Partition":
        return "aws";
      case "AWS::URLSuffix":
        return "amazonaws.com";
      case "AWS::NoValue":
        return NO_VALUE;
      default:
        break;
    }
    if (parameters.containsKey(name)) {
      return parameters.get(name);
    }
    Map<String, Object> resource = resources.get(name);
    if (resource == null) {
      throw new TemplateException(where + ": Ref to unknown parameter or resource '" + name + "'");
    }
    String type = str(resource.get("Type"));
    return switch (type) {
      case "AWS::SQS::Queue" -> account.queueUrl(queueName(name));
      case "AWS::DynamoDB::Table" -> tableName(name);
      case "AWS::Serverless::Function" -> functionName(name);
      case "AWS::Serverless::StateMachine" -> account.stateMachineArn(stateMachineName(name));
      default -> name;
    };
  }

  private Object getAtt(String resourceId, String attribute, String where) {
    Map<String, Object> resource = resources.get(resourceId);
    if (resource == null) {
      throw new TemplateException(where + ": Fn::GetAtt of unknown resource '" + resourceId + "'");
    }
    String type = str(resource.get("Type"));
    String key = type + "." + attribute;
    return switch (key) {
      case "AWS::SQS::Queue.Arn" -> account.queueArn(queueName(resourceId));
      case "AWS::SQS::Queue.QueueName" -> queueName(resourceId);
      case "AWS::SQS::Queue.QueueUrl" -> account.queueUrl(queueName(resourceId));
      case "AWS::DynamoDB::Table.Arn" -> account.tableArn(tableName(resourceId));
      case "AWS::DynamoDB::Table.StreamArn" ->
          account.tableArn(tableName(resourceId)) + "/stream/local";
      case "AWS::Serverless::Function.Arn" -> account.functionArn(functionName(resourceId));
      case "AWS::Serverless::StateMachine.Arn" ->
          account.stateMachineArn(stateMachineName(resourceId));
      case "AWS::Serverless::StateMachine.Name" -> stateMachineName(resourceId);
      default ->
          throw new TemplateException(
              where + ": Fn::GetAtt " + resourceId + "." + attribute + " is not supported locally");
    };
  }

  private String sub(Object arg, String where) {
    String text;
    Map<String, Object> variables = new HashMap<>();
    if (arg instanceof List<?> parts) {
      text = str(parts.get(0));
      mapOrEmpty(parts.get(1), where + " Fn::Sub variables")
          .forEach((k, v) -> variables.put(k, resolve(v, where)));
    } else {
      text = str(arg);
    }
    Matcher m = SUB_VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1).trim();
      Object value;
      if (variables.containsKey(name)) {
        value = variables.get(name);
      } else if (name.contains(".") && !name.startsWith("AWS::")) {
        int dot = name.indexOf('.');
        value = getAtt(name.substring(0, dot), name.substring(dot + 1), where);
      } else {
        value = ref(name, where);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(value)));
    }
    m.appendTail(out);
    // "${!Literal}" is how templates write a literal "${Literal}".
    return out.toString().replace("${!", "${");
  }

  // ---------------------------------------------------------------- physical names

  private Map<String, Object> props(String logicalId) {
    return mapOrEmpty(resources.get(logicalId).get("Properties"), logicalId + ".Properties");
  }

  private String explicitOrGenerated(String logicalId, String property) {
    Object explicit = props(logicalId).get(property);
    if (explicit != null) {
      return str(resolve(explicit, logicalId + "." + property));
    }
    return account.stackName() + "-" + logicalId;
  }

  private String queueName(String logicalId) {
    Object explicit = props(logicalId).get("QueueName");
    if (explicit != null) {
      return str(resolve(explicit, logicalId + ".QueueName"));
    }
    boolean fifo = truth(resolve(props(logicalId).getOrDefault("FifoQueue", false), logicalId));
    return account.stackName() + "-" + logicalId + (fifo ? ".fifo" : "");
  }

  private String tableName(String logicalId) {
    return explicitOrGenerated(logicalId, "TableName");
  }

  private String functionName(String logicalId) {
    return explicitOrGenerated(logicalId, "FunctionName");
  }

  private String stateMachineName(String logicalId) {
    return explicitOrGenerated(logicalId, "Name");
  }

  // ---------------------------------------------------------------- resources

  private Table table(String id, Map<String, Object> rawProps) {
    Map<String, Object> p = asMap(resolve(rawProps, id), id);
    Map<String, String> attributeTypes = new LinkedHashMap<>();
    for (Object a : list(p.get("AttributeDefinitions"), id + ".AttributeDefinitions")) {
      Map<String, Object> def = asMap(a, id + ".AttributeDefinitions");
      attributeTypes.put(str(def.get("AttributeName")), str(def.get("AttributeType")));
    }
    List<SecondaryIndex> gsis = new ArrayList<>();
    if (p.get("GlobalSecondaryIndexes") != null) {
      for (Object g : list(p.get("GlobalSecondaryIndexes"), id + ".GlobalSecondaryIndexes")) {
        Map<String, Object> gsi = asMap(g, id + ".GlobalSecondaryIndexes");
        Map<String, Object> projection =
            mapOrEmpty(gsi.get("Projection"), id + ".GlobalSecondaryIndexes.Projection");
        gsis.add(
            new SecondaryIndex(
                str(gsi.get("IndexName")),
                keySchema(gsi.get("KeySchema"), id),
                String.valueOf(projection.getOrDefault("ProjectionType", "ALL"))));
      }
    }
    Map<String, Object> ttl =
        mapOrEmpty(p.get("TimeToLiveSpecification"), id + ".TimeToLiveSpecification");
    Map<String, Object> stream = mapOrEmpty(p.get("StreamSpecification"), id + ".Stream");
    return new Table(
        id,
        tableName(id),
        attributeTypes,
        keySchema(p.get("KeySchema"), id),
        gsis,
        truth(ttl.getOrDefault("Enabled", false))
            ? Optional.of(str(ttl.get("AttributeName")))
            : Optional.empty(),
        Optional.ofNullable(stream.get("StreamViewType")).map(String::valueOf));
  }

  private List<KeyElement> keySchema(Object raw, String id) {
    List<KeyElement> keys = new ArrayList<>();
    for (Object k : list(raw, id + ".KeySchema")) {
      Map<String, Object> key = asMap(k, id + ".KeySchema");
      keys.add(new KeyElement(str(key.get("AttributeName")), str(key.get("KeyType"))));
    }
    if (keys.isEmpty()) {
      throw new TemplateException(file + ": table " + id + " has no KeySchema");
    }
    return keys;
  }

  private Queue queue(String id, Map<String, Object> rawProps) {
    Map<String, Object> p = asMap(resolve(rawProps, id), id);
    String name = queueName(id);
    boolean fifo = truth(p.getOrDefault("FifoQueue", false));
    if (fifo != name.endsWith(".fifo")) {
      throw new TemplateException(
          file + ": queue " + id + ": a FIFO queue's name must end in .fifo and only then");
    }
    Optional<RedrivePolicy> redrive = Optional.empty();
    if (p.get("RedrivePolicy") instanceof Map<?, ?> rp) {
      String dlqArn = str(rp.get("deadLetterTargetArn"));
      String dlqId =
          resources.keySet().stream()
              .filter(
                  other ->
                      str(resources.get(other).get("Type")).equals("AWS::SQS::Queue")
                          && account.queueArn(queueName(other)).equals(dlqArn))
              .findFirst()
              .orElseThrow(
                  () ->
                      new TemplateException(
                          file
                              + ": queue "
                              + id
                              + ": deadLetterTargetArn "
                              + dlqArn
                              + " is not a queue of this template"));
      redrive = Optional.of(new RedrivePolicy(dlqId, integer(rp.get("maxReceiveCount"), 10)));
    }
    return new Queue(
        id,
        name,
        account.queueUrl(name),
        account.queueArn(name),
        fifo,
        truth(p.getOrDefault("ContentBasedDeduplication", false)),
        integer(p.get("VisibilityTimeout"), 30),
        integer(p.get("MessageRetentionPeriod"), 345_600),
        integer(p.get("DelaySeconds"), 0),
        redrive);
  }

  private Function function(String id, Map<String, Object> rawProps) {
    Map<String, Object> merged = new LinkedHashMap<>(functionGlobals);
    merged.putAll(rawProps);
    // Environment variables merge key by key: a function adds to the global ones.
    Map<String, Object> env = new LinkedHashMap<>();
    env.putAll(variables(functionGlobals.get("Environment")));
    env.putAll(variables(rawProps.get("Environment")));
    merged.remove("Environment");
    Map<String, Object> p = asMap(resolve(merged, id), id);
    Map<String, String> environment = new LinkedHashMap<>();
    asMap(resolve(env, id + ".Environment"), id)
        .forEach(
            (k, v) ->
                environment.put(
                    k,
                    v instanceof List<?> l
                        ? String.join(",", l.stream().map(String::valueOf).toList())
                        : String.valueOf(v)));
    String handler = str(p.get("Handler"));
    if (handler == null || handler.isBlank()) {
      throw new TemplateException(file + ": function " + id + " has no Handler");
    }
    Object codeUri = p.get("CodeUri");
    if (codeUri == null) {
      throw new TemplateException(file + ": function " + id + " has no CodeUri");
    }
    List<SqsEventSource> sqsEvents = new ArrayList<>();
    mapOrEmpty(p.get("Events"), id + ".Events")
        .forEach(
            (eventName, raw) -> {
              Map<String, Object> event = asMap(raw, id + ".Events." + eventName);
              if ("DynamoDB".equals(event.get("Type"))) {
                dynamoStreamEvents.add(
                    dynamoStreamEvent(
                        id, eventName, mapOrEmpty(event.get("Properties"), eventName)));
                return;
              }
              if (!"SQS".equals(event.get("Type"))) {
                return;
              }
              Map<String, Object> ep = mapOrEmpty(event.get("Properties"), eventName);
              String where = file + ": function " + id + " event " + eventName;
              for (String property : ep.keySet()) {
                if (!SQS_EVENT_PROPERTIES.contains(property)) {
                  throw new TemplateException(
                      where
                          + ": property "
                          + property
                          + " is not emulated by the local twin (supported: "
                          + String.join(", ", SQS_EVENT_PROPERTIES)
                          + ")");
                }
              }
              String queueArn = str(ep.get("Queue"));
              String queueId =
                  resources.keySet().stream()
                      .filter(
                          q ->
                              str(resources.get(q).get("Type")).equals("AWS::SQS::Queue")
                                  && account.queueArn(queueName(q)).equals(queueArn))
                      .findFirst()
                      .orElseThrow(
                          () ->
                              new TemplateException(
                                  file
                                      + ": function "
                                      + id
                                      + " event "
                                      + eventName
                                      + ": queue "
                                      + queueArn
                                      + " is not a queue of this template"));
              List<?> responseTypes =
                  ep.get("FunctionResponseTypes") instanceof List<?> l ? l : List.of();
              sqsEvents.add(
                  new SqsEventSource(
                      eventName,
                      queueId,
                      integer(ep.get("BatchSize"), 10),
                      Duration.ofSeconds(integer(ep.get("MaximumBatchingWindowInSeconds"), 0)),
                      responseTypes.contains("ReportBatchItemFailures"),
                      truth(ep.getOrDefault("Enabled", true)),
                      maximumConcurrency(ep.get("ScalingConfig"), where)));
            });
    String name = functionName(id);
    return new Function(
        id,
        name,
        account.functionArn(name),
        handler,
        file.getParent().resolve(str(codeUri)).normalize(),
        str(p.getOrDefault("Runtime", "java21")),
        Duration.ofSeconds(integer(p.get("Timeout"), 3)),
        integer(p.get("MemorySize"), 128),
        environment,
        sqsEvents);
  }

  /** The SQS event properties the twin's event-source mapping honours. */
  private static final List<String> SQS_EVENT_PROPERTIES =
      List.of(
          "Queue",
          "BatchSize",
          "MaximumBatchingWindowInSeconds",
          "FunctionResponseTypes",
          "Enabled",
          "ScalingConfig");

  private Integer maximumConcurrency(Object scalingConfig, String where) {
    if (scalingConfig == null) {
      return null;
    }
    Map<String, Object> config = mapOrEmpty(scalingConfig, where + ".ScalingConfig");
    for (String key : config.keySet()) {
      if (!key.equals("MaximumConcurrency")) {
        throw new TemplateException(
            where + ": ScalingConfig." + key + " is not emulated by the local twin");
      }
    }
    int maximum = integer(config.get("MaximumConcurrency"), -1);
    // Lambda's own bounds; AWS refuses the stack outside them, so does the twin.
    if (maximum < 2 || maximum > 1000) {
      throw new TemplateException(
          where
              + ": ScalingConfig.MaximumConcurrency must be 2 to 1000, was "
              + config.get("MaximumConcurrency"));
    }
    return maximum;
  }

  private DynamoStreamEvent dynamoStreamEvent(
      String functionId, String eventName, Map<String, Object> ep) {
    String where = file + ": function " + functionId + " event " + eventName;
    String streamArn = str(ep.get("Stream"));
    // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    Matcher arn =
        Pattern.compile("arn:[^:]+:dynamodb:[^:]*:[^:]*:table/([^/]+)/stream/.+")
            .matcher(streamArn == null ? "" : streamArn);
    if (!arn.matches()) {
      throw new TemplateException(
          where + ": Stream '" + streamArn + "' is not a DynamoDB stream ARN");
    }
    String startingPosition = str(ep.get("StartingPosition"));
    if (!"TRIM_HORIZON".equals(startingPosition) && !"LATEST".equals(startingPosition)) {
      throw new TemplateException(
          where
              + ": StartingPosition '"
              + startingPosition
              + "' is not supported locally; use TRIM_HORIZON or LATEST");
    }
    List<?> responseTypes = ep.get("FunctionResponseTypes") instanceof List<?> l ? l : List.of();
    return new DynamoStreamEvent(
        functionId,
        eventName,
        streamArn,
        arn.group(1),
        integer(ep.get("BatchSize"), 100),
        startingPosition,
        responseTypes.contains("ReportBatchItemFailures"),
        truth(ep.getOrDefault("Enabled", true)));
  }

  private Map<String, Object> variables(Object environment) {
    Map<String, Object> env = mapOrEmpty(environment, "Environment");
    return mapOrEmpty(env.get("Variables"), "Environment.Variables");
  }

  private StateMachine stateMachine(String id, Map<String, Object> rawProps) {
    Map<String, Object> p = asMap(resolve(rawProps, id), id);
    Object uri = p.get("DefinitionUri");
    if (uri == null) {
      throw new TemplateException(
          file + ": state machine " + id + " needs DefinitionUri (inline Definition is not used)");
    }
    Path definitionUri = file.getParent().resolve(str(uri)).normalize();
    String definition;
    try {
      definition = Files.readString(definitionUri);
    } catch (IOException e) {
      throw new TemplateException(
          file + ": state machine " + id + ": cannot read " + definitionUri, e);
    }
    Map<String, String> substitutions = new LinkedHashMap<>();
    mapOrEmpty(p.get("DefinitionSubstitutions"), id + ".DefinitionSubstitutions")
        .forEach((k, v) -> substitutions.put(k, String.valueOf(v)));
    Matcher m = SUB_VARIABLE.matcher(definition);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = substitutions.get(name);
      if (value == null) {
        throw new TemplateException(
            definitionUri
                + ": ${"
                + name
                + "} has no entry in DefinitionSubstitutions of "
                + id
                + " in "
                + file.getFileName());
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    String name = stateMachineName(id);
    return new StateMachine(
        id, name, account.stateMachineArn(name), definitionUri, substitutions, out.toString());
  }

  // ---------------------------------------------------------------- small helpers

  private static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  private static int integer(Object o, int fallback) {
    if (o == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(String.valueOf(o).trim());
    } catch (NumberFormatException e) {
      throw new TemplateException("expected a whole number, got '" + o + "'");
    }
  }

  private List<?> list(Object o, String where) {
    if (o instanceof List<?> l) {
      return l;
    }
    throw new TemplateException(file + ": " + where + ": expected a list, got " + o);
  }

  private Map<String, Object> asMap(Object o, String where) {
    return mapOrEmpty(o, where);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> mapOrEmpty(Object o, String where) {
    if (o == null) {
      return Map.of();
    }
    if (o instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw new TemplateException(
        (file == null ? "" : file + ": ") + where + ": expected a mapping, got " + o);
  }
}
