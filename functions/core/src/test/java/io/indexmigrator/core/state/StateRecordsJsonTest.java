package io.indexmigrator.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** State records travel through Step Functions payloads and the CLI as JSON. */
class StateRecordsJsonTest {
  private final ObjectMapper json =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  @Test
  void jackson_shouldRoundTripEveryRecord_whenAllFieldsAreSet() throws Exception {
    // GIVEN one record of each kind with its optional fields set
    Instant at = Instant.parse("2026-11-24T10:00:00Z");
    RecipeRef ref = new RecipeRef("orders", 3);
    var recipe =
        new RecipeRecord("orders", 3, "{\"a\":1}", RecipeStatus.SYNCING, "arn:x", "why", at, at, 7);
    var index =
        IndexRecord.planned(
            ref,
            "src",
            "dst",
            List.of(new AliasSpec("al", "{\"term\":{}}", "r", "ir", "sr", true)),
            true,
            "indexes[0]",
            "{\"index.refresh_interval\":\"1s\"}",
            2,
            10);
    var slice =
        new SliceRecord(
            "orders",
            3,
            "src",
            1,
            2,
            "n:1",
            SliceStatus.RUNNING,
            new SliceProgress(10, 5, 1, 0, 2, 3, 1, List.of("boom")),
            2,
            at,
            at,
            null,
            "e",
            "{\"kind\":\"SCROLL\"}",
            4);
    var rollover = RolloverRecord.blocked(ref, at).withUnblocked(at.plusMillis(5), 3);
    // WHEN written and read back THEN they are equal
    for (Object record : List.of(recipe, index, slice, rollover)) {
      String text = json.writeValueAsString(record);
      assertThat(json.readValue(text, record.getClass())).as(text).isEqualTo(record);
    }
    assertThat(json.writeValueAsString(recipe)).contains("\"updatedAt\":\"2026-11-24T10:00:00Z\"");
    assertThat(json.writeValueAsString(index)).doesNotContain("\"recipe\"");
  }
}
