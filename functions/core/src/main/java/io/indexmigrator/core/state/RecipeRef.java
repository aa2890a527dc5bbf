package io.indexmigrator.core.state;

/**
 * A recipe name together with the generation that owns index, slice and rollover records. Workers
 * carry the generation they were started for, so a late invocation from a cancelled generation
 * reads and writes that generation's records, never those of the re-initialized recipe.
 */
public record RecipeRef(String name, int generation) {
  static final int MAX_GENERATION = 9_999;

  public RecipeRef {
    StateLimits.requireName("recipe name", name);
    if (generation < 1 || generation > MAX_GENERATION) {
      throw new IllegalArgumentException(
          "generation of recipe '"
              + name
              + "' must be between 1 and "
              + MAX_GENERATION
              + ", was "
              + generation);
    }
  }

  @Override
  public String toString() {
    return name + "@" + generation;
  }
}
