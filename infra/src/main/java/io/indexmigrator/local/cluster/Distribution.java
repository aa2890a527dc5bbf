package io.indexmigrator.local.cluster;

import java.util.Locale;

/**
 * A search engine product, with the names under which it publishes its artifacts and reads its
 * environment. OpenSearch forked from Elasticsearch 7.10.2, so the two differ mostly in names.
 */
public enum Distribution {
  OPENSEARCH("opensearch", "org.opensearch"),
  ELASTICSEARCH("elasticsearch", "org.elasticsearch");

  private final String id;
  private final String groupPrefix;

  Distribution(String id, String groupPrefix) {
    this.id = id;
    this.groupPrefix = groupPrefix;
  }

  /** Lower-case name used on the command line and in artifact ids, e.g. {@code opensearch}. */
  public String id() {
    return id;
  }

  /** Group id of the integ-test zip (the smallest runnable distribution on Maven Central). */
  String zipGroupId() {
    return groupPrefix + ".distribution.integ-test-zip";
  }

  /** Group id of the reindex module's published client jar. */
  String reindexGroupId() {
    return groupPrefix + ".plugin";
  }

  /** Prefix of the environment variables the start script reads (JAVA_HOME, PATH_CONF, ...). */
  String envPrefix() {
    return this == OPENSEARCH ? "OPENSEARCH" : "ES";
  }

  /** Descriptor key naming the engine version a plugin was built for. */
  String descriptorVersionKey() {
    return id + ".version";
  }

  static Distribution fromId(String id) {
    String normalized = id.trim().toLowerCase(Locale.ROOT);
    for (Distribution d : values()) {
      if (d.id.equals(normalized)) {
        return d;
      }
    }
    return null;
  }
}
