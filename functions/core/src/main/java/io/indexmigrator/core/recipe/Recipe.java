package io.indexmigrator.core.recipe;

import java.util.List;
import java.util.Objects;

/**
 * A validated recipe. Built by {@link RecipeLoader}; all defaults are already applied, so every
 * component except the documented nullable ones is present.
 *
 * @param name recipe name, {@code [a-z0-9][a-z0-9-]{0,62}}; identifies the migration
 * @param prefix tenant prefix put in front of every index name in {@link #indexes()}, source and
 *     destination; empty when the recipe has none
 * @param source the cluster the source indexes live on
 * @param destination the cluster the destination indexes are created on
 * @param indexes what to migrate, in recipe order; never empty
 * @param copy copy options used by indexes that do not override them
 * @param sync how writes that happen during the copy are caught up
 * @param rollover how the switch to the new indexes is verified and performed
 */
public record Recipe(
    String name,
    String prefix,
    SourceCluster source,
    DestinationCluster destination,
    List<IndexSpec> indexes,
    CopyOptions copy,
    SyncOptions sync,
    RolloverOptions rollover) {

  public Recipe {
    Objects.requireNonNull(name, "name");
    prefix = prefix == null ? "" : prefix;
    source = source == null ? SourceCluster.DEFAULT : source;
    destination = destination == null ? DestinationCluster.DEFAULT : destination;
    indexes = List.copyOf(indexes);
    if (copy == null) {
      copy =
          source.cluster().equals(destination.cluster())
              ? CopyOptions.DEFAULTS
              : CopyOptions.CROSS_CLUSTER_DEFAULTS;
    }
    sync = sync == null ? SyncOptions.DEFAULTS : sync;
    rollover = rollover == null ? RolloverOptions.DEFAULTS : rollover;
  }

  /** {@code name} with this recipe's prefix in front: the name as it exists on the cluster. */
  public String prefixed(String name) {
    return prefix + name;
  }

  /** Whether source and destination are different clusters. */
  public boolean isCrossCluster() {
    return !source.cluster().equals(destination.cluster());
  }

  /** Which cluster the source indexes are read from. */
  public record SourceCluster(String cluster) {
    /** The cluster the functions are configured for. */
    public static final String DEFAULT_CLUSTER = "default";

    public static final SourceCluster DEFAULT = new SourceCluster(DEFAULT_CLUSTER);

    public SourceCluster {
      Objects.requireNonNull(cluster, "cluster");
    }
  }

  /** Which cluster the destination indexes are created on. */
  public record DestinationCluster(String cluster) {
    public static final DestinationCluster DEFAULT =
        new DestinationCluster(SourceCluster.DEFAULT_CLUSTER);

    public DestinationCluster {
      Objects.requireNonNull(cluster, "cluster");
    }
  }
}
