package io.indexmigrator.core.copy;

/**
 * How many documents one writer sends in one {@code _bulk}: additive increase, multiplicative
 * decrease. A destination that throttles (429, 5xx) gets half the documents per request until it
 * answers cleanly again, then a tenth of a page more per clean request, up to a whole page.
 *
 * <p>Backoff alone keeps resending the same large request to a destination whose write queue is
 * full; a smaller one fits where the large one is refused, so a busy destination still makes
 * progress within the attempts of one page. Not thread-safe: one writer owns it.
 */
public final class BulkWindow {
  private final int max;
  private final int min;
  private final int step;
  private int size;

  /** A window of at most {@code max} documents, starting there. */
  public BulkWindow(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("a bulk window needs max >= 1, got " + max);
    }
    this.max = max;
    // Below a sixteenth of a page the per-request overhead dominates; waiting (backoff) is then
    // the better answer to a throttling destination.
    this.min = Math.max(1, max / 16);
    this.step = Math.max(1, max / 10);
    this.size = max;
  }

  /** Documents to put in the next request. */
  public int size() {
    return size;
  }

  /** The last request was answered with every item done (written, conflicting or refused). */
  public void clean() {
    size = Math.min(max, size + step);
  }

  /** The last request, or some of its items, were throttled or failed retryably. */
  public void throttled() {
    size = Math.max(min, size / 2);
  }
}
