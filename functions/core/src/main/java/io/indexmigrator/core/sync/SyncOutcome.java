package io.indexmigrator.core.sync;

import io.indexmigrator.core.state.RecipeRef;
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
 *   <li>{@code IGNORED}: the event concerns a migration that is over (rolled over or cancelled);
 *   <li>{@code UNROUTED}: no migration covers the event's index, even after re-reading the recipes.
 *       The caller decides: an application that started publishing just before {@code init}
 *       deserves a grace period; after it, the event belongs in the dead-letter queue.
 *   <li>{@code FAILED}: this document alone could not be applied this time (the engine failed to
 *       read it, or kept failing to write it); the other events of the batch are not affected. The
 *       caller offers it again a bounded number of times, then dead-letters it with the reason.
 * </ul>
 *
 * <p>{@code recipe} is the recipe generation the event belongs to, or null when none does.
 */
public record SyncOutcome(ChangeEvent event, Kind kind, String reason, RecipeRef recipe) {
  public enum Kind {
    APPLIED,
    DEFERRED,
    REJECTED,
    IGNORED,
    UNROUTED,
    FAILED
  }

  static SyncOutcome of(ChangeEvent event, Kind kind, String reason, RecipeRef recipe) {
    return new SyncOutcome(event, kind, reason, recipe);
  }
}
