package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.state.RecipeRef;

/**
 * The {@code X-Opaque-Id} our reindex tasks carry. The engine shows it on every task, so a slice
 * whose invocation died after starting its task finds that task again instead of starting a
 * duplicate, and cancel stops our tasks and only ours.
 */
public final class TaskTag {
  static final String PREFIX = "index-migrator/";

  private TaskTag() {}

  /** The tag of every task of one recipe generation, as a prefix. */
  public static String ofRecipe(RecipeRef recipe) {
    return PREFIX + recipe.name() + "/g" + recipe.generation() + "/";
  }

  public static String ofSlice(RecipeRef recipe, String source, int sliceId) {
    return ofRecipe(recipe) + source + "/" + sliceId;
  }
}
