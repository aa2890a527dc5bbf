package io.indexmigrator.core.sync.poll;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** {@link PollCheckpoints} held in memory, for tests and local runs; thread-safe. */
public final class InMemoryPollCheckpoints implements PollCheckpoints {

  private record Key(String recipe, int generation, String index, int shard) {}

  private final Map<Key, Long> checkpoints = new ConcurrentHashMap<>();

  @Override
  public Map<Integer, Long> load(String recipe, int generation, String index) {
    Map<Integer, Long> found = new TreeMap<>();
    checkpoints.forEach(
        (key, seqNo) -> {
          if (key.recipe().equals(recipe)
              && key.generation() == generation
              && key.index().equals(index)) {
            found.put(key.shard(), seqNo);
          }
        });
    return found;
  }

  @Override
  public void advance(String recipe, int generation, String index, int shard, long seqNo) {
    checkpoints.merge(new Key(recipe, generation, index, shard), seqNo, Math::max);
  }
}
