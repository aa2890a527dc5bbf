package io.indexmigrator.core.state;

/**
 * A conditional write found the item in another state than the caller expected: another invocation
 * got there first, the recipe is already active, or the record does not exist. The message names
 * the item, what was expected and what was found.
 */
public class ConflictException extends RuntimeException {
  private final String item;
  private final String expected;
  private final String found;

  public ConflictException(String message, String item, String expected, String found) {
    super(message);
    this.item = item;
    this.expected = expected;
    this.found = found;
  }

  /** Builds the message from its parts: "{@code <item>}: expected ..., found ...". */
  public static ConflictException of(String item, String expected, String found) {
    return new ConflictException(
        item + ": expected " + expected + ", found " + found, item, expected, found);
  }

  /** The item the write was about, e.g. {@code slice orders@2/logs/3}. */
  public String item() {
    return item;
  }

  public String expected() {
    return expected;
  }

  public String found() {
    return found;
  }
}
