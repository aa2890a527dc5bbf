package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExecutionNamesTest {
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @Test
  void twoStartsInTheSameMillisecondGetDifferentNames() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      names.add(ExecutionNames.unique("records", "rollover", NOW, ExecutionNames.MAX));
    }
    assertThat(names).hasSize(1000);
  }

  @Test
  void longOrOddRecipeNamesStayWithinTheLimitAndTheAllowedCharacters() {
    String recipe = "tenant.a/" + "x".repeat(120);
    String name = ExecutionNames.unique(recipe, "g3", NOW, ExecutionNames.MAX_RUN);
    assertThat(name).hasSizeLessThanOrEqualTo(70).matches("[A-Za-z0-9_-]+");
    assertThat(name).startsWith("tenant-a-x").contains("-g3-" + NOW.toEpochMilli() + "-");
    assertThat(ExecutionNames.unique(recipe, "rollover", NOW, ExecutionNames.MAX))
        .hasSizeLessThanOrEqualTo(80);
  }
}
