package io.indexmigrator.core;

/**
 * A failure that trying again will not fix: invalid input, a rejected mapping, a verification that
 * found differences. State machines route it to a failure state instead of retrying.
 */
public class MigrationFailedException extends RuntimeException {
  public MigrationFailedException(String message) {
    super(message);
  }

  public MigrationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
