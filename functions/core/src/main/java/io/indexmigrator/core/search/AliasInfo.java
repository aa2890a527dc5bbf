package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * An alias pointing at one concrete index, with everything needed to recreate it elsewhere.
 *
 * @param alias alias name
 * @param index the concrete index it points at
 * @param filter alias filter query, or {@code null}
 * @param indexRouting routing used for writes through the alias, or {@code null}
 * @param searchRouting routing used for searches through the alias, or {@code null}
 * @param writeIndex the explicit {@code is_write_index} flag, or {@code null} when unset
 */
public record AliasInfo(
    String alias,
    String index,
    ObjectNode filter,
    String indexRouting,
    String searchRouting,
    Boolean writeIndex) {

  public AliasInfo {
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(index, "index");
    filter = filter == null ? null : filter.deepCopy();
  }

  @Override
  public ObjectNode filter() {
    return filter == null ? null : filter.deepCopy();
  }

  /** A plain alias without filter, routing or write flag. */
  public static AliasInfo plain(String alias, String index) {
    return new AliasInfo(alias, index, null, null, null, null);
  }

  /** The same alias definition pointing at another index. */
  public AliasInfo onIndex(String otherIndex) {
    return new AliasInfo(alias, otherIndex, filter, indexRouting, searchRouting, writeIndex);
  }
}
