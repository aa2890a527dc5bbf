package io.indexmigrator.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.indexmigrator.local.lambda.ProcessingLog.Delivery;
import io.indexmigrator.local.lambda.ProcessingLog.Invocation;
import io.indexmigrator.local.lambda.ProcessingLog.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks FifoOrderingIT relies on must be able to say no. */
class ProcessingLogTest {

  static final String QUEUE = "arn:aws:sqs:us-east-1:000000000000:q";

  @Test
  void sequentialInvocationsOfOneDocumentPass() {
    ProcessingLog log =
        new ProcessingLog(
            List.of(
                invocation("a", 0, 100, delivery("orders/1", 1), delivery("orders/2", 1)),
                invocation("b", 50, 150, delivery("orders/3", 1)),
                invocation("c", 100, 200, delivery("orders/1", 2), delivery("orders/1", 3))));

    assertThat(log.perDocumentViolations()).isEmpty();
    assertThat(log.maxConcurrent()).isEqualTo(2);
    // a-b and b-c overlap; a ends exactly when c starts, which is not an overlap.
    assertThat(log.overlappingPairs()).isEqualTo(2);
  }

  @Test
  void twoInvocationsHoldingOneDocumentAtOnceAreFound() {
    ProcessingLog log =
        new ProcessingLog(
            List.of(
                invocation("a", 0, 100, delivery("orders/1", 1)),
                invocation("b", 10, 20, delivery("orders/2", 1)),
                invocation("c", 99, 200, delivery("orders/1", 2))));

    assertThat(log.perDocumentViolations())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.document()).isEqualTo("orders/1");
              assertThat(v.problem()).contains("a [0..100]").contains("c [99..200]");
            });
  }

  @Test
  void anOverlapWithAnyEarlierInvocationIsFoundNotOnlyWithTheLastOne() {
    // c starts after b ends but before a (which started first and runs longest) ends.
    ProcessingLog log =
        new ProcessingLog(
            List.of(
                invocation("a", 0, 500, delivery("orders/1", 1)),
                invocation("b", 10, 20, delivery("orders/1", 2)),
                invocation("c", 30, 40, delivery("orders/1", 3))));

    assertThat(log.perDocumentViolations())
        .extracting(Violation::problem)
        .hasSize(2)
        .allMatch(p -> p.startsWith("invocations a "));
    assertThat(log.maxConcurrent()).isEqualTo(2);
  }

  @Test
  void sequenceNumbersOutOfOrderAreFoundAcrossAndWithinBatches() {
    ProcessingLog log =
        new ProcessingLog(
            List.of(
                invocation("a", 0, 10, delivery("orders/1", 2)),
                invocation("b", 20, 30, delivery("orders/1", 1)),
                invocation("c", 40, 50, delivery("orders/2", 5), delivery("orders/2", 4))));

    assertThat(log.perDocumentViolations())
        .containsExactly(
            new Violation("orders/1", "sequence 1 processed after 2 (in b [20..30])"),
            new Violation("orders/2", "sequence 4 processed after 5 (in c [40..50])"));
  }

  @Test
  void aRedeliveredEventCountsTwiceAndAsOutOfOrder() {
    ProcessingLog log =
        new ProcessingLog(
            List.of(
                invocation("a", 0, 10, delivery("orders/1", 1)),
                invocation("b", 20, 30, delivery("orders/1", 1))));

    assertThat(log.deliveriesPerEvent()).containsEntry("orders/1#1", 2);
    assertThat(log.perDocumentViolations()).hasSize(1);
  }

  @Test
  void readsInvocationFilesAndSkipsOnesStillBeingWritten(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("x.log"),
        "x|100|200|0|1|orders/7|"
            + QUEUE
            + "|{\"index\":\"orders\",\"id\":\"7\",\"op\":\"index\",\"seqNo\":3,\"primaryTerm\":1}\n"
            + "x|100|200|1|2|null|"
            + QUEUE
            + "|{\"index\":\"orders\",\"id\":\"8\",\"op\":\"delete\",\"seqNo\":4,\"primaryTerm\":1}\n");
    Files.writeString(dir.resolve("y.partial"), "y|1|2|0|1|null|" + QUEUE + "|{\n");

    ProcessingLog log = ProcessingLog.read(dir);

    assertThat(log.invocations())
        .containsExactly(
            new Invocation(
                "x",
                100,
                200,
                QUEUE,
                List.of(
                    new Delivery("orders/7", 3, 1, "orders/7"),
                    new Delivery("orders/8", 4, 2, null))));
    assertThat(log.ofQueue("arn:aws:sqs:us-east-1:000000000000:other").invocations()).isEmpty();
  }

  private static Invocation invocation(String id, long start, long end, Delivery... deliveries) {
    return new Invocation(id, start, end, QUEUE, List.of(deliveries));
  }

  private static Delivery delivery(String document, long sequence) {
    return new Delivery(document, sequence, 1, document);
  }
}
