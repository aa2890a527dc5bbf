package io.indexmigrator.core.search;

/**
 * A cluster another cluster's {@code _reindex} can read from ({@code source.remote}): how the
 * destination reaches it and authenticates. Only what a remote reindex can send is offered: an
 * endpoint without authentication or with basic credentials; a remote reindex cannot sign its
 * requests with SigV4.
 */
public interface RemoteReindexSource {

  /**
   * The remote source to put in a {@code _reindex} request, with the current credentials.
   *
   * @throws io.indexmigrator.core.MigrationFailedException when the destination could not
   *     authenticate to this cluster (SigV4)
   */
  ReindexRequest.RemoteSource remoteSource();
}
