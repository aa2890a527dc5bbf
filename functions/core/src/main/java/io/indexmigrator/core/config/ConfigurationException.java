package io.indexmigrator.core.config;

/** A function's configuration is missing or invalid; the message names the variable. */
public final class ConfigurationException extends RuntimeException {
  public ConfigurationException(String message) {
    super(message);
  }
}
