package io.indexmigrator.core.search;

/** Outcome of an idempotent index creation. */
public enum CreateIndexResult {
  /** This call created the index. */
  CREATED,
  /** The index already existed with the requested settings and mappings. */
  ALREADY_EXISTED
}
