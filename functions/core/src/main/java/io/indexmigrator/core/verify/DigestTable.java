package io.indexmigrator.core.verify;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An order-independent fingerprint of a set of documents: documents fall into buckets by a hash of
 * their id, and each bucket keeps a count and a wrapping sum of per-document hashes. Two indexes
 * hold the same documents (ids and contents) exactly when all buckets agree, barring a 64-bit
 * collision; a bucket that differs narrows the search for the differing ids to 1/buckets of the
 * documents. Memory is fixed whatever the index size, and slices can add concurrently.
 */
final class DigestTable {
  private final int buckets;
  private final AtomicLongArray counts;
  private final AtomicLongArray sums;

  DigestTable(int buckets) {
    if (buckets < 1) {
      throw new IllegalArgumentException("buckets must be >= 1");
    }
    this.buckets = buckets;
    this.counts = new AtomicLongArray(buckets);
    this.sums = new AtomicLongArray(buckets);
  }

  int buckets() {
    return buckets;
  }

  static int bucketOf(String id, int buckets) {
    return Math.floorMod(DocumentHash.ofId(id), buckets);
  }

  void add(String id, long documentHash) {
    int bucket = bucketOf(id, buckets);
    counts.incrementAndGet(bucket);
    sums.addAndGet(bucket, documentHash);
  }

  long count() {
    long total = 0;
    for (int i = 0; i < buckets; i++) {
      total += counts.get(i);
    }
    return total;
  }

  boolean sameBucket(DigestTable other, int bucket) {
    return counts.get(bucket) == other.counts.get(bucket)
        && sums.get(bucket) == other.sums.get(bucket);
  }
}
