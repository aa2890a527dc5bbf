package io.indexmigrator.core.state;

import java.util.ArrayList;
import java.util.List;

/**
 * One index record naming an index or alias: as its source, as an alias the source had at init, or
 * as its destination. Written with the index record, so that the sync consumer finds the migration
 * an event belongs to by the event's index name, without reading every recipe.
 *
 * @param name the index or alias name
 * @param recipe the recipe generation of the index record
 * @param source the index record's source index (its key within the recipe)
 */
public record IndexName(String name, RecipeRef recipe, String source, Role role) {
  public enum Role {
    SOURCE,
    ALIAS,
    DESTINATION
  }

  /** Every name an index record gives. */
  static List<IndexName> of(IndexRecord index) {
    List<IndexName> names = new ArrayList<>();
    names.add(new IndexName(index.source(), index.recipe(), index.source(), Role.SOURCE));
    index
        .aliases()
        .forEach(
            alias ->
                names.add(new IndexName(alias.name(), index.recipe(), index.source(), Role.ALIAS)));
    names.add(new IndexName(index.destination(), index.recipe(), index.source(), Role.DESTINATION));
    return names;
  }
}
