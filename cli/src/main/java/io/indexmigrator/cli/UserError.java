package io.indexmigrator.cli;

/** A problem the user can fix (bad argument, nothing running, ...); printed without a trace. */
class UserError extends RuntimeException {
  UserError(String message) {
    super(message);
  }
}
