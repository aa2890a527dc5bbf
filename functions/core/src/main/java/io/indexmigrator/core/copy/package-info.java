/**
 * The reader copy engine: copies one primary shard of a source index into a destination index on
 * another cluster (or another engine major), page by page, resumable across processes. {@link
 * io.indexmigrator.core.copy.ShardCopy} does the work; {@link
 * io.indexmigrator.core.copy.ReaderCursor} is what a caller stores between calls.
 */
package io.indexmigrator.core.copy;
