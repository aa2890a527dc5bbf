package io.indexmigrator.core.lifecycle;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.indexmigrator.core.verify.VerificationResult;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a rollover, as stored in the state table and printed by {@code rollover --json}.
 *
 * @param passed whether verification passed and the aliases moved
 * @param writeBlockedMillis how long the sources refused writes, from setting the first block to
 *     lifting the last (see {@link #aliasWritesBlockedMillis()} for what an application writing
 *     through the aliases saw)
 * @param aliasesMoved {@code alias: source -> destination} for every alias moved
 * @param drainedBacklog sync events still queued as writes stopped ({@code sync: events}, read just
 *     before the block), or applied by the last polls under it ({@code sync: poll})
 * @param blockedWindow where the write-blocked time went, in order: {@code block} (setting the
 *     blocks), {@code drain} (with {@code sync: poll}, the last polls; 0 otherwise), {@code delta}
 *     (re-reading and mending what was written since the last marks or still differed), {@code
 *     verify} (exact counts), {@code fence} (recording it and waiting for batches in flight),
 *     {@code swap}, {@code unblock}; milliseconds each
 */
public record RolloverReport(
    String recipe,
    boolean passed,
    String verify,
    List<VerificationResult> verification,
    long writeBlockedMillis,
    List<String> aliasesMoved,
    long drainedBacklog,
    Map<String, Long> blockedWindow,
    String message) {

  /**
   * How long writes through the aliases were refused: from setting the first block until the alias
   * swap was acknowledged, after which the aliases name the destinations, which take writes. The
   * sources themselves stay blocked until {@code unblock} ends ({@link #writeBlockedMillis()}). A
   * rollover that did not swap kept the aliases on the blocked sources throughout.
   */
  @JsonProperty("aliasWritesBlockedMillis")
  public long aliasWritesBlockedMillis() {
    if (!passed || blockedWindow == null || !blockedWindow.containsKey("swap")) {
      return writeBlockedMillis;
    }
    long untilSwap = 0;
    for (Map.Entry<String, Long> step : blockedWindow.entrySet()) {
      untilSwap += step.getValue();
      if (step.getKey().equals("swap")) {
        break;
      }
    }
    return Math.min(untilSwap, writeBlockedMillis);
  }
}
