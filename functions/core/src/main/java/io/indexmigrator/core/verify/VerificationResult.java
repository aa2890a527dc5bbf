package io.indexmigrator.core.verify;

import java.util.List;

/**
 * What verification found for one source/destination pair.
 *
 * @param mode {@code count} or {@code checksum}
 * @param sourceCount documents in the source (exact, after refresh)
 * @param destinationCount documents in the destination
 * @param missing ids in the source but not the destination (checksum mode; at most {@link
 *     Verifier#MAX_LISTED} listed)
 * @param unexpected ids in the destination but not the source
 * @param different ids in both whose sources differ
 * @param differenceCount how many ids differ in all (may exceed the listed ones)
 */
public record VerificationResult(
    String source,
    String destination,
    String mode,
    long sourceCount,
    long destinationCount,
    List<String> missing,
    List<String> unexpected,
    List<String> different,
    long differenceCount,
    long millis) {

  public boolean passed() {
    return sourceCount == destinationCount && differenceCount == 0;
  }

  public String summary() {
    if (passed()) {
      return source + " -> " + destination + ": " + mode + " OK (" + sourceCount + " documents)";
    }
    return source
        + " -> "
        + destination
        + ": "
        + mode
        + " FAILED: source "
        + sourceCount
        + ", destination "
        + destinationCount
        + (differenceCount > 0
            ? ", "
                + differenceCount
                + " ids differ (missing "
                + missing
                + ", unexpected "
                + unexpected
                + ", different "
                + different
                + ")"
            : "");
  }
}
