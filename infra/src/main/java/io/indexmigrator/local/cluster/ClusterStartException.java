package io.indexmigrator.local.cluster;

/** An engine did not come up; the message carries the end of its log. */
public final class ClusterStartException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ClusterStartException(String message) {
    super(message);
  }

  public ClusterStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
