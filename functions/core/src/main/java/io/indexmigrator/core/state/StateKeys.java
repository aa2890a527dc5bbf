package io.indexmigrator.core.state;

/**
 * Partition and sort keys of the state table. Everything a recipe generation owns sorts under the
 * prefix {@code g<generation>#}, so a re-initialized recipe cannot see the records of the
 * generation before it, even before those are deleted. See docs/state-table.md.
 */
final class StateKeys {
  static final String META = "meta";
  static final String IDEMPOTENCY_SK = "idem";
  static final String RECIPE_PK_PREFIX = "recipe#";

  private StateKeys() {}

  static String recipePk(String recipe) {
    return RECIPE_PK_PREFIX + recipe;
  }

  static String generationPrefix(int generation) {
    return String.format("g%04d#", generation);
  }

  static String indexPrefix(RecipeRef recipe) {
    return generationPrefix(recipe.generation()) + "index#";
  }

  static String indexSk(RecipeRef recipe, String source) {
    return indexPrefix(recipe) + source;
  }

  static String slicePrefix(RecipeRef recipe) {
    return generationPrefix(recipe.generation()) + "slice#";
  }

  static String slicePrefix(RecipeRef recipe, String source) {
    return slicePrefix(recipe) + source + "#";
  }

  static String sliceSk(SliceKey key) {
    return slicePrefix(key.recipe(), key.source()) + String.format("%04d", key.sliceId());
  }

  static String syncSk(RecipeRef recipe) {
    return generationPrefix(recipe.generation()) + "sync";
  }

  static String rolloverSk(RecipeRef recipe) {
    return generationPrefix(recipe.generation()) + "rollover";
  }

  /** Whether {@code sk} belongs to a generation older than {@code current}. */
  static boolean isOlderGeneration(String sk, int current) {
    if (sk.length() < 6 || sk.charAt(0) != 'g' || sk.charAt(5) != '#') {
      return false;
    }
    try {
      return Integer.parseInt(sk.substring(1, 5)) < current;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The partition of the {@link IndexName} items of one index or alias name. */
  static String namePk(String name) {
    return "name#" + name;
  }

  static String nameSk(IndexName name) {
    return name.recipe().name()
        + "#"
        + generationPrefix(name.recipe().generation())
        + name.role().name().toLowerCase(java.util.Locale.ROOT)
        + "#"
        + name.source();
  }

  static String idempotencyPk(String key) {
    return "idem#" + key;
  }
}
