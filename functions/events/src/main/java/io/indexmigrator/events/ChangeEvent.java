package io.indexmigrator.events;

import java.util.Objects;

/**
 * One acknowledged write to a search index, as an application reports it to the sync queue. The
 * sync consumer never trusts the event's content: it re-reads the document's current state from the
 * source, so an event only says "this document changed".
 *
 * @param index the index or alias the application wrote to
 * @param id the document {@code _id}
 * @param op {@code index} (created or updated) or {@code delete}
 * @param seqNo the write's {@code _seq_no}, when known
 * @param primaryTerm the write's {@code _primary_term}, when known
 * @param routing the custom routing the write used, or null
 */
public record ChangeEvent(
    String index, String id, Op op, Long seqNo, Long primaryTerm, String routing) {

  public enum Op {
    INDEX,
    DELETE;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ChangeEvent {
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(op, "op");
  }

  public static ChangeEvent indexed(String index, String id) {
    return new ChangeEvent(index, id, Op.INDEX, null, null, null);
  }

  public static ChangeEvent deleted(String index, String id) {
    return new ChangeEvent(index, id, Op.DELETE, null, null, null);
  }
}
