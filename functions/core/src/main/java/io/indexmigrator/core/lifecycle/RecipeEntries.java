package io.indexmigrator.core.lifecycle;

/** Recipe entry paths such as {@code indexes[3]}, as the planner records them. */
final class RecipeEntries {
  private RecipeEntries() {}

  static int indexOf(String recipeEntry) {
    int open = recipeEntry.indexOf('[');
    int close = recipeEntry.indexOf(']');
    if (open < 0 || close < open) {
      throw new IllegalArgumentException("not a recipe entry path: " + recipeEntry);
    }
    return Integer.parseInt(recipeEntry.substring(open + 1, close));
  }
}
