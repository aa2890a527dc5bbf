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
 * @param cluster the migrator's name of the cluster the application wrote to (the template's {@code
 *     SourceClusterName} for a migration between clusters), or null for {@code default}
 */
public record ChangeEvent(
    String index, String id, Op op, Long seqNo, Long primaryTerm, String routing, String cluster) {

  /** The name of the cluster an event without {@code cluster} was written to. */
  public static final String DEFAULT_CLUSTER = "default";

  /** An event of a write to the default cluster. */
  public ChangeEvent(String index, String id, Op op, Long seqNo, Long primaryTerm, String routing) {
    this(index, id, op, seqNo, primaryTerm, routing, null);
  }

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
    if (DEFAULT_CLUSTER.equals(cluster)) {
      // One spelling of "the default cluster", so equal events compare equal.
      cluster = null;
    }
  }

  /** The cluster written to: {@link #cluster()}, or {@value #DEFAULT_CLUSTER}. */
  public String clusterName() {
    return cluster == null ? DEFAULT_CLUSTER : cluster;
  }

  /** The same event, of a write to cluster {@code name}. */
  public ChangeEvent onCluster(String name) {
    return new ChangeEvent(index, id, op, seqNo, primaryTerm, routing, name);
  }

  public static ChangeEvent indexed(String index, String id) {
    return new ChangeEvent(index, id, Op.INDEX, null, null, null);
  }

  public static ChangeEvent deleted(String index, String id) {
    return new ChangeEvent(index, id, Op.DELETE, null, null, null);
  }
}
