package io.indexmigrator.local.cluster;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One engine release we can launch, such as OpenSearch 2.19.6.
 *
 * <p>Supported: OpenSearch 1.3.20, any published OpenSearch 2.x and 3.x integ-test zip, and
 * Elasticsearch 7.10.2 (the last Apache-licensed release, which OpenSearch forked from). Whether a
 * given 2.x or 3.x patch release really exists on Maven Central is only known when it is resolved.
 *
 * @param distribution the product
 * @param version its full {@code major.minor.patch} version
 */
public record EngineVersion(Distribution distribution, String version) {

  /** Used for a bare {@code opensearch} and for {@code opensearch:2}. */
  public static final String DEFAULT_OPENSEARCH_2 = "2.19.6";

  /** The only 1.x release we support: the last one. */
  public static final String OPENSEARCH_1 = "1.3.20";

  /**
   * The newest OpenSearch 3.x integ-test zip on Maven Central when this was written. Note that
   * Central's maven-metadata.xml for that artifact lags behind the files actually published.
   */
  public static final String NEWEST_OPENSEARCH_3 = "3.8.0";

  /** The only Elasticsearch release we support. */
  public static final String ELASTICSEARCH_7 = "7.10.2";

  private static final Pattern FULL_VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

  private static final String SUPPORTED =
      "opensearch:1.3.20, opensearch:2.<minor>.<patch> (any published 2.x, default "
          + DEFAULT_OPENSEARCH_2
          + "), opensearch:3.<minor>.<patch> (any published 3.x, newest "
          + NEWEST_OPENSEARCH_3
          + "), elasticsearch:7.10.2; shorthands: opensearch, opensearch:1, opensearch:2,"
          + " opensearch:3, elasticsearch";

  /** What a bare {@code opensearch} means. Declared after the fields its validation reads. */
  public static final EngineVersion DEFAULT =
      new EngineVersion(Distribution.OPENSEARCH, DEFAULT_OPENSEARCH_2);

  public EngineVersion {
    Objects.requireNonNull(distribution, "distribution");
    Objects.requireNonNull(version, "version");
    if (!isSupported(distribution, version)) {
      throw unknown(distribution.id() + ":" + version);
    }
  }

  /**
   * Parses {@code <distribution>[:<version>]}, where the version is either a full release or just a
   * major version that stands for our chosen release of that line.
   *
   * @throws IllegalArgumentException naming the bad value and listing what is supported
   */
  public static EngineVersion parse(String text) {
    if (text == null || text.isBlank()) {
      throw unknown(String.valueOf(text));
    }
    String trimmed = text.trim();
    int colon = trimmed.indexOf(':');
    String name = colon < 0 ? trimmed : trimmed.substring(0, colon);
    String version = colon < 0 ? "" : trimmed.substring(colon + 1).trim();
    Distribution distribution = Distribution.fromId(name);
    if (distribution == null) {
      throw unknown(trimmed);
    }
    String resolved = resolveShorthand(distribution, version);
    if (resolved == null || !isSupported(distribution, resolved)) {
      throw unknown(trimmed);
    }
    return new EngineVersion(distribution, resolved);
  }

  /** All versions we have shorthands for, i.e. the ones worth testing. */
  public static List<EngineVersion> shorthandTargets() {
    return List.of(
        new EngineVersion(Distribution.OPENSEARCH, OPENSEARCH_1),
        new EngineVersion(Distribution.OPENSEARCH, DEFAULT_OPENSEARCH_2),
        new EngineVersion(Distribution.OPENSEARCH, NEWEST_OPENSEARCH_3),
        new EngineVersion(Distribution.ELASTICSEARCH, ELASTICSEARCH_7));
  }

  private static String resolveShorthand(Distribution distribution, String version) {
    if (distribution == Distribution.ELASTICSEARCH) {
      return version.isEmpty() || version.equals("7") ? ELASTICSEARCH_7 : version;
    }
    return switch (version) {
      case "", "2" -> DEFAULT_OPENSEARCH_2;
      case "1" -> OPENSEARCH_1;
      case "3" -> NEWEST_OPENSEARCH_3;
      default -> version;
    };
  }

  private static boolean isSupported(Distribution distribution, String version) {
    Matcher m = FULL_VERSION.matcher(version);
    if (!m.matches()) {
      return false;
    }
    if (distribution == Distribution.ELASTICSEARCH) {
      return version.equals(ELASTICSEARCH_7);
    }
    return switch (m.group(1)) {
      case "1" -> version.equals(OPENSEARCH_1);
      case "2", "3" -> true;
      default -> false;
    };
  }

  private static IllegalArgumentException unknown(String value) {
    return new IllegalArgumentException(
        "unknown engine version '" + value + "': supported are " + SUPPORTED);
  }

  /** Major version, e.g. 2 for 2.19.6. */
  public int major() {
    return Integer.parseInt(version.substring(0, version.indexOf('.')));
  }

  /** Oldest JDK feature release the engine runs on. */
  public int minJava() {
    return isOpenSearch3() ? 21 : 11;
  }

  /**
   * Newest JDK feature release the engine runs on. Before OpenSearch 3 the engines install a
   * SecurityManager at startup, which JDK 24 removed; 21 is the newest LTS they were tested with.
   */
  public int maxJava() {
    return isOpenSearch3() ? Integer.MAX_VALUE : 21;
  }

  /**
   * Node setting listing the hosts {@code _reindex} may pull from: OpenSearch renamed it from
   * {@code reindex.remote.whitelist} in 2.0 (1.x and Elasticsearch 7 know only the old name).
   */
  public String remoteAllowlistSetting() {
    return distribution == Distribution.OPENSEARCH && major() >= 2
        ? "reindex.remote.allowlist"
        : "reindex.remote.whitelist";
  }

  private boolean isOpenSearch3() {
    return distribution == Distribution.OPENSEARCH && major() >= 3;
  }

  /** Human form used in logs, e.g. {@code opensearch 2.19.6}. */
  public String displayName() {
    return distribution.id() + " " + version;
  }

  /** The form {@link #parse} accepts, e.g. {@code opensearch:2.19.6}. */
  @Override
  public String toString() {
    return distribution.id() + ":" + version;
  }
}
