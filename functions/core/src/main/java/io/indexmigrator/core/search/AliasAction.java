package io.indexmigrator.core.search;

import java.util.Objects;

/** One action of an atomic {@code _aliases} request. */
public sealed interface AliasAction
    permits AliasAction.Add, AliasAction.Remove, AliasAction.RemoveIndex {

  /** Points {@code alias.alias()} at {@code alias.index()} with its filter/routing/write flag. */
  record Add(AliasInfo alias) implements AliasAction {
    public Add {
      Objects.requireNonNull(alias, "alias");
    }
  }

  /** Removes {@code alias} from {@code index}. */
  record Remove(String index, String alias) implements AliasAction {
    public Remove {
      Objects.requireNonNull(index, "index");
      Objects.requireNonNull(alias, "alias");
    }
  }

  /** Deletes {@code index} as part of the same atomic change (used to replace an index by name). */
  record RemoveIndex(String index) implements AliasAction {
    public RemoveIndex {
      Objects.requireNonNull(index, "index");
    }
  }
}
