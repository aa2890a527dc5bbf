package io.indexmigrator.core.sync.poll;

import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.search.SearchCluster.SeqNoHit;
import java.util.List;
import java.util.Map;

/**
 * The three cluster calls {@link SeqNoPoller} needs, so the poller can be tested against a small
 * fake that models shards, sequence numbers and refresh visibility. See the methods of the same
 * names on {@link SearchCluster}.
 */
public interface SeqNoSource {

  /** See {@link SearchCluster#shardCheckpoints(String)}. */
  Map<Integer, Long> shardCheckpoints(String index);

  /** See {@link SearchCluster#refresh(String)}. */
  void refresh(String index);

  /** See {@link SearchCluster#searchBySeqNo(String, int, long, long, int)}. */
  List<SeqNoHit> searchBySeqNo(
      String index, int shard, long aboveSeqNo, long atMostSeqNo, int size);

  /** Reads through a real cluster. */
  static SeqNoSource of(SearchCluster cluster) {
    return new SeqNoSource() {
      @Override
      public Map<Integer, Long> shardCheckpoints(String index) {
        return cluster.shardCheckpoints(index);
      }

      @Override
      public void refresh(String index) {
        cluster.refresh(index);
      }

      @Override
      public List<SeqNoHit> searchBySeqNo(
          String index, int shard, long aboveSeqNo, long atMostSeqNo, int size) {
        return cluster.searchBySeqNo(index, shard, aboveSeqNo, atMostSeqNo, size);
      }
    };
  }
}
