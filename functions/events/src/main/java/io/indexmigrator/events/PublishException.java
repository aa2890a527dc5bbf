package io.indexmigrator.events;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Some events could not be put on the queue, after retries where retrying made sense. Every event
 * handed to the publisher is either published or listed here: nothing is dropped silently. The
 * caller decides what to do with {@link #failures()} (retry later, log, fail the request).
 */
public final class PublishException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int NAMED_IN_MESSAGE = 10;

  /**
   * One event that was not published.
   *
   * @param event the event
   * @param code the SQS error code, or the exception class when the call itself failed
   * @param message SQS's message for the entry or the call
   * @param attempts how many times the event was sent
   */
  public record Failure(ChangeEvent event, String code, String message, int attempts) {}

  private final transient List<Failure> failures;
  private final transient PublishResult published;

  PublishException(List<Failure> failures, PublishResult published) {
    super(describe(failures, published));
    this.failures = List.copyOf(failures);
    this.published = published;
  }

  /** The events that were not published, in the order they were given, with the reason. */
  public List<Failure> failures() {
    return failures;
  }

  /** The events that were published by the same call. */
  public PublishResult published() {
    return published;
  }

  private static String describe(List<Failure> failures, PublishResult published) {
    String named =
        failures.stream()
            .limit(NAMED_IN_MESSAGE)
            .map(
                f ->
                    f.event().op().wireName()
                        + " "
                        + f.event().index()
                        + "/"
                        + f.event().id()
                        + (f.event().seqNo() == null ? "" : " seqNo=" + f.event().seqNo())
                        + " ("
                        + f.code()
                        + ": "
                        + f.message()
                        + ")")
            .collect(Collectors.joining("; "));
    String more =
        failures.size() > NAMED_IN_MESSAGE
            ? "; and " + (failures.size() - NAMED_IN_MESSAGE) + " more"
            : "";
    return failures.size()
        + " change event(s) not published ("
        + published.eventsPublished()
        + " published): "
        + named
        + more;
  }
}
