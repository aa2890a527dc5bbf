package io.indexmigrator.core.copy;

/**
 * What one {@link ShardCopy#work} call did.
 *
 * @param cursor the cursor saved last; pass it to the next call
 * @param finished whether the shard has been copied to its end (the read context is closed)
 * @param restartReason why the item was started again from its first document in this call, or
 *     null; the cursor's counters then cover the new pass only
 */
public record Outcome(ReaderCursor cursor, boolean finished, String restartReason) {}
