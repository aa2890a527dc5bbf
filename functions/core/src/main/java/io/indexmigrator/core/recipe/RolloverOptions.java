package io.indexmigrator.core.recipe;

import java.util.Locale;
import java.util.Objects;

/**
 * How the switch from source to destination is verified and performed.
 *
 * @param verify what must match between source and destination before switching
 * @param moveAliases whether aliases on the source index are moved to the destination
 * @param deleteSourceAfter whether the source index is deleted after a successful switch
 */
public record RolloverOptions(VerifyMode verify, boolean moveAliases, boolean deleteSourceAfter) {

  public static final RolloverOptions DEFAULTS = new RolloverOptions(VerifyMode.COUNT, true, false);

  public RolloverOptions {
    Objects.requireNonNull(verify, "verify");
  }

  /** Verification strategies. */
  public enum VerifyMode {
    /** Document counts must be equal. */
    COUNT,
    /** Counts and a per-document content checksum must be equal. */
    CHECKSUM;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static VerifyMode fromWireName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }
}
