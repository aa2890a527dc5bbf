package io.indexmigrator.functions.publish;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.config.NamedClusters;
import io.indexmigrator.core.publish.EndpointSwitch;
import io.indexmigrator.core.publish.SwitchPublisher;
import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Publishes a cross-cluster switch where applications look: a new version of the SSM parameter
 * {@code <prefix>/<recipe>} holding the switch document, then one EventBridge event whose detail is
 * that document. The parameter is the truth (read back after a crash); the event is the nudge.
 */
public final class AwsSwitchPublisher implements SwitchPublisher {
  /** The event's {@code source}; rules match on it. */
  public static final String EVENT_SOURCE = "index-migrator";

  /** The event's {@code detail-type}; the detail's {@code state} says which change it is. */
  public static final String DETAIL_TYPE = "Endpoint Switch";

  /**
   * SSM keeps 8 KB in an advanced parameter; Intelligent-Tiering makes one only when the document
   * needs it (a standard parameter holds 4 KB).
   */
  static final int MAX_VALUE_CHARS = 8192;

  // Built on the first switch: most control calls (init, status, in-cluster rollovers) never
  // publish, and a cold start should not pay for two more SDK clients.
  private final Supplier<SsmClient> ssm;
  private final Supplier<EventBridgeClient> events;
  private final String prefix;
  private final String eventBus;
  private final NamedClusters clusters;

  public AwsSwitchPublisher(
      SsmClient ssm,
      EventBridgeClient events,
      String prefix,
      String eventBus,
      NamedClusters clusters) {
    this(() -> ssm, () -> events, prefix, eventBus, clusters);
  }

  /** The clients are asked for when a switch is first published or read, then kept. */
  public AwsSwitchPublisher(
      Supplier<SsmClient> ssm,
      Supplier<EventBridgeClient> events,
      String prefix,
      String eventBus,
      NamedClusters clusters) {
    this.ssm = once(ssm);
    this.events = once(events);
    this.prefix = validPrefix(prefix);
    this.eventBus = eventBus;
    this.clusters = clusters;
  }

  /** A parameter path: SSM's own rule for hierarchies, so that a bad one fails at init. */
  public static String validPrefix(String prefix) {
    if (prefix == null
        || !prefix.matches("(/[A-Za-z0-9_.-]+)+")
        || prefix.toLowerCase().startsWith("/aws")
        || prefix.toLowerCase().startsWith("/ssm")) {
      throw new MigrationFailedException(
          "ENDPOINT_PARAMETER_PREFIX is '"
              + prefix
              + "'; expected a parameter path such as /index-migrator/my-stack (letters, digits,"
              + " '_', '.', '-' between slashes, no trailing slash, not under /aws or /ssm)");
    }
    return prefix;
  }

  @Override
  public Publication publish(EndpointSwitch change) {
    String name = parameterName(change.recipe());
    String document = change.toJson();
    if (document.length() > MAX_VALUE_CHARS) {
      throw new MigrationFailedException(
          "the switch document of recipe '"
              + change.recipe()
              + "' is "
              + document.length()
              + " characters; SSM parameters hold at most "
              + MAX_VALUE_CHARS
              + " (move fewer indexes or aliases per recipe)");
    }
    long version;
    Optional<Current> current = read(name);
    if (current.isPresent() && change.id().equals(current.get().change().id())) {
      // Published already (a retry after a crash): another version would tell nobody anything.
      version = current.get().version();
    } else {
      try {
        version =
            ssm.get()
                .putParameter(
                    r ->
                        r.name(name)
                            .value(document)
                            .type(ParameterType.STRING)
                            .tier(ParameterTier.INTELLIGENT_TIERING)
                            .overwrite(true)
                            .description(
                                "index-migrator: where recipe " + change.recipe() + " lives"))
                .version();
      } catch (SdkException e) {
        throw new MigrationFailedException(
            "could not write the switch to SSM parameter " + name + ": " + e.getMessage(), e);
      }
    }
    return new Publication(name, version, sendEvent(change, name, version, document));
  }

  private String sendEvent(EndpointSwitch change, String name, long version, String document) {
    PutEventsResponse response;
    try {
      response =
          events
              .get()
              .putEvents(
                  r ->
                      r.entries(
                          PutEventsRequestEntry.builder()
                              .source(EVENT_SOURCE)
                              .detailType(DETAIL_TYPE)
                              .detail(document)
                              .eventBusName(eventBus)
                              .build()));
    } catch (SdkException e) {
      throw eventFailed(change, name, version, e.getMessage(), e);
    }
    PutEventsResultEntry entry = response.entries().isEmpty() ? null : response.entries().get(0);
    if (response.failedEntryCount() != null && response.failedEntryCount() > 0
        || entry == null
        || entry.eventId() == null) {
      String reason =
          entry == null ? "no result entry" : entry.errorCode() + ": " + entry.errorMessage();
      throw eventFailed(change, name, version, reason, null);
    }
    return entry.eventId();
  }

  private MigrationFailedException eventFailed(
      EndpointSwitch change, String name, long version, String reason, Throwable cause) {
    return new MigrationFailedException(
        "the switch of recipe '"
            + change.recipe()
            + "' ("
            + change.state()
            + ") is in SSM parameter "
            + name
            + " version "
            + version
            + ", but its event could not be sent to bus '"
            + eventBus
            + "': "
            + reason,
        cause);
  }

  private record Current(EndpointSwitch change, long version) {}

  private Optional<Current> read(String name) {
    GetParameterResponse response;
    try {
      response = ssm.get().getParameter(r -> r.name(name));
    } catch (ParameterNotFoundException none) {
      return Optional.empty();
    } catch (SdkException e) {
      throw new MigrationFailedException(
          "could not read SSM parameter " + name + ": " + e.getMessage(), e);
    }
    try {
      return Optional.of(
          new Current(
              EndpointSwitch.parse(response.parameter().value()), response.parameter().version()));
    } catch (RuntimeException notOurs) {
      throw new MigrationFailedException(
          "SSM parameter " + name + " holds something that is not a switch document: " + notOurs,
          notOurs);
    }
  }

  @Override
  public Optional<EndpointSwitch> current(String recipe) {
    return read(parameterName(recipe)).map(Current::change);
  }

  @Override
  public URI endpointOf(String cluster) {
    return clusters.get(cluster).endpoint();
  }

  @Override
  public String parameterName(String recipe) {
    return prefix + "/" + recipe;
  }

  private static <T> Supplier<T> once(Supplier<T> make) {
    return new Supplier<>() {
      private T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = make.get();
        }
        return value;
      }
    };
  }
}
