package io.indexmigrator.core.search;

/**
 * What a cluster says about itself on {@code GET /}.
 *
 * @param clusterName cluster name
 * @param clusterUuid cluster UUID
 * @param distribution {@code opensearch} or {@code elasticsearch}
 * @param version version number, e.g. {@code 2.19.6}
 */
public record ClusterInfo(
    String clusterName, String clusterUuid, String distribution, String version) {

  public static final String OPENSEARCH = "opensearch";
  public static final String ELASTICSEARCH = "elasticsearch";

  public boolean isOpenSearch() {
    return OPENSEARCH.equals(distribution);
  }

  /** The major version, e.g. 2 for {@code 2.19.6}. */
  public int majorVersion() {
    int dot = version.indexOf('.');
    return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
  }

  @Override
  public String toString() {
    return distribution + " " + version + " (" + clusterName + ")";
  }
}
