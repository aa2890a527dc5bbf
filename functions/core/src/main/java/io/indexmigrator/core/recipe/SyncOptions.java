package io.indexmigrator.core.recipe;

import java.util.Locale;
import java.util.Objects;

/**
 * How writes made to the source while it is copied reach the destination.
 *
 * @param mode sync strategy
 * @param acceptMissedDeletes whether the user accepts that a strategy unable to see deletes (poll)
 *     may leave deleted documents in the destination
 */
public record SyncOptions(SyncMode mode, boolean acceptMissedDeletes) {

  public static final SyncOptions DEFAULTS = new SyncOptions(SyncMode.NONE, false);

  public SyncOptions {
    Objects.requireNonNull(mode, "mode");
  }

  /** Sync strategies. */
  public enum SyncMode {
    /** No catch-up: writes are blocked on the source for the whole copy. */
    NONE,
    /** Change events delivered through the queue are replayed onto the destination. */
    EVENTS,
    /** The source is polled for documents changed since the copy started. */
    POLL;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static SyncMode fromWireName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }
}
