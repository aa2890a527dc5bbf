package io.indexmigrator.core.sync.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.events.ChangeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SeqNoPollerTest {
  private static final String RECIPE = "logs-recipe";
  private static final int GEN = 3;
  private static final String INDEX = "logs";
  private static final Duration LONG = Duration.ofMinutes(5);

  private final FakeShards shards = new FakeShards(INDEX, 3);
  private final InMemoryPollCheckpoints checkpoints = new InMemoryPollCheckpoints();
  private final AtomicLong clock = new AtomicLong();
  private final List<List<ChangeEvent>> pages = new ArrayList<>();

  private SeqNoPoller poller(int pageSize) {
    return new SeqNoPoller(shards, checkpoints, pageSize, clock::get);
  }

  private List<ChangeEvent> emitted() {
    return pages.stream().flatMap(List::stream).toList();
  }

  private PollResult pollUntilCaughtUp(SeqNoPoller poller, int maxDocs) {
    PollResult result;
    int rounds = 0;
    do {
      result = poller.poll(RECIPE, GEN, INDEX, maxDocs, LONG, pages::add);
      assertThat(++rounds).as("poll rounds").isLessThan(1_000);
    } while (result.moreRemaining());
    return result;
  }

  @Test
  void emitsExactlyTheWritesAfterBegin_inSeqNoOrderPerShard() {
    IntStream.range(0, 50).forEach(i -> shards.write("before-" + i));
    poller(7).begin(RECIPE, GEN, INDEX);
    IntStream.range(0, 200).forEach(i -> shards.write("after-" + i));

    PollResult result = pollUntilCaughtUp(poller(7), 1_000);

    assertThat(emitted()).extracting(ChangeEvent::id).doesNotHaveDuplicates().hasSize(200);
    assertThat(emitted()).allSatisfy(e -> assertThat(e.id()).startsWith("after-"));
    assertThat(emitted())
        .allSatisfy(
            e -> {
              assertThat(e.op()).isEqualTo(ChangeEvent.Op.INDEX);
              assertThat(e.index()).isEqualTo(INDEX);
              assertThat(e.seqNo()).isEqualTo(shards.liveDocuments().get(e.id()));
              assertThat(e.primaryTerm()).isEqualTo(1L);
            });
    for (List<ChangeEvent> page : pages) {
      assertThat(page).hasSizeLessThanOrEqualTo(7);
      assertThat(page)
          .extracting(e -> shards.shardOf(e.id()))
          .containsOnly(shards.shardOf(page.getFirst().id()));
    }
    Map<Integer, List<Long>> seqNosByShard = new HashMap<>();
    emitted()
        .forEach(
            e ->
                seqNosByShard
                    .computeIfAbsent(shards.shardOf(e.id()), s -> new ArrayList<>())
                    .add(e.seqNo()));
    seqNosByShard.values().forEach(seqNos -> assertThat(seqNos).isSorted());
    assertThat(result.documentsEmitted()).isEqualTo(200); // one poll: 200 is below maxDocs
    assertThat(checkpoints.load(RECIPE, GEN, INDEX)).isEqualTo(shards.shardCheckpoints(INDEX));
  }

  @Test
  void pollBeforeBegin_isRefusedWithTheReason() {
    shards.write("a");

    assertThatThrownBy(() -> poller(10).poll(RECIPE, GEN, INDEX, 10, LONG, pages::add))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no poll checkpoint for shard")
        .hasMessageContaining("begin()");
  }

  @Test
  void begin_keepsCheckpointsAlreadyStored() {
    poller(10).begin(RECIPE, GEN, INDEX);
    IntStream.range(0, 30).forEach(i -> shards.write("during-copy-" + i));

    poller(10).begin(RECIPE, GEN, INDEX); // a retried step must not skip the writes above
    pollUntilCaughtUp(poller(10), 100);

    assertThat(emitted()).hasSize(30);
  }

  @Test
  void anUpdatedDocumentIsEmittedOnceAtItsLatestSeqNo() {
    poller(10).begin(RECIPE, GEN, INDEX);
    shards.write("doc");
    shards.write("doc");
    long latest = shards.write("doc");

    pollUntilCaughtUp(poller(10), 100);

    assertThat(emitted())
        .extracting(ChangeEvent::id, ChangeEvent::seqNo)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("doc", latest));
  }

  @Test
  void gapsFromDeletesAndOverwrites_advanceTheCheckpointToTheGlobalCheckpoint() {
    poller(10).begin(RECIPE, GEN, INDEX);
    shards.write("x");
    shards.delete("x");
    shards.write("y");
    shards.write("y");
    shards.delete("y");
    int shardOfX = shards.shardOf("x");

    PollResult result = poller(10).poll(RECIPE, GEN, INDEX, 100, LONG, pages::add);

    assertThat(emitted()).isEmpty();
    assertThat(result.moreRemaining()).isFalse();
    PollResult.ShardPoll x = result.shards().get(shardOfX);
    assertThat(x.newCheckpoint())
        .isEqualTo(x.globalCheckpoint())
        .isGreaterThan(x.previousCheckpoint());
    assertThat(result.shards()).allMatch(PollResult.ShardPoll::caughtUp);
  }

  @Test
  void readsOnlyUpToTheGlobalCheckpoint_andPicksUpTheRestOnceItAdvances() {
    poller(10).begin(RECIPE, GEN, INDEX);
    List<String> ids = IntStream.range(0, 60).mapToObj(i -> "d" + i).toList();
    ids.forEach(shards::write);
    int shard = shards.shardOf("d0");
    long held = shards.shardCheckpoints(INDEX).get(shard) - 5;
    shards.holdGlobalCheckpoint(shard, held);

    pollUntilCaughtUp(poller(10), 1_000);

    assertThat(emitted())
        .filteredOn(e -> shards.shardOf(e.id()) == shard)
        .allSatisfy(e -> assertThat(e.seqNo()).isLessThanOrEqualTo(held));
    assertThat(checkpoints.load(RECIPE, GEN, INDEX).get(shard)).isEqualTo(held);

    shards.holdGlobalCheckpoint(shard, null);
    pollUntilCaughtUp(poller(10), 1_000);

    assertThat(emitted())
        .extracting(ChangeEvent::id)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void maxDocs_boundsAPoll_andShardsTakeTurns() {
    poller(5).begin(RECIPE, GEN, INDEX);
    IntStream.range(0, 300).forEach(i -> shards.write("d" + i));

    PollResult first = poller(5).poll(RECIPE, GEN, INDEX, 23, LONG, pages::add);

    assertThat(first.documentsEmitted()).isEqualTo(23);
    assertThat(emitted()).hasSize(23);
    assertThat(first.moreRemaining()).isTrue();
    assertThat(first.shards()).allSatisfy(s -> assertThat(s.documentsEmitted()).isPositive());
    assertThat(first.shards()).allSatisfy(s -> assertThat(s.caughtUp()).isFalse());
    assertThat(checkpoints.load(RECIPE, GEN, INDEX).values())
        .containsExactlyElementsOf(
            first.shards().stream().map(PollResult.ShardPoll::newCheckpoint).toList());

    pollUntilCaughtUp(poller(5), 23);

    assertThat(emitted()).extracting(ChangeEvent::id).doesNotHaveDuplicates().hasSize(300);
  }

  @Test
  void maxTime_boundsAPoll() {
    poller(4).begin(RECIPE, GEN, INDEX);
    IntStream.range(0, 100).forEach(i -> shards.write("d" + i));
    shards.beforeSearch = () -> clock.addAndGet(Duration.ofMillis(100).toNanos());

    PollResult result =
        poller(4).poll(RECIPE, GEN, INDEX, 1_000, Duration.ofMillis(250), pages::add);

    assertThat(shards.searches).isEqualTo(3);
    assertThat(result.documentsEmitted()).isEqualTo(12);
    assertThat(result.moreRemaining()).isTrue();
    assertThat(result.elapsed()).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void unrefreshedWrites_areNotSkipped() {
    // Nothing is searchable until a refresh, as with index.refresh_interval: -1.
    poller(10).begin(RECIPE, GEN, INDEX);
    IntStream.range(0, 40).forEach(i -> shards.write("d" + i));

    pollUntilCaughtUp(poller(10), 1_000);

    assertThat(emitted()).hasSize(40);
  }

  @Test
  void aWriteLandingDuringTheRefresh_isPolledLater_notSkipped() {
    // If the poller refreshed before reading the global checkpoints, this write would sit below
    // the checkpoint it reads yet be invisible, and the checkpoint would move past it for good.
    poller(10).begin(RECIPE, GEN, INDEX);
    IntStream.range(0, 10).forEach(i -> shards.write("d" + i));
    AtomicLong late = new AtomicLong();
    shards.afterRefresh(() -> shards.write("late-" + late.incrementAndGet()));

    poller(10).poll(RECIPE, GEN, INDEX, 1_000, LONG, pages::add);
    shards.afterRefresh(() -> {});
    pollUntilCaughtUp(poller(10), 1_000);

    assertThat(emitted())
        .extracting(ChangeEvent::id)
        .contains("late-1")
        .hasSize(10 + (int) late.get());
  }

  @Test
  void aFailingSink_leavesThePageToBeEmittedAgain() {
    poller(10).begin(RECIPE, GEN, INDEX);
    IntStream.range(0, 5).forEach(i -> shards.write("d" + i));
    Map<Integer, Long> before = checkpoints.load(RECIPE, GEN, INDEX);

    assertThatThrownBy(
            () ->
                poller(10)
                    .poll(
                        RECIPE,
                        GEN,
                        INDEX,
                        100,
                        LONG,
                        page -> {
                          throw new IllegalStateException("queue unavailable");
                        }))
        .hasMessage("queue unavailable");
    assertThat(checkpoints.load(RECIPE, GEN, INDEX)).isEqualTo(before);

    pollUntilCaughtUp(poller(10), 100);
    assertThat(emitted()).hasSize(5);
  }

  @Test
  void aStoredCheckpointAboveTheGlobalCheckpoint_meansTheIndexWasReplaced() {
    poller(10).begin(RECIPE, GEN, INDEX);
    checkpoints.advance(RECIPE, GEN, INDEX, 1, 500);

    assertThatThrownBy(() -> poller(10).poll(RECIPE, GEN, INDEX, 100, LONG, pages::add))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("above its global checkpoint");
  }

  @Test
  void anIdlePoll_doesNotRefresh() {
    poller(10).begin(RECIPE, GEN, INDEX);
    int refreshes = shards.refreshes;

    PollResult result = poller(10).poll(RECIPE, GEN, INDEX, 100, LONG, pages::add);

    assertThat(shards.refreshes).isEqualTo(refreshes);
    assertThat(result.moreRemaining()).isFalse();
    assertThat(shards.searches).isZero();
  }

  @Test
  void badLimits_areRefused() {
    assertThatThrownBy(() -> poller(0)).hasMessageContaining("pageSize");
    assertThatThrownBy(() -> poller(10).poll(RECIPE, GEN, INDEX, 0, LONG, pages::add))
        .hasMessageContaining("maxDocs");
  }
}
