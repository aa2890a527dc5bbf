package io.indexmigrator.events;

/**
 * A change event that cannot be accepted. The message is a short reason meant to travel with the
 * event to a dead-letter queue (for example as a message attribute), so it names the field and the
 * problem without repeating the whole event.
 */
public final class InvalidChangeEventException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidChangeEventException(String reason) {
    super(reason);
  }

  public InvalidChangeEventException(String reason, Throwable cause) {
    super(reason, cause);
  }

  /** The reason, same as {@link #getMessage()}. */
  public String reason() {
    return getMessage();
  }
}
