package io.indexmigrator.core.publish;

import io.indexmigrator.core.MigrationFailedException;
import java.net.URI;
import java.util.Optional;

/**
 * Tells applications which cluster to use. Publishing is the cross-cluster cut-over's point of no
 * return: before it nobody was told, so a failure is undone; after it the switch stands until a
 * rollback publishes the old cluster again.
 */
public interface SwitchPublisher {
  /**
   * Publishes {@code change}: the recipe's parameter gets it as a new version, then the event is
   * sent. Publishing the same document again is harmless (applications dedupe by {@code id}).
   */
  Publication publish(EndpointSwitch change);

  /** What the recipe's parameter holds now, if anything: the truth after a crash. */
  Optional<EndpointSwitch> current(String recipe);

  /** Where applications are told cluster {@code name} is reached. */
  URI endpointOf(String cluster);

  /** Where the recipe's switch is published, for messages and status. */
  String parameterName(String recipe);

  /**
   * Where it was published.
   *
   * @param parameterVersion the parameter's version holding it
   * @param eventId the event's id, or null when no event could be sent
   */
  record Publication(String parameter, long parameterVersion, String eventId) {}

  /** No publishing configured: a cross-cluster cut-over is refused before anything is blocked. */
  SwitchPublisher NONE =
      new SwitchPublisher() {
        @Override
        public Publication publish(EndpointSwitch change) {
          throw notConfigured();
        }

        @Override
        public Optional<EndpointSwitch> current(String recipe) {
          return Optional.empty();
        }

        @Override
        public URI endpointOf(String cluster) {
          throw notConfigured();
        }

        @Override
        public String parameterName(String recipe) {
          throw notConfigured();
        }

        @Override
        public boolean configured() {
          return false;
        }
      };

  /** Whether publishing can happen at all. */
  default boolean configured() {
    return true;
  }

  static MigrationFailedException notConfigured() {
    return new MigrationFailedException(
        "the functions have no endpoint parameter to publish a cross-cluster switch to"
            + " (ENDPOINT_PARAMETER_PREFIX, from the template's EndpointParameterPrefix)");
  }
}
