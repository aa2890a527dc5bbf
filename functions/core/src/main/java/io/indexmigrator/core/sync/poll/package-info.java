/**
 * Poll mode of the live sync: captures writes to append-mostly source indexes whose writers cannot
 * publish change events, by reading each shard in {@code _seq_no} order up to its global
 * checkpoint. Entry point: {@link io.indexmigrator.core.sync.poll.SeqNoPoller}.
 */
package io.indexmigrator.core.sync.poll;
