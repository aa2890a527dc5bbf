/**
 * Durable migration state in one DynamoDB table: recipes, per-index plans, per-slice checkpoints,
 * rollover reports and idempotency records. Every write is conditional, so at-least-once callers
 * (Step Functions, SQS) cannot overwrite each other. The layout is described in
 * docs/state-table.md.
 */
package io.indexmigrator.core.state;
