package io.indexmigrator.core.recipe;

/** Builds the JSON paths used in {@link RecipeProblem}s, e.g. {@code indexes[1].copy.slices}. */
final class Paths {
  static final String ROOT = "$";

  private Paths() {}

  static String field(String parent, String name) {
    return ROOT.equals(parent) || parent.isEmpty() ? name : parent + "." + name;
  }

  static String element(String parent, int index) {
    return (ROOT.equals(parent) ? "" : parent) + "[" + index + "]";
  }
}
