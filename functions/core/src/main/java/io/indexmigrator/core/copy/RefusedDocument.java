package io.indexmigrator.core.copy;

/**
 * A document the copy could not write and will not try again: the destination refused it (a mapping
 * conflict, say) or the source had nothing to copy.
 *
 * @param index the index that refused it: the destination, or the source for a document stored
 *     without {@code _source}
 * @param status the item status the destination answered, 0 when nothing was sent
 */
public record RefusedDocument(
    String index, String id, int status, String errorType, String reason) {}
