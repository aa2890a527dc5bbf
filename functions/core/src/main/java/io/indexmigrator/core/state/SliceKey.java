package io.indexmigrator.core.state;

import java.util.Objects;

/** Identifies one {@code _reindex} slice: recipe generation, source index and slice number. */
public record SliceKey(RecipeRef recipe, String source, int sliceId) {
  public SliceKey {
    Objects.requireNonNull(recipe, "recipe");
    StateLimits.requireName("source index", source);
    if (sliceId < 0 || sliceId >= StateLimits.MAX_SLICES) {
      throw new IllegalArgumentException(
          "slice id of '"
              + source
              + "' must be 0.."
              + (StateLimits.MAX_SLICES - 1)
              + ", was "
              + sliceId);
    }
  }

  @Override
  public String toString() {
    return recipe + "/" + source + "/" + sliceId;
  }
}
