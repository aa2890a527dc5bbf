package io.indexmigrator.core.verify;

import io.indexmigrator.core.search.SearchCluster;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Checks that a destination holds exactly the source's documents before aliases move.
 *
 * <p>{@code count} refreshes both indexes and compares exact {@code _count}s. {@code checksum}
 * additionally streams every document of both sides in parallel slices and compares ids and source
 * hashes through a {@link DigestTable}; only buckets that disagree are read a second time to name
 * the differing ids, so memory stays bounded for any index size.
 */
public final class Verifier {
  public static final int MAX_LISTED = 20;

  /**
   * Fewest and most digest buckets. Between them, about four documents per bucket: a write during
   * the scans (the rollover compares while the application writes) then spoils one bucket of four
   * documents, not one of hundreds, so the drill-down stays small enough to name every differing
   * id. At the most, the two tables take 64 MB.
   */
  static final int MIN_BUCKETS = 4096;

  static final int MAX_BUCKETS = 1 << 21;

  /** Beyond this many documents in disagreeing buckets, differences are counted, not listed. */
  private static final int DRILL_DOWN_LIMIT = 200_000;

  public enum Mode {
    COUNT,
    CHECKSUM
  }

  private final SearchCluster sourceCluster;
  private final SearchCluster destinationCluster;
  private final int slices;
  private final int batchSize;

  public Verifier(
      SearchCluster sourceCluster, SearchCluster destinationCluster, int slices, int batchSize) {
    if (slices < 1 || batchSize < 1) {
      throw new IllegalArgumentException("slices and batchSize must be >= 1");
    }
    this.sourceCluster = sourceCluster;
    this.destinationCluster = destinationCluster;
    this.slices = slices;
    this.batchSize = batchSize;
  }

  /**
   * A verification and every id it found different, with the routing to read it by (null when
   * none): what a later, exact re-check must look at again.
   *
   * @param complete false when more ids differed than could be named (the drill-down was capped)
   */
  public record Comparison(
      VerificationResult result, Map<String, String> differing, boolean complete) {}

  /**
   * Verifies one pair.
   *
   * @param compareContents false when the recipe transforms documents: contents differ by design,
   *     so only ids are compared
   */
  public VerificationResult verify(
      String source, String destination, Mode mode, boolean compareContents) {
    return compare(source, destination, mode, compareContents).result();
  }

  /** {@link #verify}, keeping every differing id (in {@code checksum} mode). */
  public Comparison compare(String source, String destination, Mode mode, boolean compareContents) {
    long started = System.nanoTime();
    sourceCluster.refresh(source);
    destinationCluster.refresh(destination);
    long sourceCount = sourceCluster.count(source);
    long destinationCount = destinationCluster.count(destination);
    if (mode == Mode.COUNT) {
      return complete(
          new VerificationResult(
              source,
              destination,
              "count",
              sourceCount,
              destinationCount,
              List.of(),
              List.of(),
              List.of(),
              0,
              elapsed(started)));
    }
    int buckets = bucketsFor(Math.max(sourceCount, destinationCount));
    DigestTable sourceDigest = new DigestTable(buckets);
    DigestTable destinationDigest = new DigestTable(buckets);
    scanAll(sourceCluster, source, doc -> sourceDigest.add(doc.id(), hash(doc, compareContents)));
    scanAll(
        destinationCluster,
        destination,
        doc -> destinationDigest.add(doc.id(), hash(doc, compareContents)));
    BitSet disagreeing = new BitSet(buckets);
    for (int b = 0; b < buckets; b++) {
      if (!sourceDigest.sameBucket(destinationDigest, b)) {
        disagreeing.set(b);
      }
    }
    if (disagreeing.isEmpty()) {
      return complete(
          new VerificationResult(
              source,
              destination,
              "checksum",
              sourceCount,
              destinationCount,
              List.of(),
              List.of(),
              List.of(),
              0,
              elapsed(started)));
    }
    Map<String, Seen> sourceDocs =
        collect(sourceCluster, source, disagreeing, buckets, compareContents);
    Map<String, Seen> destinationDocs =
        collect(destinationCluster, destination, disagreeing, buckets, compareContents);
    Map<String, String> differing = new HashMap<>();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> different = new ArrayList<>();
    long differences = 0;
    for (var entry : sourceDocs.entrySet()) {
      Seen other = destinationDocs.get(entry.getKey());
      if (other == null) {
        differences++;
        addBounded(missing, entry.getKey());
        differing.put(entry.getKey(), entry.getValue().routing());
      } else if (other.hash() != entry.getValue().hash()) {
        differences++;
        addBounded(different, entry.getKey());
        differing.put(entry.getKey(), entry.getValue().routing());
      }
    }
    for (var entry : destinationDocs.entrySet()) {
      if (!sourceDocs.containsKey(entry.getKey())) {
        differences++;
        addBounded(unexpected, entry.getKey());
        differing.put(entry.getKey(), entry.getValue().routing());
      }
    }
    boolean capped =
        sourceDocs.size() >= DRILL_DOWN_LIMIT || destinationDocs.size() >= DRILL_DOWN_LIMIT;
    if (capped) {
      // Each side kept a different subset of the disagreeing buckets' documents: comparing them
      // would invent differences. What is certain is one differing document per bucket.
      differences = disagreeing.cardinality();
      missing.clear();
      unexpected.clear();
      different.clear();
      differing.clear();
    }
    if (differences == 0) {
      // The drill-down was capped; the buckets still disagree, so report that much.
      differences = disagreeing.cardinality();
    }
    missing.sort(null);
    unexpected.sort(null);
    different.sort(null);
    return new Comparison(
        new VerificationResult(
            source,
            destination,
            "checksum",
            sourceCount,
            destinationCount,
            missing,
            unexpected,
            different,
            differences,
            elapsed(started)),
        differing,
        !capped);
  }

  private static Comparison complete(VerificationResult result) {
    return new Comparison(result, Map.of(), true);
  }

  /** A document's hash and routing, as one side's drill-down read it. */
  private record Seen(long hash, String routing) {}

  /** About four documents per bucket, as a power of two within the bounds. */
  static int bucketsFor(long documents) {
    long wanted = Math.max(MIN_BUCKETS, documents / 4);
    return (int) Math.min(MAX_BUCKETS, Long.highestOneBit(wanted - 1) << 1);
  }

  private Map<String, Seen> collect(
      SearchCluster scanner,
      String index,
      BitSet disagreeing,
      int buckets,
      boolean compareContents) {
    Map<String, Seen> docs = new HashMap<>();
    scanAll(
        scanner,
        index,
        doc -> {
          if (disagreeing.get(DigestTable.bucketOf(doc.id(), buckets))) {
            synchronized (docs) {
              if (docs.size() < DRILL_DOWN_LIMIT) {
                docs.put(doc.id(), new Seen(hash(doc, compareContents), doc.routing()));
              }
            }
          }
        });
    return docs;
  }

  private void scanAll(
      SearchCluster scanner, String index, Consumer<SearchCluster.ScannedDocument> sink) {
    if (slices == 1) {
      scanner.scan(index, 0, 1, batchSize, sink);
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(slices);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int slice = 0; slice < slices; slice++) {
        int id = slice;
        running.add(pool.submit(() -> scanner.scan(index, id, slices, batchSize, sink)));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("verification interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("scanning " + index + " failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static long hash(SearchCluster.ScannedDocument doc, boolean compareContents) {
    return compareContents
        ? DocumentHash.of(doc.id(), doc.sourceJson())
        : DocumentHash.ofId(doc.id());
  }

  private static void addBounded(List<String> list, String id) {
    if (list.size() < MAX_LISTED) {
      list.add(id);
    }
  }

  private static long elapsed(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
