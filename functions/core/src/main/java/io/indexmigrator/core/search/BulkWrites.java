package io.indexmigrator.core.search;

import io.indexmigrator.core.search.SearchCluster.BulkItemResult;
import io.indexmigrator.core.search.SearchCluster.BulkWrite;
import java.util.List;

/**
 * The one thing a copy asks of its destination. Small on purpose: a caller can put a check in front
 * of every write (is the copy still wanted?) without wrapping a whole cluster.
 */
@FunctionalInterface
public interface BulkWrites {

  /**
   * Writes documents with one {@code _bulk} call and reports every item; never trusts the HTTP 200
   * of the request as a whole.
   */
  List<BulkItemResult> bulk(String index, List<BulkWrite> writes);
}
