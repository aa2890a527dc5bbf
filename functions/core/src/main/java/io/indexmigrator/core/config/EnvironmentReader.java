package io.indexmigrator.core.config;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a function's configuration from environment variables. A reader only answers for the
 * variables its config declared, so a config's declared list is exactly what it reads, and a test
 * can check that template.yaml sets each of them.
 */
public final class EnvironmentReader {
  private final Function<String, String> source;
  private final Set<String> declared;

  public EnvironmentReader(Function<String, String> source, List<String> declared) {
    this.source = source;
    this.declared = Set.copyOf(declared);
  }

  public static EnvironmentReader of(Map<String, String> variables, List<String> declared) {
    return new EnvironmentReader(variables::get, declared);
  }

  public static EnvironmentReader system(List<String> declared) {
    return new EnvironmentReader(System::getenv, declared);
  }

  public Optional<String> optional(String name) {
    if (!declared.contains(name)) {
      throw new IllegalStateException(
          name + " is read but not declared; add it to the config's VARIABLES list");
    }
    String value = source.apply(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  public String require(String name) {
    return optional(name)
        .orElseThrow(
            () -> new ConfigurationException("environment variable " + name + " is not set"));
  }

  public <E extends Enum<E>> E oneOf(String name, Class<E> type, E fallback) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(raw.get())) {
        return constant;
      }
    }
    throw new ConfigurationException(
        name
            + " is '"
            + raw.get()
            + "'; expected one of "
            + Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase()).toList());
  }

  public URI httpUrl(String name) {
    String raw = require(name);
    try {
      URI uri = URI.create(raw);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          name + " is '" + raw + "'; expected an http(s) URL such as https://host:443");
    }
  }

  public int positiveInt(String name, int fallback) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.get());
      if (value <= 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigurationException(
          name + " is '" + raw.get() + "'; expected a whole number greater than 0");
    }
  }
}
