package io.indexmigrator.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DocumentHashTest {
  @Test
  void hash_shouldIgnoreKeyOrderAndWhitespace_whenContentIsEqual() {
    long a = DocumentHash.of("1", "{\"b\": 2, \"a\": {\"y\": [1, 2], \"x\": \"s\"}}");
    long b = DocumentHash.of("1", "{\"a\":{\"x\":\"s\",\"y\":[1,2]},\"b\":2}");

    assertThat(a).isEqualTo(b);
  }

  @Test
  void hash_shouldDiffer_whenAValueOrTheIdDiffers() {
    long base = DocumentHash.of("1", "{\"a\": 1}");

    assertThat(DocumentHash.of("1", "{\"a\": 2}")).isNotEqualTo(base);
    assertThat(DocumentHash.of("2", "{\"a\": 1}")).isNotEqualTo(base);
    assertThat(DocumentHash.of("1", "{\"a\": [1, 2]}"))
        .isNotEqualTo(DocumentHash.of("1", "{\"a\": [2, 1]}"));
  }

  @Test
  void hash_shouldRejectNonJson() {
    assertThatThrownBy(() -> DocumentHash.of("1", "{nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void digestTables_shouldAgree_whenTheSameDocumentsArriveInAnotherOrder() {
    DigestTable left = new DigestTable(64);
    DigestTable right = new DigestTable(64);
    for (int i = 0; i < 500; i++) {
      left.add("id" + i, DocumentHash.of("id" + i, "{\"n\":" + i + "}"));
    }
    for (int i = 499; i >= 0; i--) {
      right.add("id" + i, DocumentHash.of("id" + i, "{\"n\":" + i + "}"));
    }

    for (int b = 0; b < 64; b++) {
      assertThat(left.sameBucket(right, b)).isTrue();
    }
    assertThat(left.count()).isEqualTo(500);
  }

  @Test
  void digestTables_shouldDisagreeInExactlyTheBucketOfAChangedDocument() {
    DigestTable left = new DigestTable(64);
    DigestTable right = new DigestTable(64);
    for (int i = 0; i < 500; i++) {
      left.add("id" + i, DocumentHash.of("id" + i, "{\"n\":" + i + "}"));
      right.add("id" + i, DocumentHash.of("id" + i, "{\"n\":" + (i == 42 ? -1 : i) + "}"));
    }

    int changedBucket = DigestTable.bucketOf("id42", 64);
    for (int b = 0; b < 64; b++) {
      assertThat(left.sameBucket(right, b)).as("bucket %d", b).isEqualTo(b != changedBucket);
    }
  }
}
