package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a cluster says about itself on {@code GET /}, and which engine that makes it.
 *
 * <p>The version number alone does not tell the engine: an OpenSearch 1.x with {@code
 * compatibility.override_main_response_version=true} (and Amazon OpenSearch Service domains in
 * compatibility mode, whatever their version) reports {@code 7.10.2} and no {@code distribution},
 * exactly as Elasticsearch 7.10.2 does. {@link #fromRootResponse} tells them apart by the fields
 * the override leaves alone: the tagline, the Lucene version (Elasticsearch 7.10.2 ships Lucene
 * 8.7.0, OpenSearch 1.x 8.8 to 8.10) and {@code build_flavor}, which only Elasticsearch sends.
 *
 * @param clusterName cluster name
 * @param clusterUuid cluster UUID
 * @param distribution {@value #OPENSEARCH} or {@value #ELASTICSEARCH}, as detected
 * @param version the engine's version: exact when the cluster reports it; for a masked OpenSearch,
 *     only the major its Lucene version implies (e.g. {@code 1})
 * @param luceneVersion the Lucene version, e.g. {@code 9.12.3}; null when the cluster did not say
 * @param reportedVersion {@code version.number} as the cluster reported it
 */
public record ClusterInfo(
    String clusterName,
    String clusterUuid,
    String distribution,
    String version,
    String luceneVersion,
    String reportedVersion) {

  public static final String OPENSEARCH = "opensearch";
  public static final String ELASTICSEARCH = "elasticsearch";

  /** What OpenSearch reports in compatibility mode; also Elasticsearch's last OSS release. */
  static final String MASKED_VERSION = "7.10.2";

  public ClusterInfo {
    Objects.requireNonNull(distribution, "distribution");
    Objects.requireNonNull(version, "version");
    reportedVersion = reportedVersion == null ? version : reportedVersion;
  }

  /** A cluster that reports its version plainly. */
  public ClusterInfo(String clusterName, String clusterUuid, String distribution, String version) {
    this(clusterName, clusterUuid, distribution, version, null, version);
  }

  /**
   * Reads the body of {@code GET /}.
   *
   * @throws IllegalArgumentException when the body has no {@code version.number}
   */
  public static ClusterInfo fromRootResponse(JsonNode body) {
    JsonNode version = body.path("version");
    String number = version.path("number").asText(null);
    if (number == null || number.isBlank()) {
      throw new IllegalArgumentException(
          "GET / answered without version.number; is this an OpenSearch or Elasticsearch"
              + " cluster?");
    }
    String lucene = version.path("lucene_version").asText(null);
    String declared = version.path("distribution").asText(null);
    String clusterName = body.path("cluster_name").asText();
    String uuid = body.path("cluster_uuid").asText();
    if (declared != null) {
      return new ClusterInfo(clusterName, uuid, declared, number, lucene, number);
    }
    if (!looksLikeOpenSearch(body, number, lucene)) {
      return new ClusterInfo(clusterName, uuid, ELASTICSEARCH, number, lucene, number);
    }
    // OpenSearch in compatibility mode: the real version is hidden, its major is not.
    return new ClusterInfo(clusterName, uuid, OPENSEARCH, maskedMajor(lucene), lucene, number);
  }

  private static boolean looksLikeOpenSearch(JsonNode body, String number, String lucene) {
    if (body.path("tagline").asText("").contains("OpenSearch")) {
      return true;
    }
    // Elasticsearch sends it since 6.3, OpenSearch never did.
    if (body.path("version").has("build_flavor")) {
      return false;
    }
    if (!MASKED_VERSION.equals(number) || lucene == null) {
      return false;
    }
    // A proxy may rewrite the tagline; the Lucene line cannot lie.
    int major = luceneMajor(lucene);
    int minor = lucenePart(lucene, 1);
    return major > 8 || (major == 8 && minor >= 8);
  }

  /**
   * The OpenSearch major a Lucene version belongs to: 1.x shipped Lucene 8, 2.x Lucene 9, 3.x
   * Lucene 10.
   */
  private static String maskedMajor(String lucene) {
    int luceneMajor = lucene == null ? -1 : luceneMajor(lucene);
    return switch (luceneMajor) {
      case 9 -> "2";
      case 10 -> "3";
      // Compatibility mode exists since 1.0, on Lucene 8; without a Lucene version, assume the
      // oldest, which refuses the fewest directions it should not allow.
      default -> "1";
    };
  }

  private static int luceneMajor(String lucene) {
    return lucenePart(lucene, 0);
  }

  private static int lucenePart(String lucene, int index) {
    String[] parts = lucene.split("\\.");
    try {
      return parts.length > index ? Integer.parseInt(parts[index]) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * This info with the version a node reports ({@code GET _nodes/_local}), which compatibility mode
   * does not mask; ignored unless the version was masked and the node's agrees with the major the
   * Lucene version implies (a node that masks too changes nothing).
   */
  public ClusterInfo withNodeVersion(String nodeVersion) {
    if (!isVersionMasked() || nodeVersion == null || nodeVersion.equals(reportedVersion)) {
      return this;
    }
    ClusterInfo node =
        new ClusterInfo(
            clusterName, clusterUuid, distribution, nodeVersion, luceneVersion, reportedVersion);
    if (node.part(0).isEmpty() || node.majorVersion() != majorVersion()) {
      return this;
    }
    return node;
  }

  public boolean isOpenSearch() {
    return OPENSEARCH.equals(distribution);
  }

  public boolean isElasticsearch() {
    return ELASTICSEARCH.equals(distribution);
  }

  /**
   * Whether the cluster hides its real version (OpenSearch in compatibility mode); {@link
   * #version()} is then only the major.
   */
  public boolean isVersionMasked() {
    return !version.equals(reportedVersion);
  }

  /** The major version, e.g. 2 for {@code 2.19.6}. */
  public int majorVersion() {
    return part(0).orElseThrow(() -> new IllegalStateException("no major in '" + version + "'"));
  }

  /** The minor version, e.g. 19 for {@code 2.19.6}; empty when the cluster hides it. */
  public OptionalInt minorVersion() {
    return part(1);
  }

  private OptionalInt part(int index) {
    String[] parts = version.split("[.-]");
    if (parts.length <= index) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(parts[index]));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * E.g. {@code opensearch 2.19.6}, {@code opensearch 1.3.20 (reports 7.10.2)} or {@code opensearch
   * 1.x (reports 7.10.2)}.
   */
  public String engine() {
    if (!isVersionMasked()) {
      return distribution + " " + version;
    }
    return distribution
        + " "
        + version
        + (minorVersion().isEmpty() ? ".x" : "")
        + " (reports "
        + reportedVersion
        + ")";
  }

  @Override
  public String toString() {
    return engine() + " (" + clusterName + ")";
  }
}
