package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.MigrationFailedException;

/**
 * A rollover refused before it changed anything (not ready, the sync behind, another rollover
 * running): the operator fixes the precondition and asks again.
 */
public final class RolloverRefusedException extends MigrationFailedException {
  public RolloverRefusedException(String message) {
    super(message);
  }

  public RolloverRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
