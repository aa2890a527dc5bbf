/**
 * Recipes: the user's description of which indexes move where, with which new settings and
 * mappings.
 *
 * <p>{@link io.indexmigrator.core.recipe.RecipeLoader} reads YAML or JSON, validates it against
 * {@code schema/recipe.schema.json} and then checks what a schema cannot express, returning an
 * immutable {@link io.indexmigrator.core.recipe.Recipe}. Every problem is reported with the JSON
 * path of the offending field through {@link io.indexmigrator.core.recipe.RecipeException}.
 */
package io.indexmigrator.core.recipe;
