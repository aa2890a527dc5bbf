package io.indexmigrator.functions.adapter;

/** A stream record that cannot become a change event; the message says why. */
public final class UnmappableRecordException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnmappableRecordException(String reason) {
    super(reason);
  }
}
