package io.indexmigrator.core.recipe;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A recipe that cannot be used, with every problem found (not just the first), so that a user can
 * fix them all in one go.
 *
 * <p>Unchecked because an invalid recipe is a user error that callers report and stop on; there is
 * nothing to recover locally.
 */
public class RecipeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<RecipeProblem> problems;

  public RecipeException(List<RecipeProblem> problems) {
    super(describe(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a RecipeException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public RecipeException(RecipeProblem problem) {
    this(List.of(problem));
  }

  /** The problems in the order they were found; never empty. */
  public List<RecipeProblem> problems() {
    return problems;
  }

  private static String describe(List<RecipeProblem> problems) {
    if (problems.size() == 1) {
      return "invalid recipe: " + problems.get(0);
    }
    return problems.stream()
        .map(p -> "  - " + p)
        .collect(
            Collectors.joining("\n", "invalid recipe (" + problems.size() + " problems):\n", ""));
  }
}
