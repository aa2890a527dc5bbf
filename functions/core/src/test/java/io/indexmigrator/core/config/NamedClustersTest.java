package io.indexmigrator.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.indexmigrator.core.config.ClusterConfig.Auth;
import io.indexmigrator.core.config.ClusterConfig.SigningService;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NamedClustersTest {
  static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:old-AbCdEf";

  private static NamedClusters from(String namedClusters) {
    Map<String, String> env = new HashMap<>();
    env.put("CLUSTER_ENDPOINT", "https://new.example");
    env.put("AWS_REGION", "eu-west-1");
    if (namedClusters != null) {
      env.put("NAMED_CLUSTERS", namedClusters);
    }
    return NamedClusters.from(EnvironmentReader.of(env, NamedClusters.VARIABLES));
  }

  private static ConfigurationException refused(String namedClusters) {
    ConfigurationException e =
        catchThrowableOfType(ConfigurationException.class, () -> from(namedClusters));
    assertThat(e).as("NAMED_CLUSTERS=%s must be refused", namedClusters).isNotNull();
    return e;
  }

  @Test
  void absentOrEmpty_isOnlyTheDefaultCluster() {
    for (String value : new String[] {null, "", "  ", "{}"}) {
      NamedClusters clusters = from(value);

      assertThat(clusters.names()).as("NAMED_CLUSTERS=%s", value).containsExactly("default");
      assertThat(clusters.defaultCluster().endpoint()).isEqualTo(URI.create("https://new.example"));
    }
  }

  @Test
  void namedClusters_comeAfterTheDefault_withTheirOwnAuth() {
    NamedClusters clusters =
        from(
            """
            {"source": {"endpoint": "https://old.example:9200", "auth": "basic",
                        "credentialsSecretArn": "%s"},
             "archive": {"endpoint": "https://search-archive.eu-west-1.es.amazonaws.com",
                         "auth": "sigv4", "signingService": "es"},
             "plain": {"endpoint": "http://127.0.0.1:9201"}}
            """
                .formatted(ARN));

    assertThat(clusters.names()).containsExactly("default", "source", "archive", "plain");
    ClusterConfig source = clusters.get("source");
    assertThat(source.endpoint()).isEqualTo(URI.create("https://old.example:9200"));
    assertThat(source.auth()).isEqualTo(Auth.BASIC);
    assertThat(source.credentialsSecretArn()).contains(ARN);
    assertThat(source.region()).isEqualTo("eu-west-1");
    assertThat(clusters.get("archive").auth()).isEqualTo(Auth.SIGV4);
    assertThat(clusters.get("archive").signingService()).isEqualTo(SigningService.ES);
    assertThat(clusters.get("plain").auth()).isEqualTo(Auth.NONE);
    assertThat(clusters.get("plain").credentialsSecretArn()).isEmpty();
  }

  @Test
  void blankSecret_asTheTemplateWritesAnUnsetParameter_isNoSecret() {
    NamedClusters clusters =
        from(
            "{\"source\": {\"endpoint\": \"http://127.0.0.1:9201\", \"auth\": \"none\","
                + " \"signingService\": \"es\", \"credentialsSecretArn\": \"\"}}");

    assertThat(clusters.get("source").credentialsSecretArn()).isEmpty();
  }

  @Test
  void unknownName_listsTheKnownOnes() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> from("{\"source\": {\"endpoint\": \"http://h:9200\"}}").get("old"));

    assertThat(e).hasMessageContaining("'old'").hasMessageContaining("default, source");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("[1, 2]", "must be a JSON object"),
        Arguments.of("{\"default\": {\"endpoint\": \"http://h:9200\"}}", "cluster 'default'"),
        Arguments.of("{\"Old_ES\": {\"endpoint\": \"http://h:9200\"}}", "cluster name 'Old_ES'"),
        Arguments.of("{\"x" + "a".repeat(40) + "\": {\"endpoint\": \"http://h\"}}", "1 to 40"),
        Arguments.of("{\"source\": \"http://h:9200\"}", "cluster 'source' must be an object"),
        Arguments.of("{\"source\": {}}", "cluster 'source': field 'endpoint' is not set"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"ftp://h\"}}",
            "cluster 'source': field 'endpoint' is 'ftp://h'; expected an http(s) URL"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"not a url\"}}",
            "cluster 'source': field 'endpoint' is 'not a url'"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"region\": \"x\"}}",
            "cluster 'source': unknown field 'region'; the fields are [endpoint, auth,"
                + " signingService, credentialsSecretArn]"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"auth\": \"kerberos\"}}",
            "cluster 'source': field 'auth' is 'kerberos'; expected one of [none, basic, sigv4]"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"signingService\": \"s3\"}}",
            "cluster 'source': field 'signingService' is 's3'; expected one of [es, aoss]"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"auth\": \"basic\"}}",
            "cluster 'source': field 'auth' is basic but 'credentialsSecretArn' is not set"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"auth\": 3}}",
            "cluster 'source': field 'auth' must be a string"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\"}, \"source\": {\"endpoint\": \"http://i\"}}",
            "NAMED_CLUSTERS is not valid JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void badValue_isRefusedNamingTheVariableTheClusterAndTheField(String value, String expected) {
    ConfigurationException e = refused(value);

    assertThat(e.getMessage()).startsWith("NAMED_CLUSTERS").contains(expected);
  }

  static Stream<Arguments> secretsInTheWrongPlace() {
    return Stream.of(
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"username\": \"admin\","
                + " \"password\": \"Tr0ub4dor\"}}",
            "field 'username' is not accepted: cluster credentials are read only from Secrets"
                + " Manager"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"password\": \"Tr0ub4dor\"}}",
            "field 'password' is not accepted"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"auth\": \"basic\","
                + " \"credentialsSecretArn\": \"Tr0ub4dor\"}}",
            "field 'credentialsSecretArn' must be the ARN of a Secrets Manager secret"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"https://admin:Tr0ub4dor@old.example\"}}",
            "field 'endpoint' carries credentials"),
        Arguments.of(
            "{\"source\": {\"endpoint\": \"http://h\", \"password\": Tr0ub4dor}}",
            "NAMED_CLUSTERS is not valid JSON (line 1, column"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("secretsInTheWrongPlace")
  void secretInTheWrongPlace_isRefusedWithoutEchoingIt(String value, String expected) {
    ConfigurationException e = refused(value);

    assertThat(e.getMessage()).contains(expected).doesNotContain("Tr0ub4dor");
    assertThat(e.getCause()).isNull();
  }

  @Test
  void toString_showsNoSecretArnOrPassword() {
    NamedClusters clusters =
        from(
            "{\"source\": {\"endpoint\": \"https://old.example\", \"auth\": \"basic\","
                + " \"credentialsSecretArn\": \""
                + ARN
                + "\"}}");

    assertThat(clusters.toString()).contains("https://old.example").doesNotContain(ARN);
  }
}
