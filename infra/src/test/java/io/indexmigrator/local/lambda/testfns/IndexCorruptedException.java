package io.indexmigrator.local.lambda.testfns;

/** A domain exception whose class name an ASL Catch would match. */
public class IndexCorruptedException extends RuntimeException {
  public IndexCorruptedException(String message) {
    super(message);
  }
}
