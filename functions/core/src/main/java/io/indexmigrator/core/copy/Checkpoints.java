package io.indexmigrator.core.copy;

import java.util.List;

/**
 * Where {@link ShardCopy} records progress while it works, so that a process that dies is continued
 * from the last cursor saved.
 */
public interface Checkpoints {

  /** Stores the cursor to continue from; called after every page written and before returning. */
  void save(ReaderCursor cursor);

  /**
   * Reports documents that were not copied. Called before the {@link #save} of the page they were
   * on, so a process that dies in between reports them again when the page is read again: the
   * receiver keeps one entry per index and id.
   */
  void refused(List<RefusedDocument> documents);
}
