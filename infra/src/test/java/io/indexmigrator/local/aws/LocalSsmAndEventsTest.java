package io.indexmigrator.local.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.config.ClusterConfig;
import io.indexmigrator.core.config.NamedClusters;
import io.indexmigrator.core.publish.EndpointSwitch;
import io.indexmigrator.core.publish.SwitchPublisher;
import io.indexmigrator.functions.publish.AwsSwitchPublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.SsmException;

/** The twin's SSM and EventBridge stand-in, driven by the real SDK clients the functions use. */
class LocalSsmAndEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private LocalSsmAndEvents local;
  private SsmClient ssm;
  private EventBridgeClient events;

  @BeforeEach
  void start() {
    local = LocalSsmAndEvents.start(0, dir, "us-east-1", "000000000000");
    connect();
  }

  private void connect() {
    var credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    ssm =
        SsmClient.builder()
            .endpointOverride(local.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    events =
        EventBridgeClient.builder()
            .endpointOverride(local.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
  }

  @AfterEach
  void stop() {
    ssm.close();
    events.close();
    local.close();
  }

  @Test
  void parameters_getVersions_keepTheirHistory_andOutliveARestart() {
    assertThat(ssm.putParameter(r -> r.name("/p/a").value("one").type("String")).version())
        .isEqualTo(1);
    assertThat(
            ssm.putParameter(r -> r.name("/p/a").value("two").type("String").overwrite(true))
                .version())
        .isEqualTo(2);
    assertThat(ssm.getParameter(r -> r.name("/p/a")).parameter().value()).isEqualTo("two");
    assertThat(ssm.getParameterHistory(r -> r.name("/p/a")).parameters())
        .extracting(p -> p.value())
        .containsExactly("one", "two");
    assertThatThrownBy(() -> ssm.putParameter(r -> r.name("/p/a").value("x").type("String")))
        .isInstanceOf(ParameterAlreadyExistsException.class);
    assertThatThrownBy(() -> ssm.getParameter(r -> r.name("/p/missing")))
        .isInstanceOf(ParameterNotFoundException.class);

    local.close();
    local = LocalSsmAndEvents.start(0, dir, "us-east-1", "000000000000");
    connect();
    assertThat(ssm.getParameter(r -> r.name("/p/a")).parameter().version()).isEqualTo(2);
  }

  @Test
  void values_areHeldToTheTiersLimits() {
    String fiveK = "x".repeat(5000);
    assertThatThrownBy(() -> ssm.putParameter(r -> r.name("/p/big").value(fiveK).type("String")))
        .isInstanceOf(SsmException.class)
        .hasMessageContaining("4096");
    assertThat(
            ssm.putParameter(
                    r ->
                        r.name("/p/big")
                            .value(fiveK)
                            .type("String")
                            .tier(ParameterTier.INTELLIGENT_TIERING))
                .tierAsString())
        .isEqualTo("Advanced");
    assertThatThrownBy(
            () ->
                ssm.putParameter(
                    r ->
                        r.name("/p/big")
                            .value("x".repeat(9000))
                            .type("String")
                            .overwrite(true)
                            .tier(ParameterTier.ADVANCED)))
        .isInstanceOf(SsmException.class)
        .hasMessageContaining("8192");
  }

  @Test
  void whatTheFunctionsNeverSend_isRefused_notImitated() throws Exception {
    assertThatThrownBy(
            () -> ssm.putParameter(r -> r.name("/p/secret").value("s").type("SecureString")))
        .isInstanceOf(SsmException.class)
        .hasMessageContaining("String parameters only");
    var response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(local.endpoint())
                    .header("X-Amz-Target", "AmazonSSM.PutParameter")
                    .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("SerializationException");
  }

  @Test
  void anEventsTime_isRecordedAsIso8601() throws Exception {
    events.putEvents(
        r ->
            r.entries(
                PutEventsRequestEntry.builder()
                    .source("s")
                    .detailType("t")
                    .detail("{}")
                    .time(Instant.parse("2026-12-02T10:00:00Z"))
                    .build()));
    assertThat(get("/events").get(0).path("time").asText()).isEqualTo("2026-12-02T10:00:00Z");
  }

  @Test
  void events_areRecorded_andAMalformedDetailFailsItsEntryOnly() throws Exception {
    var response =
        events.putEvents(
            r ->
                r.entries(
                    PutEventsRequestEntry.builder()
                        .source("s")
                        .detailType("t")
                        .detail("{\"n\":1}")
                        .build(),
                    PutEventsRequestEntry.builder()
                        .source("s")
                        .detailType("t")
                        .detail("not json")
                        .build()));

    assertThat(response.failedEntryCount()).isEqualTo(1);
    assertThat(response.entries().get(0).eventId()).isNotBlank();
    assertThat(response.entries().get(1).errorCode()).isEqualTo("MalformedDetail");
    JsonNode recorded = get("/events");
    assertThat(recorded).hasSize(1);
    assertThat(recorded.get(0).path("detail").path("n").asInt()).isEqualTo(1);
    assertThat(recorded.get(0).path("id").asText()).isEqualTo(response.entries().get(0).eventId());
    assertThat(Files.readAllLines(dir.resolve("events.jsonl"))).hasSize(1);
  }

  @Test
  void theFunctionsPublisher_writesTheSwitchOnce_evenWhenRetried() throws Exception {
    AtomicInteger clientsBuilt = new AtomicInteger();
    var publisher =
        new AwsSwitchPublisher(
            () -> {
              clientsBuilt.incrementAndGet();
              return ssm;
            },
            () -> {
              clientsBuilt.incrementAndGet();
              return events;
            },
            "/index-migrator/stack",
            "default",
            NamedClusters.of(
                new ClusterConfig(
                    URI.create("https://new:443"),
                    ClusterConfig.Auth.NONE,
                    ClusterConfig.SigningService.ES,
                    "us-east-1",
                    Optional.empty())));
    EndpointSwitch change =
        new EndpointSwitch(
            "r",
            "r-1",
            EndpointSwitch.SWITCHED,
            "default",
            "https://new:443",
            "old",
            "https://old:9200",
            Map.of("records", "records-v2"),
            Map.of("records-v1", "records-v2"),
            Instant.parse("2026-12-02T10:00:00Z"));

    assertThat(clientsBuilt).as("no client before the first switch").hasValue(0);

    SwitchPublisher.Publication first = publisher.publish(change);
    SwitchPublisher.Publication again = publisher.publish(change);

    assertThat(first.parameter()).isEqualTo("/index-migrator/stack/r");
    assertThat(first.parameterVersion()).isEqualTo(1);
    assertThat(again.parameterVersion()).as("a retry adds no version").isEqualTo(1);
    assertThat(publisher.current("r")).contains(change);
    JsonNode recorded = get("/events");
    assertThat(recorded).hasSize(2);
    assertThat(recorded.get(0).path("source").asText()).isEqualTo("index-migrator");
    assertThat(recorded.get(0).path("detail-type").asText()).isEqualTo("Endpoint Switch");
    assertThat(recorded.get(0).path("detail").path("id").asText()).isEqualTo("r-1");
    assertThat(publisher.current("other")).isEmpty();
    assertThat(clientsBuilt).as("each client built once, then kept").hasValue(2);
  }

  private JsonNode get(String path) throws Exception {
    return JSON.readTree(
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(local.endpoint().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }
}
