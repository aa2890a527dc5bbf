package io.indexmigrator.core.lifecycle;

import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.SearchCluster.DocumentRef;
import io.indexmigrator.core.search.SearchCluster.SeqNoHit;
import io.indexmigrator.core.search.SearchCluster.StoredDocument;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.sync.SyncApplier;
import io.indexmigrator.core.sync.SyncOutcome;
import io.indexmigrator.core.verify.DocumentHash;
import io.indexmigrator.events.ChangeEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The exact part of a cut-over: which documents may differ between a source and its destination,
 * found from the data rather than from the sync queue, re-read on both sides, and made equal.
 *
 * <p>Every source write since a {@link Marks mark} has a {@code _seq_no} above the mark of its
 * shard, so a search by {@code _seq_no} finds each document written since, whatever happened to its
 * change event. Documents that differed when the mark was older are carried along by id. A delete
 * leaves nothing to search for: the caller's exact counts, taken after this, prove that none is
 * missing.
 */
final class CutoverDelta {
  private static final int PAGE = 1000;
  private static final int READ_BATCH = 500;

  private final SearchCluster source;
  private final SearchCluster destination;
  private final SyncApplier applier;
  private final ConcurrentReads reads;
  private final String sourceCluster;

  /**
   * @param sourceCluster the name of the cluster {@code source} is: the writes are applied as
   *     change events of that cluster, so the applier re-reads them there
   */
  CutoverDelta(
      SearchCluster source,
      SearchCluster destination,
      SyncApplier applier,
      ConcurrentReads reads,
      String sourceCluster) {
    this.source = source;
    this.destination = destination;
    this.applier = applier;
    this.reads = reads;
    this.sourceCluster = sourceCluster;
  }

  /** Each source shard's global checkpoint at one moment: nothing at or below it can change. */
  record Marks(Map<Integer, Long> byShard) {
    Marks {
      byShard = Map.copyOf(byShard);
    }
  }

  /**
   * What one pass found.
   *
   * @param differing the ids (with routing) whose two sides still differed when read
   * @param applied how many of them this pass wrote to the destination
   * @param next where the next pass starts, or null when none was asked for
   */
  record Pass(
      int checked,
      int applied,
      Map<String, String> differing,
      Map<String, Kind> kinds,
      Marks next,
      Long sourceCount,
      Timings timings) {}

  /**
   * Where a pass's time went, in ms: finding candidates (the source's refresh, then its searches,
   * then waiting for the destination's refresh, which ran alongside), reading, writing.
   */
  record Timings(
      long sourceRefresh, long searches, long destinationRefresh, long compare, long apply) {
    long search() {
      return sourceRefresh + searches + destinationRefresh;
    }
  }

  /** How the two sides of a differing document differ. */
  enum Kind {
    MISSING,
    UNEXPECTED,
    DIFFERENT
  }

  Marks mark(String sourceIndex) {
    return new Marks(source.shardCheckpoints(sourceIndex));
  }

  /**
   * Finds the documents written since {@code since}, adds {@code carried}, compares both sides.
   *
   * @param apply whether to write what differs (the sync consumer would, later, under the same
   *     rules: a re-read of the source, an external-version write)
   * @param markNext whether another pass follows (under the write block, none does; the source then
   *     changes no more, and its count, taken alongside the searches, is final)
   */
  Pass pass(
      IndexRecord index,
      Marks since,
      Map<String, String> carried,
      boolean compareContents,
      boolean apply,
      boolean markNext) {
    long started = System.nanoTime();
    // A real-time get of a document written since the last refresh refreshes its shard first:
    // refreshing the destination now, alongside the source's refresh and searches, takes that
    // out of the comparison's time.
    CompletableFuture<Boolean> destinationRefreshed =
        reads.start(
            () -> {
              destination.refresh(index.destination());
              return true;
            });
    // Marks for the next pass are taken before searching, so nothing falls between two passes.
    Marks next = markNext ? mark(index.source()) : null;
    source.refresh(index.source());
    long sourceRefreshed = System.nanoTime();
    CompletableFuture<Long> counted =
        markNext ? null : reads.start(() -> source.count(index.source()));
    Map<Integer, CompletableFuture<List<SeqNoHit>>> byShard = new TreeMap<>();
    since
        .byShard()
        .forEach(
            (shard, above) ->
                byShard.put(shard, reads.start(() -> writtenSince(index.source(), shard, above))));
    Map<String, String> candidates = new LinkedHashMap<>(carried);
    for (CompletableFuture<List<SeqNoHit>> hits : byShard.values()) {
      for (SeqNoHit hit : ConcurrentReads.join(hits)) {
        candidates.putIfAbsent(hit.id(), hit.routing());
      }
    }
    Long sourceCount = counted == null ? null : ConcurrentReads.join(counted);
    long shardsSearched = System.nanoTime();
    ConcurrentReads.join(destinationRefreshed);
    long searched = System.nanoTime();
    Map<String, Kind> kinds = new LinkedHashMap<>();
    Map<String, String> differing = differing(index, candidates, compareContents, kinds);
    long compared = System.nanoTime();
    int applied = 0;
    if (apply && !differing.isEmpty()) {
      applied = write(index, differing);
      kinds.clear();
      differing = differing(index, differing, compareContents, kinds);
    }
    long ended = System.nanoTime();
    return new Pass(
        candidates.size(),
        applied,
        differing,
        kinds,
        next,
        sourceCount,
        new Timings(
            (sourceRefreshed - started) / 1_000_000,
            (shardsSearched - sourceRefreshed) / 1_000_000,
            (searched - shardsSearched) / 1_000_000,
            (compared - searched) / 1_000_000,
            (ended - compared) / 1_000_000));
  }

  /** Every document of one shard with a {@code _seq_no} above {@code above}, page by page. */
  private List<SeqNoHit> writtenSince(String index, int shard, long above) {
    List<SeqNoHit> all = new ArrayList<>();
    while (true) {
      List<SeqNoHit> hits = source.searchBySeqNo(index, shard, above, Long.MAX_VALUE, PAGE);
      for (SeqNoHit hit : hits) {
        all.add(hit);
        above = Math.max(above, hit.seqNo());
      }
      if (hits.size() < PAGE) {
        return all;
      }
    }
  }

  private Map<String, String> differing(
      IndexRecord index,
      Map<String, String> candidates,
      boolean compareContents,
      Map<String, Kind> kinds) {
    Map<String, String> differing = new LinkedHashMap<>();
    // Multi-get is real-time on both sides: no refresh needed for what it reads.
    List<Map.Entry<String, String>> all = new ArrayList<>(candidates.entrySet());
    for (int from = 0; from < all.size(); from += READ_BATCH) {
      List<Map.Entry<String, String>> batch =
          all.subList(from, Math.min(all.size(), from + READ_BATCH));
      List<DocumentRef> refs =
          batch.stream().map(e -> new DocumentRef(e.getKey(), e.getValue())).toList();
      CompletableFuture<List<StoredDocument>> sourceSide =
          reads.start(() -> source.multiGet(index.source(), refs));
      CompletableFuture<List<StoredDocument>> destinationSide =
          reads.start(() -> destination.multiGet(index.destination(), refs));
      List<StoredDocument> left = ConcurrentReads.join(sourceSide);
      List<StoredDocument> right = ConcurrentReads.join(destinationSide);
      for (int i = 0; i < batch.size(); i++) {
        if (!same(left.get(i), right.get(i), compareContents)) {
          String id = batch.get(i).getKey();
          differing.put(id, batch.get(i).getValue());
          kinds.put(
              id,
              !right.get(i).found()
                  ? Kind.MISSING
                  : !left.get(i).found() ? Kind.UNEXPECTED : Kind.DIFFERENT);
        }
      }
    }
    return differing;
  }

  private static boolean same(StoredDocument a, StoredDocument b, boolean compareContents) {
    if (a.found() != b.found()) {
      return false;
    }
    if (!a.found()) {
      return true;
    }
    if (!compareContents) {
      // Transformed documents differ by design; the copy and the sync write at the source's
      // version.
      return a.version() == b.version();
    }
    return DocumentHash.of(a.id(), a.sourceJson()) == DocumentHash.of(b.id(), b.sourceJson());
  }

  private int write(IndexRecord index, Map<String, String> ids) {
    List<ChangeEvent> events = new ArrayList<>();
    ids.forEach(
        (id, routing) ->
            events.add(
                new ChangeEvent(index.source(), id, ChangeEvent.Op.INDEX, null, null, routing)
                    .onCluster(
                        io.indexmigrator.core.search.Clusters.DEFAULT.equals(sourceCluster)
                            ? null
                            : sourceCluster)));
    int applied = 0;
    for (SyncOutcome outcome : applier.apply(events)) {
      if (outcome.kind() == SyncOutcome.Kind.APPLIED) {
        applied++;
      } else {
        throw new MigrationFailedException(
            "could not make '"
                + index.destination()
                + "' equal to '"
                + index.source()
                + "': "
                + outcome.kind()
                + " "
                + outcome.reason());
      }
    }
    return applied;
  }
}
