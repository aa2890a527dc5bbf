package io.indexmigrator.core.sync.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryPollCheckpointsTest {

  private final InMemoryPollCheckpoints checkpoints = new InMemoryPollCheckpoints();

  @Test
  void advance_neverMovesBackwards() {
    checkpoints.advance("r", 1, "logs", 0, 10);
    checkpoints.advance("r", 1, "logs", 0, 7);
    checkpoints.advance("r", 1, "logs", 1, -1);
    checkpoints.advance("r", 1, "logs", 1, 3);

    assertThat(checkpoints.load("r", 1, "logs")).isEqualTo(Map.of(0, 10L, 1, 3L));
  }

  @Test
  void load_separatesRecipesGenerationsAndIndexes() {
    checkpoints.advance("r", 1, "logs", 0, 10);
    checkpoints.advance("r", 2, "logs", 0, 20);
    checkpoints.advance("r", 1, "metrics", 0, 30);
    checkpoints.advance("other", 1, "logs", 0, 40);

    assertThat(checkpoints.load("r", 1, "logs")).isEqualTo(Map.of(0, 10L));
    assertThat(checkpoints.load("r", 3, "logs")).isEmpty();
  }
}
