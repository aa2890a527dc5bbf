package io.indexmigrator.core.sync.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.state.LocalDynamo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link DynamoPollCheckpoints} on DynamoDB Local, a fresh state-shaped table per test. */
class DynamoPollCheckpointsIT {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static LocalDynamo dynamo;

  private String table;
  private DynamoPollCheckpoints checkpoints;

  @BeforeAll
  static void startDynamo() throws Exception {
    dynamo = LocalDynamo.start();
  }

  @AfterAll
  static void stopDynamo() {
    if (dynamo != null) {
      dynamo.close();
    }
  }

  @BeforeEach
  void newTable() {
    table = "poll-" + TABLES.incrementAndGet();
    dynamo.createStateTable(table);
    checkpoints = new DynamoPollCheckpoints(dynamo.client(), table);
  }

  @Test
  void advance_neverMovesBackwards() {
    checkpoints.advance("r", 1, "logs", 0, 10);
    checkpoints.advance("r", 1, "logs", 0, 7);
    checkpoints.advance("r", 1, "logs", 0, 10);
    checkpoints.advance("r", 1, "logs", 2, -1);
    checkpoints.advance("r", 1, "logs", 2, 41);

    assertThat(checkpoints.load("r", 1, "logs")).isEqualTo(Map.of(0, 10L, 2, 41L));
  }

  @Test
  void items_useTheDocumentedKeys() {
    checkpoints.advance("orders", 12, "logs-2024", 3, 99);

    Map<String, AttributeValue> item =
        dynamo
            .client()
            .getItem(
                r ->
                    r.tableName(table)
                        .key(
                            Map.of(
                                "pk", AttributeValue.fromS("recipe#orders"),
                                "sk", AttributeValue.fromS("g0012#poll#logs-2024#0003"))))
            .item();
    assertThat(item.get("seqNo").n()).isEqualTo("99");
  }

  @Test
  void load_separatesGenerationsAndIndexesSharingAPrefix() {
    checkpoints.advance("r", 1, "logs", 0, 10);
    checkpoints.advance("r", 1, "logs-old", 0, 20);
    checkpoints.advance("r", 2, "logs", 0, 30);
    checkpoints.advance("s", 1, "logs", 0, 40);

    assertThat(checkpoints.load("r", 1, "logs")).isEqualTo(Map.of(0, 10L));
    assertThat(checkpoints.load("r", 3, "logs")).isEmpty();
  }

  @Test
  void concurrentAdvances_keepTheHighest() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long seqNo = (i * 37L) % 200;
      calls.add(pool.submit(() -> checkpoints.advance("r", 1, "logs", 5, seqNo)));
    }
    for (Future<?> call : calls) {
      call.get();
    }
    pool.shutdown();

    assertThat(checkpoints.load("r", 1, "logs")).isEqualTo(Map.of(5, 199L));
  }

  @Test
  void anIndexNameWithHash_isRefused() {
    assertThatThrownBy(() -> checkpoints.advance("r", 1, "a#b", 0, 1))
        .hasMessageContaining("'a#b' is not an index name");
  }
}
