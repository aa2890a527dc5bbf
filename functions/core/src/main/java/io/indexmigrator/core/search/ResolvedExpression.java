package io.indexmigrator.core.search;

import java.util.List;
import java.util.Objects;

/**
 * What an index expression (name, alias or pattern) stands for on a cluster.
 *
 * @param expression the expression as asked
 * @param kind how the cluster interpreted it
 * @param indexes concrete open indexes it covers, sorted by name; empty for {@link Kind#MISSING} or
 *     a pattern that matched nothing
 */
public record ResolvedExpression(String expression, Kind kind, List<ConcreteIndex> indexes) {

  public ResolvedExpression {
    Objects.requireNonNull(expression, "expression");
    Objects.requireNonNull(kind, "kind");
    indexes = List.copyOf(indexes);
  }

  /** How an expression was understood. */
  public enum Kind {
    INDEX,
    ALIAS,
    PATTERN,
    /** Neither an index nor an alias of that name exists. */
    MISSING
  }

  /**
   * A concrete index and every alias that points at it.
   *
   * @param name index name
   * @param aliases aliases on this index, sorted by alias name
   */
  public record ConcreteIndex(String name, List<AliasInfo> aliases) {
    public ConcreteIndex {
      Objects.requireNonNull(name, "name");
      aliases = List.copyOf(aliases);
    }
  }
}
