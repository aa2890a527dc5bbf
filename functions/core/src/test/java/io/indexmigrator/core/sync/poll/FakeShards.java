package io.indexmigrator.core.sync.poll;

import io.indexmigrator.core.search.SearchCluster.SeqNoHit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One index's shards as the poller sees them: each write takes the shard's next {@code _seq_no}, an
 * update replaces the document's older version, a delete removes it, and search sees only what the
 * last refresh made visible. Each shard's global checkpoint follows its writes unless held back
 * (operations not yet on every in-sync copy).
 */
final class FakeShards implements SeqNoSource {

  private final String index;
  private final List<Shard> shards = new ArrayList<>();
  private Runnable afterRefresh = () -> {};
  int refreshes;
  int searches;
  Runnable beforeSearch = () -> {};

  private static final class Shard {
    long nextSeqNo;
    Long heldGlobalCheckpoint;
    final Map<String, Long> live = new HashMap<>();
    Map<String, Long> searchable = new HashMap<>();
  }

  FakeShards(String index, int shardCount) {
    this.index = index;
    for (int i = 0; i < shardCount; i++) {
      shards.add(new Shard());
    }
  }

  int shardOf(String id) {
    return Math.floorMod(id.hashCode(), shards.size());
  }

  /** Indexes (creates or updates) a document; returns its {@code _seq_no}. */
  synchronized long write(String id) {
    Shard shard = shards.get(shardOf(id));
    long seqNo = shard.nextSeqNo++;
    shard.live.put(id, seqNo);
    return seqNo;
  }

  synchronized void delete(String id) {
    Shard shard = shards.get(shardOf(id));
    shard.nextSeqNo++;
    shard.live.remove(id);
  }

  /** Keeps the shard's global checkpoint at {@code seqNo} until released with null. */
  synchronized void holdGlobalCheckpoint(int shard, Long seqNo) {
    shards.get(shard).heldGlobalCheckpoint = seqNo;
  }

  void afterRefresh(Runnable hook) {
    this.afterRefresh = hook;
  }

  /** The live documents with their latest {@code _seq_no}, all shards. */
  synchronized Map<String, Long> liveDocuments() {
    Map<String, Long> all = new TreeMap<>();
    shards.forEach(s -> all.putAll(s.live));
    return all;
  }

  @Override
  public synchronized Map<Integer, Long> shardCheckpoints(String index) {
    checkIndex(index);
    Map<Integer, Long> checkpoints = new TreeMap<>();
    for (int i = 0; i < shards.size(); i++) {
      Shard shard = shards.get(i);
      checkpoints.put(
          i, shard.heldGlobalCheckpoint != null ? shard.heldGlobalCheckpoint : shard.nextSeqNo - 1);
    }
    return checkpoints;
  }

  @Override
  public void refresh(String index) {
    synchronized (this) {
      checkIndex(index);
      refreshes++;
      shards.forEach(s -> s.searchable = new HashMap<>(s.live));
    }
    afterRefresh.run();
  }

  @Override
  public List<SeqNoHit> searchBySeqNo(
      String index, int shard, long aboveSeqNo, long atMostSeqNo, int size) {
    beforeSearch.run();
    synchronized (this) {
      checkIndex(index);
      searches++;
      return shards.get(shard).searchable.entrySet().stream()
          .filter(e -> e.getValue() > aboveSeqNo && e.getValue() <= atMostSeqNo)
          .sorted(Map.Entry.comparingByValue(Comparator.naturalOrder()))
          .limit(size)
          .map(e -> new SeqNoHit(e.getKey(), e.getValue(), 1, null))
          .toList();
    }
  }

  private void checkIndex(String requested) {
    if (!requested.equals(index)) {
      throw new IllegalArgumentException("no index " + requested);
    }
  }
}
