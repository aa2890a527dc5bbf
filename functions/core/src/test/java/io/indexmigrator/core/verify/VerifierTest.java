package io.indexmigrator.core.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.core.search.InMemorySearchCluster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifierTest {
  InMemorySearchCluster cluster;

  @BeforeEach
  void twoIndexesWithTheSameDocuments() {
    cluster = new InMemorySearchCluster().withIndex("src", 1, null).withIndex("dst", 1, null);
    for (int i = 0; i < 300; i++) {
      cluster.withDocument("src", "id" + i, "{\"n\":" + i + ",\"tags\":[\"a\",\"b\"]}");
      // The destination re-serialized the source: other key order, other spacing.
      cluster.withDocument("dst", "id" + i, "{ \"tags\": [\"a\", \"b\"], \"n\": " + i + " }");
    }
  }

  private Verifier verifier() {
    return new Verifier(cluster, cluster, 3, 50);
  }

  @Test
  void checksum_shouldPass_whenOnlySerializationDiffers() {
    VerificationResult result = verifier().verify("src", "dst", Verifier.Mode.CHECKSUM, true);

    assertThat(result.passed()).isTrue();
    assertThat(result.sourceCount()).isEqualTo(300);
    assertThat(result.differenceCount()).isZero();
  }

  @Test
  void checksum_shouldNameMissingUnexpectedAndDifferentIds() {
    cluster.withDocument("dst", "id7", "{\"n\":-7}");
    cluster.withDocument("dst", "stray", "{\"n\":0}");
    cluster.withDocument("src", "new-in-source", "{\"n\":1}");

    VerificationResult result = verifier().verify("src", "dst", Verifier.Mode.CHECKSUM, true);

    assertThat(result.passed()).isFalse();
    assertThat(result.missing()).containsExactly("new-in-source");
    assertThat(result.unexpected()).containsExactly("stray");
    assertThat(result.different()).containsExactly("id7");
    assertThat(result.differenceCount()).isEqualTo(3);
    assertThat(result.summary()).contains("FAILED").contains("id7");
  }

  @Test
  void checksum_shouldFail_whenCountsAgreeButContentsDiffer() {
    cluster.withDocument("dst", "id42", "{\"n\":42,\"tags\":[\"b\",\"a\"]}");

    VerificationResult result = verifier().verify("src", "dst", Verifier.Mode.CHECKSUM, true);

    assertThat(result.sourceCount()).isEqualTo(result.destinationCount());
    assertThat(result.passed()).isFalse();
    assertThat(result.different()).containsExactly("id42");
  }

  @Test
  void idsOnly_shouldIgnoreContentDifferences_whenDocumentsAreTransformedByDesign() {
    cluster.withDocument("dst", "id42", "{\"n\":42,\"added\":true}");

    VerificationResult result = verifier().verify("src", "dst", Verifier.Mode.CHECKSUM, false);

    assertThat(result.passed()).isTrue();
  }

  @Test
  void count_shouldCompareOnlyCounts() {
    cluster.withDocument("dst", "id1", "{\"changed\":true}");

    assertThat(verifier().verify("src", "dst", Verifier.Mode.COUNT, true).passed()).isTrue();

    cluster.withDocument("dst", "extra", "{}");
    VerificationResult result = verifier().verify("src", "dst", Verifier.Mode.COUNT, true);
    assertThat(result.passed()).isFalse();
    assertThat(result.destinationCount()).isEqualTo(301);
  }

  @Test
  void buckets_growWithTheIndex_withinBounds() {
    assertThat(Verifier.bucketsFor(0)).isEqualTo(Verifier.MIN_BUCKETS);
    assertThat(Verifier.bucketsFor(16_384)).isEqualTo(Verifier.MIN_BUCKETS);
    assertThat(Verifier.bucketsFor(1_000_000)).isEqualTo(262_144);
    assertThat(Verifier.bucketsFor(100_000_000)).isEqualTo(Verifier.MAX_BUCKETS);
  }

  /**
   * A large index compared while the application writes: thousands of documents differ (written
   * during the scans, their events still queued), spread over the whole id space. With a fixed
   * 4,096 buckets nearly every bucket disagreed and the drill-down gave up ("at least N"); with
   * buckets scaled to the index, every differing id is named, for the delta to re-check.
   */
  @Test
  void checksum_namesEveryDifferingId_whenThousandsDifferInALargeIndex() {
    InMemorySearchCluster large =
        new InMemorySearchCluster().withIndex("big", 1, null).withIndex("big2", 1, null);
    int documents = 300_000;
    int differing = 7_500;
    for (int i = 0; i < documents; i++) {
      String json = "{\"n\":" + i + "}";
      large.withDocument("big", "d" + i, json);
      large.withDocument("big2", "d" + i, i % (documents / differing) == 0 ? "{\"n\":-1}" : json);
    }

    Verifier.Comparison comparison =
        new Verifier(large, large, 2, 1000).compare("big", "big2", Verifier.Mode.CHECKSUM, true);

    assertThat(comparison.complete()).isTrue();
    assertThat(comparison.differing()).hasSize(differing).containsKey("d0").containsKey("d40");
    assertThat(comparison.result().differenceCount()).isEqualTo(differing);
  }
}
