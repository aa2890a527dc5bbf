package io.indexmigrator.core.search;

import io.indexmigrator.core.MigrationFailedException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which way indexes may move between engines. Only towards the same or a newer engine: an older one
 * may not read what a newer one wrote (mappings, settings, field types), and OpenSearch forked from
 * Elasticsearch 7.10, so every Elasticsearch counts as older than every OpenSearch, as OpenSearch's
 * own remote reindex counts it, and OpenSearch to Elasticsearch is never allowed.
 */
public final class MigrationDirection {
  private MigrationDirection() {}

  /**
   * Refuses a move from {@code source} to {@code destination} that would be a downgrade.
   *
   * @throws MigrationFailedException naming both engines and why
   */
  public static void check(ClusterInfo source, ClusterInfo destination) {
    refusal(source, destination)
        .ifPresent(
            reason -> {
              throw new MigrationFailedException(reason);
            });
  }

  /** Why the move is refused, or empty when it is allowed. */
  public static Optional<String> refusal(ClusterInfo source, ClusterInfo destination) {
    String move =
        "cannot migrate from "
            + source.engine()
            + " (source) to "
            + destination.engine()
            + " (destination): ";
    if (source.isOpenSearch() && destination.isElasticsearch()) {
      return Optional.of(
          move
              + "OpenSearch to Elasticsearch is not supported; indexes move only to the same or a"
              + " newer engine (Elasticsearch to OpenSearch is fine)");
    }
    if (!source.distribution().equals(destination.distribution())) {
      // Elasticsearch to OpenSearch: always forward.
      return Optional.empty();
    }
    int sourceMajor = source.majorVersion();
    int destinationMajor = destination.majorVersion();
    if (sourceMajor > destinationMajor) {
      return Optional.of(move + downgrade());
    }
    if (sourceMajor == destinationMajor) {
      OptionalInt sourceMinor = source.minorVersion();
      OptionalInt destinationMinor = destination.minorVersion();
      // A masked version hides its minor; a downgrade within the major cannot be proven then.
      if (sourceMinor.isPresent()
          && destinationMinor.isPresent()
          && sourceMinor.getAsInt() > destinationMinor.getAsInt()) {
        return Optional.of(move + downgrade());
      }
    }
    return Optional.empty();
  }

  private static String downgrade() {
    return "that is a downgrade; indexes move only to the same or a newer version";
  }
}
