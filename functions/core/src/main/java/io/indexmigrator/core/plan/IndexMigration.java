package io.indexmigrator.core.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.recipe.CopyOptions;
import io.indexmigrator.core.recipe.Transform;
import io.indexmigrator.core.search.AliasInfo;
import java.util.List;
import java.util.Objects;

/**
 * How one concrete source index moves to its destination.
 *
 * <p>Settings are in the flat {@code index.*} shape of {@link
 * io.indexmigrator.core.search.IndexSettings}. The destination is created with {@link
 * #creationSettings()} (fast bulk loading: no refresh, no replicas), and {@link #restoreSettings()}
 * is applied after the copy to reach {@link #destinationSettings()}; a JSON {@code null} there
 * resets a setting to the cluster default.
 *
 * @param recipeEntry path of the recipe entry this came from, e.g. {@code indexes[1]}
 * @param sourceIndex concrete source index
 * @param destinationIndex destination index name
 * @param aliasesToMove aliases on the source index that rollover points at the destination
 * @param destinationSettings settings the destination ends up with
 * @param creationSettings settings the destination is created with
 * @param restoreSettings settings to put once the copy is done
 * @param destinationMappings mappings of the destination
 * @param sourcePrimaryShards number of primary shards of the source index
 * @param copy copy options for this index
 * @param transform document transform, or {@code null}
 * @param sliceCount how many slices the engine copies in parallel inside the index's one {@code
 *     _reindex} task ({@code slices} of the request)
 * @param slices copy work items, {@code sliceId} order: one per index, since the engine slices the
 *     task itself; for the reader engine one per shard, or per shard and range of the partition
 *     field; for a remote reindex one per range
 * @param partitioning the ranges of the partition field that split the items, or {@code null}
 */
public record IndexMigration(
    String recipeEntry,
    String sourceIndex,
    String destinationIndex,
    List<AliasInfo> aliasesToMove,
    ObjectNode destinationSettings,
    ObjectNode creationSettings,
    ObjectNode restoreSettings,
    ObjectNode destinationMappings,
    int sourcePrimaryShards,
    CopyOptions copy,
    Transform transform,
    int sliceCount,
    List<Slice> slices,
    Partitioning partitioning) {

  public IndexMigration {
    Objects.requireNonNull(recipeEntry, "recipeEntry");
    Objects.requireNonNull(sourceIndex, "sourceIndex");
    Objects.requireNonNull(destinationIndex, "destinationIndex");
    aliasesToMove = List.copyOf(aliasesToMove);
    destinationSettings = destinationSettings.deepCopy();
    creationSettings = creationSettings.deepCopy();
    restoreSettings = restoreSettings.deepCopy();
    destinationMappings = destinationMappings.deepCopy();
    Objects.requireNonNull(copy, "copy");
    if (sliceCount < 1) {
      throw new IllegalArgumentException("sliceCount must be >= 1, got " + sliceCount);
    }
    slices = List.copyOf(slices);
  }

  @Override
  public ObjectNode destinationSettings() {
    return destinationSettings.deepCopy();
  }

  @Override
  public ObjectNode creationSettings() {
    return creationSettings.deepCopy();
  }

  @Override
  public ObjectNode restoreSettings() {
    return restoreSettings.deepCopy();
  }

  @Override
  public ObjectNode destinationMappings() {
    return destinationMappings.deepCopy();
  }
}
