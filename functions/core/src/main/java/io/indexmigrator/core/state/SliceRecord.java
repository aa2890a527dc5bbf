package io.indexmigrator.core.state;

import java.time.Instant;
import java.util.Objects;

/**
 * The checkpoint of one work item of the copy: a {@code _reindex} slice, or one shard read by the
 * reader engine.
 *
 * @param taskId the cluster task copying this slice, or null before it started; for the reader
 *     engine, the id of the current pass over the shard (a new pass restarts the counters)
 * @param attempts how many times the slice was claimed
 * @param lastError why the last attempt failed, or null; cut to 4000 characters
 * @param cursor where the reader engine resumes, opaque to the store, or null; never cut (a cut
 *     cursor would resume at the wrong place), refused beyond {@link StateLimits#MAX_CURSOR_CHARS}
 */
public record SliceRecord(
    String recipeName,
    int generation,
    String source,
    int sliceId,
    int sliceCount,
    String taskId,
    SliceStatus status,
    SliceProgress progress,
    int attempts,
    Instant startedAt,
    Instant lastPolledAt,
    Instant finishedAt,
    String lastError,
    String cursor,
    long version) {

  public SliceRecord {
    SliceKey key = new SliceKey(new RecipeRef(recipeName, generation), source, sliceId);
    if (sliceCount < 1 || sliceCount > StateLimits.MAX_SLICES || sliceId >= sliceCount) {
      throw new IllegalArgumentException(
          "slice " + key + " does not fit a slice count of " + sliceCount);
    }
    Objects.requireNonNull(status, "status");
    progress = progress == null ? SliceProgress.NONE : progress;
    lastError = StateLimits.truncate(lastError, StateLimits.MAX_MESSAGE_CHARS);
    if (cursor != null && cursor.length() > StateLimits.MAX_CURSOR_CHARS) {
      throw new IllegalArgumentException(
          "the cursor of slice "
              + key
              + " has "
              + cursor.length()
              + " characters, more than the "
              + StateLimits.MAX_CURSOR_CHARS
              + " a state item holds");
    }
  }

  /** A slice not yet claimed (version 0: not yet written). */
  public static SliceRecord pending(RecipeRef recipe, String source, int sliceId, int sliceCount) {
    return new SliceRecord(
        recipe.name(),
        recipe.generation(),
        source,
        sliceId,
        sliceCount,
        null,
        SliceStatus.PENDING,
        SliceProgress.NONE,
        0,
        null,
        null,
        null,
        null,
        null,
        0);
  }

  public SliceKey key() {
    return new SliceKey(new RecipeRef(recipeName, generation), source, sliceId);
  }

  SliceRecord with(
      String newTaskId,
      SliceStatus newStatus,
      SliceProgress newProgress,
      int newAttempts,
      Instant newStartedAt,
      Instant newLastPolledAt,
      Instant newFinishedAt,
      String newLastError) {
    return new SliceRecord(
        recipeName,
        generation,
        source,
        sliceId,
        sliceCount,
        newTaskId,
        newStatus,
        newProgress,
        newAttempts,
        newStartedAt,
        newLastPolledAt,
        newFinishedAt,
        newLastError,
        // A pass that ended (reset, or not started yet) leaves no cursor: its context is gone.
        newTaskId == null ? null : cursor,
        version + 1);
  }

  SliceRecord withVersion(long newVersion) {
    return new SliceRecord(
        recipeName,
        generation,
        source,
        sliceId,
        sliceCount,
        taskId,
        status,
        progress,
        attempts,
        startedAt,
        lastPolledAt,
        finishedAt,
        lastError,
        cursor,
        newVersion);
  }

  /** The same record with another pass, cursor and progress, one version later. */
  SliceRecord withCursor(
      String newTaskId, String newCursor, SliceProgress newProgress, Instant polledAt) {
    return new SliceRecord(
        recipeName,
        generation,
        source,
        sliceId,
        sliceCount,
        newTaskId,
        status,
        newProgress,
        attempts,
        startedAt,
        polledAt,
        finishedAt,
        lastError,
        newCursor,
        version + 1);
  }
}
