package io.indexmigrator.core.sync;

import io.indexmigrator.events.ChangeEvent;

/**
 * What became of one change event.
 *
 * <ul>
 *   <li>{@code APPLIED}: the destination now holds the document's current source state (or not, if
 *       it is gone from the source);
 *   <li>{@code DEFERRED}: the index is still being copied; the event must be kept and offered
 *       again;
 *   <li>{@code REJECTED}: the event can never be applied (unknown index, a document the
 *       destination's mapping refuses); it belongs in the dead-letter queue with the reason;
 *   <li>{@code IGNORED}: the event concerns a migration that is over (rolled over or cancelled).
 * </ul>
 */
public record SyncOutcome(ChangeEvent event, Kind kind, String reason) {
  public enum Kind {
    APPLIED,
    DEFERRED,
    REJECTED,
    IGNORED
  }

  static SyncOutcome applied(ChangeEvent event) {
    return new SyncOutcome(event, Kind.APPLIED, null);
  }

  static SyncOutcome of(ChangeEvent event, Kind kind, String reason) {
    return new SyncOutcome(event, kind, reason);
  }
}
