package io.indexmigrator.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.indexmigrator.core.config.ClusterConfig.Auth;
import io.indexmigrator.core.config.ClusterConfig.SigningService;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every cluster a function can reach, by name. {@value #DEFAULT} comes from the {@code CLUSTER_*}
 * variables: it is the destination of every recipe and the source of in-cluster ones. Other
 * clusters (the source of a cross-cluster migration) come from {@value #VARIABLE}, one JSON object
 * so that the template can build it from its parameters:
 *
 * <pre>{"source": {"endpoint": "https://old:9200", "auth": "basic",
 *             "credentialsSecretArn": "arn:aws:secretsmanager:..."}}</pre>
 *
 * @param clusters name to configuration, {@value #DEFAULT} first
 */
public record NamedClusters(Map<String, ClusterConfig> clusters) {
  public static final String DEFAULT = "default";
  public static final String VARIABLE = "NAMED_CLUSTERS";

  /** What a recipe may call a cluster; short, so it fits in a log line and a state key. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

  /** The variables {@link #from} reads: the default cluster's and {@value #VARIABLE}. */
  public static final List<String> VARIABLES;

  private static final List<String> FIELDS =
      List.of("endpoint", "auth", "signingService", "credentialsSecretArn");

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  static {
    List<String> all = new ArrayList<>(ClusterConfig.VARIABLES);
    all.add(VARIABLE);
    VARIABLES = List.copyOf(all);
  }

  public NamedClusters {
    if (!clusters.containsKey(DEFAULT)) {
      throw new IllegalArgumentException("no '" + DEFAULT + "' cluster");
    }
    // Default first, so names() and messages list it first.
    Map<String, ClusterConfig> ordered = new LinkedHashMap<>();
    ordered.put(DEFAULT, clusters.get(DEFAULT));
    ordered.putAll(clusters);
    clusters = Collections.unmodifiableMap(ordered);
  }

  /** Only the default cluster. */
  public static NamedClusters of(ClusterConfig defaultCluster) {
    return new NamedClusters(Map.of(DEFAULT, defaultCluster));
  }

  public static NamedClusters from(EnvironmentReader env) {
    ClusterConfig defaultCluster = ClusterConfig.from(env);
    return parse(defaultCluster, env.optional(VARIABLE));
  }

  /**
   * The default cluster plus those {@code json} (the value of {@value #VARIABLE}) names. Messages
   * name the variable, the cluster and the field, and never quote what could be a secret: a
   * credential pasted into the wrong field must not reach a log.
   */
  static NamedClusters parse(ClusterConfig defaultCluster, Optional<String> json) {
    Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
    clusters.put(DEFAULT, defaultCluster);
    if (json.isEmpty()) {
      return new NamedClusters(clusters);
    }
    JsonNode root;
    try {
      root = JSON.readTree(json.get());
    } catch (JsonProcessingException e) {
      // The parser's message quotes the text, which may hold a password pasted by mistake.
      JsonLocation at = e.getLocation();
      throw new ConfigurationException(
          VARIABLE
              + " is not valid JSON"
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
              + "; expected an object such as {\"source\": {\"endpoint\": \"https://host:9200\","
              + " \"auth\": \"none\"}} (the text is not shown)");
    }
    if (root == null || !root.isObject()) {
      throw new ConfigurationException(
          VARIABLE + " must be a JSON object of cluster name to cluster, or empty for none");
    }
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      String name = entry.getKey();
      clusters.put(name, cluster(name, entry.getValue(), defaultCluster.region()));
    }
    return new NamedClusters(clusters);
  }

  private static ClusterConfig cluster(String name, JsonNode node, String region) {
    if (DEFAULT.equals(name)) {
      throw new ConfigurationException(
          VARIABLE
              + ": cluster '"
              + DEFAULT
              + "' is configured by CLUSTER_ENDPOINT and the other CLUSTER_* variables; give"
              + " this cluster another name");
    }
    if (!NAME.matcher(name).matches()) {
      throw new ConfigurationException(
          VARIABLE
              + ": cluster name '"
              + printable(name)
              + "' must be 1 to 40 characters from a-z, 0-9 and '-', starting with a letter");
    }
    String where = VARIABLE + ": cluster '" + name + "'";
    if (!node.isObject()) {
      throw new ConfigurationException(
          where + " must be an object with the fields " + FIELDS + ", not a " + kind(node));
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = field.getKey();
      if (key.equalsIgnoreCase("password") || key.equalsIgnoreCase("username")) {
        throw new ConfigurationException(
            where
                + ": field '"
                + key
                + "' is not accepted: cluster credentials are read only from Secrets Manager;"
                + " store {\"username\", \"password\"} in a secret, set 'credentialsSecretArn' to"
                + " its ARN and remove '"
                + key
                + "' (its value is not shown)");
      }
      if (!FIELDS.contains(key)) {
        throw new ConfigurationException(
            where + ": unknown field '" + printable(key) + "'; the fields are " + FIELDS);
      }
      if (!field.getValue().isTextual()) {
        throw new ConfigurationException(
            where + ": field '" + key + "' must be a string, not a " + kind(field.getValue()));
      }
    }
    URI endpoint = endpoint(where, text(node, "endpoint"));
    Auth auth = oneOf(where, "auth", text(node, "auth"), Auth.class, Auth.NONE);
    SigningService service =
        oneOf(
            where,
            "signingService",
            text(node, "signingService"),
            SigningService.class,
            SigningService.ES);
    Optional<String> secret = text(node, "credentialsSecretArn");
    if (secret.isPresent() && !secret.get().startsWith("arn:")) {
      throw new ConfigurationException(
          where
              + ": field 'credentialsSecretArn' must be the ARN of a Secrets Manager secret"
              + " (arn:aws:secretsmanager:...); the value is not shown, in case it is the secret"
              + " itself");
    }
    if (auth == Auth.BASIC && secret.isEmpty()) {
      throw new ConfigurationException(
          where
              + ": field 'auth' is basic but 'credentialsSecretArn' is not set (a Secrets Manager"
              + " secret holding {\"username\", \"password\"})");
    }
    return new ClusterConfig(endpoint, auth, service, region, secret);
  }

  private static URI endpoint(String where, Optional<String> raw) {
    if (raw.isEmpty()) {
      throw new ConfigurationException(
          where
              + ": field 'endpoint' is not set; expected an http(s) URL such as https://host:443");
    }
    String value = raw.get();
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri != null && uri.getRawUserInfo() != null) {
      throw new ConfigurationException(
          where
              + ": field 'endpoint' carries credentials (user:password@); put them in a Secrets"
              + " Manager secret named by 'credentialsSecretArn' (the value is not shown)");
    }
    if (uri == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new ConfigurationException(
          where
              + ": field 'endpoint' is '"
              + printable(value)
              + "'; expected an http(s) URL such as https://host:443");
    }
    return uri;
  }

  private static <E extends Enum<E>> E oneOf(
      String where, String field, Optional<String> raw, Class<E> type, E fallback) {
    if (raw.isEmpty()) {
      return fallback;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(raw.get())) {
        return constant;
      }
    }
    throw new ConfigurationException(
        where
            + ": field '"
            + field
            + "' is '"
            + printable(raw.get())
            + "'; expected one of "
            + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList());
  }

  /** A field's text; blank counts as absent, as the template writes "" for an unset parameter. */
  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.asText().isBlank()) {
      return Optional.empty();
    }
    return Optional.of(value.asText().trim());
  }

  /** Enough of a value to recognise it in a message, never a long blob. */
  private static String printable(String value) {
    String shown = value.replaceAll("\\p{Cntrl}", "?");
    return shown.length() > 80 ? shown.substring(0, 80) + "..." : shown;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** The names, {@value #DEFAULT} first. */
  public Set<String> names() {
    return clusters.keySet();
  }

  public ClusterConfig defaultCluster() {
    return clusters.get(DEFAULT);
  }

  /**
   * @throws ConfigurationException naming the known clusters when there is none called {@code name}
   */
  public ClusterConfig get(String name) {
    ClusterConfig config = clusters.get(name);
    if (config == null) {
      throw new ConfigurationException(
          "no cluster named '" + name + "'; the functions know " + String.join(", ", names()));
    }
    return config;
  }

  @Override
  public String toString() {
    return "NamedClusters" + clusters;
  }
}
