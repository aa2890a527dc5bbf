/**
 * Planning: {@link io.indexmigrator.core.plan.Planner} turns a {@link
 * io.indexmigrator.core.recipe.Recipe} and the current state of a cluster into a {@link
 * io.indexmigrator.core.plan.MigrationPlan}: one {@link io.indexmigrator.core.plan.IndexMigration}
 * per concrete source index, each split into {@link io.indexmigrator.core.plan.Slice} work items.
 */
package io.indexmigrator.core.plan;
