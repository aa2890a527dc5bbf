package io.indexmigrator.core.search;

/**
 * A cluster call that failed: either the cluster answered with an error status, or it could not be
 * reached ({@link #status()} 0).
 *
 * <p>{@link #isRetryable()} separates failures worth retrying later (429 rejections, 5xx,
 * connection problems) from those that will fail again the same way (4xx).
 */
public class SearchClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Status used when no HTTP response was received. */
  public static final int NO_RESPONSE = 0;

  private final int status;
  private final String errorType;
  private final String reason;
  private final boolean contextLost;

  public SearchClusterException(String operation, int status, String errorType, String reason) {
    this(operation, status, errorType, reason, null);
  }

  public SearchClusterException(
      String operation, int status, String errorType, String reason, Throwable cause) {
    this(operation, status, errorType, reason, false, cause);
  }

  /**
   * @param contextLost whether the scroll or point in time the call continued no longer exists
   */
  public SearchClusterException(
      String operation,
      int status,
      String errorType,
      String reason,
      boolean contextLost,
      Throwable cause) {
    super(describe(operation, status, errorType, reason), cause);
    this.status = status;
    this.errorType = errorType;
    this.reason = reason;
    this.contextLost = contextLost;
  }

  /** HTTP status, or {@link #NO_RESPONSE} when the cluster could not be reached. */
  public int status() {
    return status;
  }

  /** The cluster's error type, e.g. {@code index_not_found_exception}; never null. */
  public String errorType() {
    return errorType;
  }

  /** The cluster's explanation; never null. */
  public String reason() {
    return reason;
  }

  /**
   * Whether the scroll or point in time a page request continued is gone (expired, cleared, or held
   * by a node that restarted or left): asking again cannot succeed, only a new one can. The engine
   * wraps this in {@code search_phase_execution_exception}, so {@link #errorType()} alone does not
   * tell.
   */
  public boolean contextLost() {
    return contextLost;
  }

  /** Whether the same call may succeed later: throttling, server-side or network failures. */
  public boolean isRetryable() {
    return status == NO_RESPONSE || status == 429 || status >= 500;
  }

  private static String describe(String operation, int status, String type, String reason) {
    String where = status == NO_RESPONSE ? "no response" : "HTTP " + status;
    return operation + " failed (" + where + ", " + type + "): " + reason;
  }
}
