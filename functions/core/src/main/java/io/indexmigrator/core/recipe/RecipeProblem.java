package io.indexmigrator.core.recipe;

import java.util.Objects;

/**
 * One thing wrong with a recipe.
 *
 * @param path where in the recipe, as a JSON path without the leading {@code $.} (for example
 *     {@code indexes[1].copy.slices}); {@code $} for the document as a whole
 * @param message what is wrong, phrased to follow the path and a colon
 */
public record RecipeProblem(String path, String message) {
  public RecipeProblem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path + ": " + message;
  }
}
