package io.indexmigrator.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.MigrationFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrationDirectionTest {

  static ClusterInfo engine(String spec) {
    String[] parts = spec.split(" ");
    return new ClusterInfo("c", "u", parts[0], parts[1]);
  }

  /** A masked OpenSearch whose nodes could not be asked: only the major is known. */
  static ClusterInfo masked(String major) {
    return new ClusterInfo("c", "u", ClusterInfo.OPENSEARCH, major, "8.10.1", "7.10.2");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "elasticsearch 7.10.2, opensearch 1.3.20",
    "elasticsearch 7.10.2, opensearch 2.19.6",
    "elasticsearch 7.10.2, opensearch 3.8.0",
    "elasticsearch 6.8.23, opensearch 2.19.6",
    "elasticsearch 7.10.2, elasticsearch 7.10.2",
    "elasticsearch 6.8.23, elasticsearch 7.10.2",
    "opensearch 1.3.20, opensearch 3.8.0",
    "opensearch 1.3.20, opensearch 2.19.6",
    "opensearch 2.19.6, opensearch 2.19.6",
    "opensearch 2.11.0, opensearch 2.19.6",
    "opensearch 2.19.6, opensearch 2.19.1",
    "opensearch 2.19.6, opensearch 3.0.0",
  })
  void sameOrNewer_isAllowed(String source, String destination) {
    assertThatCode(() -> MigrationDirection.check(engine(source), engine(destination)))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "opensearch 2.19.6, opensearch 1.3.20",
    "opensearch 3.8.0, opensearch 2.19.6",
    "opensearch 2.19.6, opensearch 2.11.0",
    "opensearch 3.8.0, opensearch 3.1.0",
    "elasticsearch 7.10.2, elasticsearch 6.8.23",
    "elasticsearch 7.10.2, elasticsearch 7.9.3",
  })
  void downgrade_isRefusedNamingBothEngines(String source, String destination) {
    assertThatThrownBy(() -> MigrationDirection.check(engine(source), engine(destination)))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining(source + " (source)")
        .hasMessageContaining(destination + " (destination)")
        .hasMessageContaining("downgrade");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "opensearch 1.3.20, elasticsearch 7.10.2",
    "opensearch 2.19.6, elasticsearch 8.15.0",
    "opensearch 1.0.0, elasticsearch 7.17.0",
  })
  void openSearchToElasticsearch_isRefused(String source, String destination) {
    assertThatThrownBy(() -> MigrationDirection.check(engine(source), engine(destination)))
        .isInstanceOf(MigrationFailedException.class)
        .hasMessageContaining(source + " (source)")
        .hasMessageContaining(destination + " (destination)")
        .hasMessageContaining("OpenSearch to Elasticsearch is not supported");
  }

  @Test
  void maskedOpenSearch1_isOpenSearch_soItCannotGoToElasticsearch7() {
    assertThat(MigrationDirection.refusal(masked("1"), engine("elasticsearch 7.10.2")))
        .hasValueSatisfying(
            reason -> assertThat(reason).contains("opensearch 1.x (reports 7.10.2) (source)"));
  }

  @Test
  void maskedOpenSearch1_mayGoToAnyLaterMajor_andToItsOwnMajor() {
    assertThat(MigrationDirection.refusal(masked("1"), engine("opensearch 3.8.0"))).isEmpty();
    // Its minor is unknown: a downgrade within 1.x cannot be proven, so it is not refused.
    assertThat(MigrationDirection.refusal(masked("1"), engine("opensearch 1.3.20"))).isEmpty();
    assertThat(MigrationDirection.refusal(engine("opensearch 2.19.6"), masked("1"))).isPresent();
  }
}
