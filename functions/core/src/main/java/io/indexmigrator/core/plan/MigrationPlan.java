package io.indexmigrator.core.plan;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a recipe amounts to on a given cluster at a given time.
 *
 * <p>A plan is a pure function of the recipe, the cluster state and {@link #plannedAt()} (which
 * fixes derived destination names), so it should be stored and reused rather than recomputed when a
 * migration resumes.
 *
 * @param recipeName the recipe's name
 * @param plannedAt when the plan was made; derived destination names use this time
 * @param migrations one entry per concrete source index, in recipe order then by index name
 */
public record MigrationPlan(String recipeName, Instant plannedAt, List<IndexMigration> migrations) {

  public MigrationPlan {
    Objects.requireNonNull(recipeName, "recipeName");
    Objects.requireNonNull(plannedAt, "plannedAt");
    migrations = List.copyOf(migrations);
  }

  /** All copy work items of all indexes, in plan order. */
  public List<Slice> slices() {
    return migrations.stream().flatMap(m -> m.slices().stream()).toList();
  }

  /** The migration of {@code sourceIndex}, if the plan has one. */
  public Optional<IndexMigration> migrationOf(String sourceIndex) {
    return migrations.stream().filter(m -> m.sourceIndex().equals(sourceIndex)).findFirst();
  }
}
