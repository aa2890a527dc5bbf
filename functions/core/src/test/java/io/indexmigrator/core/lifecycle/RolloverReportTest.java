package io.indexmigrator.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloverReportTest {
  private static Map<String, Long> window() {
    Map<String, Long> steps = new LinkedHashMap<>();
    steps.put("block", 120L);
    steps.put("drain", 5L);
    steps.put("delta", 80L);
    steps.put("verify", 30L);
    steps.put("fence", 20L);
    steps.put("swap", 90L);
    steps.put("unblock", 110L);
    return steps;
  }

  @Test
  void aSwappedRollover_refusedAliasWritesOnlyUntilTheSwap() throws Exception {
    RolloverReport report =
        new RolloverReport("r", true, "count", List.of(), 455, List.of(), 0, window(), "ok");

    assertThat(report.aliasWritesBlockedMillis()).isEqualTo(345);
    // Printed by rollover --json next to writeBlockedMillis.
    assertThat(new ObjectMapper().valueToTree(report).path("aliasWritesBlockedMillis").asLong())
        .isEqualTo(345);
  }

  @Test
  void aRolloverThatDidNotSwap_keptTheAliasesOnTheBlockedSources() {
    Map<String, Long> steps = new LinkedHashMap<>(window());
    steps.remove("swap");
    steps.remove("unblock");
    RolloverReport failed =
        new RolloverReport("r", false, "count", List.of(), 400, List.of(), 0, steps, "failed");

    assertThat(failed.aliasWritesBlockedMillis()).isEqualTo(400);
    assertThat(
            new RolloverReport("r", false, "count", List.of(), 0, List.of(), 0, null, "refused")
                .aliasWritesBlockedMillis())
        .isZero();
  }
}
