package io.indexmigrator.core.search;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Reads credentials once and keeps them until the cluster refuses them; then the next caller reads
 * them again (a rotated secret). Concurrent requests that fail with the same stale credentials
 * cause one re-read, not one each.
 */
public final class CachedCredentials implements CredentialsSource {
  private final Supplier<BasicCredentials> reader;
  private BasicCredentials cached;

  /** {@code reader} fetches the credentials, e.g. from Secrets Manager. */
  public CachedCredentials(Supplier<BasicCredentials> reader) {
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  @Override
  public synchronized BasicCredentials current() {
    if (cached == null) {
      cached = Objects.requireNonNull(reader.get(), "credentials reader returned null");
    }
    return cached;
  }

  @Override
  public synchronized void refused(BasicCredentials credentials) {
    // Only forget what was refused: another request may already hold the re-read ones.
    if (credentials.equals(cached)) {
      cached = null;
    }
  }

  @Override
  public String toString() {
    return "CachedCredentials";
  }
}
