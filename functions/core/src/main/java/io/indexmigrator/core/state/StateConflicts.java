package io.indexmigrator.core.state;

import java.util.Objects;
import java.util.function.UnaryOperator;

/** The conflicts both stores report, worded the same way whichever store found them. */
final class StateConflicts {
  private StateConflicts() {}

  static ConflictException recipeActive(RecipeRecord existing) {
    String item = "recipe '" + existing.name() + "'";
    String found = "status " + existing.status() + " since " + existing.updatedAt();
    return new ConflictException(
        "recipe '"
            + existing.name()
            + "' is already active ("
            + found
            + ", generation "
            + existing.generation()
            + "); cancel it or let it finish before initializing it again",
        item,
        "no recipe, or a CANCELLED or ROLLED_OVER one",
        found);
  }

  static ConflictException recipeVersion(RecipeRecord expected, RecipeRecord current) {
    String item = "recipe '" + expected.name() + "'";
    if (current == null) {
      return ConflictException.of(item, "version " + expected.version(), "no recipe");
    }
    return ConflictException.of(
        item,
        "generation " + expected.generation() + " at version " + expected.version(),
        "generation "
            + current.generation()
            + " at version "
            + current.version()
            + " (status "
            + current.status()
            + ")");
  }

  static ConflictException version(String item, long expected, Long found) {
    return ConflictException.of(
        item, "version " + expected, found == null ? "no record" : "version " + found);
  }

  static ConflictException slice(SliceKey key, String expected, SliceRecord current) {
    return ConflictException.of(
        "slice " + key,
        expected,
        current.status()
            + " at version "
            + current.version()
            + (current.taskId() == null ? "" : " with task " + current.taskId()));
  }

  static ConflictException noSlice(SliceKey key) {
    return ConflictException.of("slice " + key, "an existing slice", "no slice");
  }

  static RecipeRecord checkedChange(RecipeRecord expected, UnaryOperator<RecipeRecord> change) {
    RecipeRecord changed = Objects.requireNonNull(change.apply(expected), "changed recipe");
    if (!changed.name().equals(expected.name()) || changed.generation() != expected.generation()) {
      throw new IllegalArgumentException(
          "an update cannot change the name or generation of recipe " + expected.ref());
    }
    return changed;
  }

  static IndexRecord checkedChange(IndexRecord expected, UnaryOperator<IndexRecord> change) {
    IndexRecord changed = Objects.requireNonNull(change.apply(expected), "changed index");
    if (!changed.recipe().equals(expected.recipe())
        || !changed.source().equals(expected.source())) {
      throw new IllegalArgumentException(
          "an update cannot move index record "
              + expected.recipe()
              + "/"
              + expected.source()
              + " to another recipe or source");
    }
    return changed;
  }
}
