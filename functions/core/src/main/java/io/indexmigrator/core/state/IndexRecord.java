package io.indexmigrator.core.state;

import java.util.List;
import java.util.Objects;

/**
 * The plan and progress for one source index of a recipe.
 *
 * @param createdByUs whether the destination was created by this recipe (so cancel may delete it)
 * @param recipeEntry the recipe entry this index came from, e.g. {@code indexes[1]} (its transform
 *     and options apply)
 * @param restoreSettingsJson the settings to put on the destination after the bulk load (refresh
 *     interval, replicas), as JSON; a null value resets a setting to the cluster default
 * @param writeBlockSetByUs whether this recipe put the write block on the source (so only then it
 *     removes it)
 * @param docsTotal the source's document count when the copy was planned
 * @param partitionJson the ranges of a partition field that split the copy's work items, as the
 *     planner wrote them, or null; opaque to the store
 */
public record IndexRecord(
    String recipeName,
    int generation,
    String source,
    String destination,
    List<AliasSpec> aliases,
    boolean createdByUs,
    String recipeEntry,
    String restoreSettingsJson,
    boolean writeBlockSetByUs,
    IndexPhase phase,
    int sliceCount,
    long docsTotal,
    String partitionJson,
    long version) {

  public IndexRecord {
    new RecipeRef(recipeName, generation);
    StateLimits.requireName("source index", source);
    StateLimits.requireName("destination index", destination);
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
    Objects.requireNonNull(phase, "phase");
    if (sliceCount < 1 || sliceCount > StateLimits.MAX_SLICES) {
      throw new IllegalArgumentException(
          "slice count of '"
              + source
              + "' must be 1.."
              + StateLimits.MAX_SLICES
              + ", was "
              + sliceCount);
    }
  }

  /** A freshly planned index: PENDING, not yet written (version 0). */
  public static IndexRecord planned(
      RecipeRef recipe,
      String source,
      String destination,
      List<AliasSpec> aliases,
      boolean createdByUs,
      String recipeEntry,
      String restoreSettingsJson,
      int sliceCount,
      long docsTotal) {
    return planned(
        recipe,
        source,
        destination,
        aliases,
        createdByUs,
        recipeEntry,
        restoreSettingsJson,
        sliceCount,
        docsTotal,
        null);
  }

  /** A freshly planned index whose copy is split by the ranges {@code partitionJson}. */
  public static IndexRecord planned(
      RecipeRef recipe,
      String source,
      String destination,
      List<AliasSpec> aliases,
      boolean createdByUs,
      String recipeEntry,
      String restoreSettingsJson,
      int sliceCount,
      long docsTotal,
      String partitionJson) {
    return new IndexRecord(
        recipe.name(),
        recipe.generation(),
        source,
        destination,
        aliases,
        createdByUs,
        recipeEntry,
        restoreSettingsJson,
        false,
        IndexPhase.PENDING,
        sliceCount,
        docsTotal,
        partitionJson,
        0);
  }

  public RecipeRef recipe() {
    return new RecipeRef(recipeName, generation);
  }

  public IndexRecord withPhase(IndexPhase newPhase) {
    return new IndexRecord(
        recipeName,
        generation,
        source,
        destination,
        aliases,
        createdByUs,
        recipeEntry,
        restoreSettingsJson,
        writeBlockSetByUs,
        newPhase,
        sliceCount,
        docsTotal,
        partitionJson,
        version);
  }

  public IndexRecord withWriteBlockSetByUs(boolean set) {
    return new IndexRecord(
        recipeName,
        generation,
        source,
        destination,
        aliases,
        createdByUs,
        recipeEntry,
        restoreSettingsJson,
        set,
        phase,
        sliceCount,
        docsTotal,
        partitionJson,
        version);
  }

  IndexRecord withVersion(long newVersion) {
    return new IndexRecord(
        recipeName,
        generation,
        source,
        destination,
        aliases,
        createdByUs,
        recipeEntry,
        restoreSettingsJson,
        writeBlockSetByUs,
        phase,
        sliceCount,
        docsTotal,
        partitionJson,
        newVersion);
  }
}
