package io.indexmigrator.core.publish;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A publisher that keeps what it was given, for tests; it can be told to fail. */
public final class InMemorySwitchPublisher implements SwitchPublisher {
  private final Map<String, URI> endpoints;
  private final Map<String, List<EndpointSwitch>> versions = new HashMap<>();
  private final List<EndpointSwitch> events = new ArrayList<>();
  private RuntimeException failEvent;
  private Throwable failParameter;

  public InMemorySwitchPublisher(Map<String, URI> endpoints) {
    this.endpoints = Map.copyOf(endpoints);
  }

  /** The next publication writes the parameter, then fails to send its event with {@code e}. */
  public synchronized void failEventWith(RuntimeException e) {
    failEvent = e;
  }

  /** The next publication fails before the parameter is written. */
  public synchronized void failParameterWith(Throwable e) {
    failParameter = e;
  }

  @Override
  public synchronized Publication publish(EndpointSwitch change) {
    if (failParameter != null) {
      Throwable e = failParameter;
      failParameter = null;
      if (e instanceof Error error) {
        throw error;
      }
      throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    }
    List<EndpointSwitch> history =
        versions.computeIfAbsent(change.recipe(), r -> new ArrayList<>());
    history.add(change);
    if (failEvent != null) {
      RuntimeException e = failEvent;
      failEvent = null;
      throw e;
    }
    events.add(change);
    return new Publication(parameterName(change.recipe()), history.size(), change.id());
  }

  @Override
  public synchronized Optional<EndpointSwitch> current(String recipe) {
    List<EndpointSwitch> history = versions.getOrDefault(recipe, List.of());
    return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
  }

  @Override
  public URI endpointOf(String cluster) {
    URI endpoint = endpoints.get(cluster);
    if (endpoint == null) {
      throw new IllegalArgumentException("no endpoint for cluster '" + cluster + "'");
    }
    return endpoint;
  }

  @Override
  public String parameterName(String recipe) {
    return "/test/" + recipe;
  }

  public synchronized List<EndpointSwitch> versions(String recipe) {
    return List.copyOf(versions.getOrDefault(recipe, List.of()));
  }

  public synchronized List<EndpointSwitch> events() {
    return List.copyOf(events);
  }
}
