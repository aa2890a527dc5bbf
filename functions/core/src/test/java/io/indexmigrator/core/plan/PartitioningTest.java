package io.indexmigrator.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.indexmigrator.core.search.InMemorySearchCluster;
import java.math.BigDecimal;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PartitioningTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> boundaries(Partitioning p) {
    return p.boundaries().stream().map(BigDecimal::toPlainString).toList();
  }

  @Test
  void wholeNumbers_areSplitIntoEqualRanges_withWholeBoundaries() {
    Partitioning p = Partitioning.evenly("n", false, true, 0, 1000, 4);

    assertThat(boundaries(p)).containsExactly("250", "500", "750");
    assertThat(p.parts()).isEqualTo(4);
    assertThat(p.query(2).toString()).isEqualTo("{\"range\":{\"n\":{\"gte\":500,\"lt\":750}}}");
    assertThat(p.query(3).toString()).isEqualTo("{\"range\":{\"n\":{\"gte\":750}}}");
  }

  @Test
  void theFirstPart_isOpenBelow_andTakesTheDocumentsWithoutTheField() {
    ObjectNode first = Partitioning.evenly("n", false, true, 0, 1000, 4).query(0);

    assertThat(first.toString())
        .isEqualTo(
            "{\"bool\":{\"should\":[{\"range\":{\"n\":{\"lt\":250}}},"
                + "{\"bool\":{\"must_not\":{\"exists\":{\"field\":\"n\"}}}}],"
                + "\"minimum_should_match\":1}}");
  }

  @Test
  void dates_areEpochMilliseconds_andTheQueriesSaySo() {
    Partitioning p = Partitioning.evenly("at", true, false, 1.6e12, 1.7e12, 2);

    assertThat(boundaries(p)).containsExactly("1650000000000");
    assertThat(p.query(1).toString())
        .isEqualTo("{\"range\":{\"at\":{\"gte\":1650000000000,\"format\":\"epoch_millis\"}}}");
  }

  @Test
  void fewerDistinctValuesThanParts_giveFewerParts_andNoSpreadGivesOne() {
    assertThat(boundaries(Partitioning.evenly("n", false, true, 1, 3, 8)))
        .containsExactly("2", "3");
    Partitioning single = Partitioning.evenly("n", false, true, 5, 5, 8);
    assertThat(single.parts()).isEqualTo(1);
    assertThat(single.query(0)).as("everything").isNull();
    assertThatThrownBy(() -> single.query(1)).hasMessageContaining("no part 1 of 1");
  }

  @Test
  void fractions_keepTheirFractionalBoundaries() {
    assertThat(boundaries(Partitioning.evenly("score", false, false, 0, 1, 4)))
        .containsExactly("0.25", "0.5", "0.75");
  }

  @Test
  void everyValue_andNoValue_fallsInExactlyOnePart() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 50; round++) {
      double a = random.nextDouble(-1e6, 1e6);
      double b = a + random.nextDouble(0, 1e6);
      boolean whole = random.nextBoolean();
      Partitioning p =
          Partitioning.fromJson(
              Partitioning.evenly("v", false, whole, a, b, 2 + random.nextInt(20)).toJson());
      for (int i = 0; i < 200; i++) {
        // Values outside the planned span too: documents written after init.
        double value = random.nextDouble(a - 1e5, b + 1e5);
        if (whole) {
          value = Math.rint(value);
        }
        var doc = JSON.readTree(i == 0 ? "{}" : "{\"v\":" + value + "}");
        int matching = 0;
        for (int part = 0; part < p.parts(); part++) {
          if (InMemorySearchCluster.matches(p.query(part), doc)) {
            matching++;
          }
        }
        assertThat(matching).as("parts holding %s of %s", doc, p.boundaries()).isEqualTo(1);
      }
    }
  }

  @Test
  void json_roundTripsExactly_andBadTextIsRefused() {
    Partitioning p = Partitioning.evenly("a.b", true, false, 10, 1e13, 5);

    assertThat(Partitioning.fromJson(p.toJson())).isEqualTo(p);
    assertThat(Partitioning.fromJson(Partitioning.evenly("x", false, false, 0.1, 0.7, 3).toJson()))
        .isEqualTo(Partitioning.evenly("x", false, false, 0.1, 0.7, 3));
    assertThatThrownBy(() -> Partitioning.fromJson("{\"field\":\"a\"}"))
        .hasMessageContaining("not a partitioning");
    assertThatThrownBy(
            () -> Partitioning.fromJson("{\"field\":\"a\",\"date\":false,\"boundaries\":[3,2]}"))
        .hasMessageContaining("must increase");
  }
}
