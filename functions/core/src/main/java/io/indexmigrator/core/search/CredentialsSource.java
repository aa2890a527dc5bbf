package io.indexmigrator.core.search;

/**
 * Where a cluster client gets its basic-auth credentials. A password can be rotated while a
 * function stays warm, so the client reports credentials the cluster refused, and the source then
 * reads them again instead of serving the stale ones until the next cold start.
 */
public interface CredentialsSource {

  /** The credentials to send now. */
  BasicCredentials current();

  /**
   * The cluster answered 401 to {@code credentials}; the next {@link #current()} must not return
   * them from memory.
   */
  void refused(BasicCredentials credentials);

  /** Credentials that never change (tests, clusters whose password is not rotated). */
  static CredentialsSource fixed(BasicCredentials credentials) {
    return new CredentialsSource() {
      @Override
      public BasicCredentials current() {
        return credentials;
      }

      @Override
      public void refused(BasicCredentials refused) {
        // Nothing to re-read.
      }

      @Override
      public String toString() {
        return "fixed " + credentials;
      }
    };
  }
}
