package io.indexmigrator.core;

/**
 * A failure that may succeed when tried again: the cluster answered 429 or 5xx, a connection
 * dropped, a conditional write lost a race. State machines retry this error by its class name.
 */
public class RetryableMigrationException extends RuntimeException {
  public RetryableMigrationException(String message) {
    super(message);
  }

  public RetryableMigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
