package io.indexmigrator.core.state;

import java.time.Instant;
import java.util.Objects;

/**
 * The checkpoint of one {@code _reindex} slice.
 *
 * @param taskId the cluster task copying this slice, or null before it started
 * @param attempts how many times the slice was claimed
 * @param lastError why the last attempt failed, or null; cut to 4000 characters
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
        newVersion);
  }
}
