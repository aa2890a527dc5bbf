package io.indexmigrator.local.lambda;

import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangeEventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What {@link io.indexmigrator.local.lambda.testfns.TimedSqsHandler} logged, and the checks that
 * tell whether one document was ever processed by two invocations at once or out of order.
 *
 * @param invocations every logged invocation, by start time
 */
record ProcessingLog(List<Invocation> invocations) {

  /** One change event as an invocation received it. */
  record Delivery(String document, long sequence, int receiveCount, String messageGroupId) {}

  /**
   * One invocation: the interval its handler ran (wall-clock epoch microseconds) and its records in
   * batch order.
   */
  record Invocation(
      String id, long startMicros, long endMicros, String queueArn, List<Delivery> deliveries) {

    Invocation {
      if (endMicros < startMicros) {
        throw new IllegalArgumentException("Invocation " + id + " ends before it starts");
      }
      deliveries = List.copyOf(deliveries);
    }

    /** Whether both ran at some common instant; touching ends do not count. */
    boolean overlaps(Invocation other) {
      return startMicros < other.endMicros && other.startMicros < endMicros;
    }
  }

  /** A breach of "one document at a time, in order". */
  record Violation(String document, String problem) {}

  ProcessingLog {
    invocations =
        invocations.stream()
            .sorted(
                Comparator.comparingLong(Invocation::startMicros)
                    .thenComparingLong(Invocation::endMicros))
            .toList();
  }

  /**
   * Reads every complete invocation file ({@code *.log}) of a directory; bodies are parsed as
   * change events, {@code index/id} naming the document and {@code seqNo} giving its sequence
   * number.
   */
  static ProcessingLog read(Path dir) throws IOException {
    ChangeEventCodec codec = new ChangeEventCodec();
    Map<String, Invocation> byId = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
    }
    for (Path file : files) {
      List<Delivery> deliveries = new ArrayList<>();
      String[] first = null;
      for (String line : Files.readAllLines(file)) {
        String[] fields = line.split("\\|", 8);
        if (fields.length != 8) {
          throw new IllegalStateException("Malformed line in " + file + ": " + line);
        }
        if (first == null) {
          first = fields;
        }
        ChangeEvent event = codec.parse(fields[7]);
        deliveries.add(
            new Delivery(
                event.index() + "/" + event.id(),
                event.seqNo(),
                Integer.parseInt(fields[4]),
                "null".equals(fields[5]) ? null : fields[5]));
      }
      if (first != null) {
        byId.put(
            first[0],
            new Invocation(
                first[0],
                Long.parseLong(first[1]),
                Long.parseLong(first[2]),
                first[6],
                deliveries));
      }
    }
    return new ProcessingLog(List.copyOf(byId.values()));
  }

  /** The invocations of one event source (all records of a batch come from one queue). */
  ProcessingLog ofQueue(String queueArn) {
    return new ProcessingLog(
        invocations.stream().filter(i -> i.queueArn().equals(queueArn)).toList());
  }

  int deliveries() {
    return invocations.stream().mapToInt(i -> i.deliveries().size()).sum();
  }

  /** How often each event ({@code document#sequence}) was delivered. */
  Map<String, Integer> deliveriesPerEvent() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Invocation invocation : invocations) {
      for (Delivery delivery : invocation.deliveries()) {
        counts.merge(delivery.document() + "#" + delivery.sequence(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** The most invocations that ran at one instant. */
  int maxConcurrent() {
    // Sweep over start (+1) and end (-1) points; at equal times ends go first, as overlaps() has
    // it.
    List<long[]> points = new ArrayList<>();
    for (Invocation invocation : invocations) {
      points.add(new long[] {invocation.startMicros(), +1});
      points.add(new long[] {invocation.endMicros(), -1});
    }
    points.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
    int running = 0;
    int max = 0;
    for (long[] point : points) {
      running += (int) point[1];
      max = Math.max(max, running);
    }
    return max;
  }

  /** How many pairs of invocations, whatever they held, ran at a common instant. */
  int overlappingPairs() {
    int pairs = 0;
    for (int i = 0; i < invocations.size(); i++) {
      for (int j = i + 1; j < invocations.size(); j++) {
        if (invocations.get(i).overlaps(invocations.get(j))) {
          pairs++;
        }
      }
    }
    return pairs;
  }

  /**
   * Every document that two overlapping invocations both held, and every document whose sequence
   * numbers were not processed in strictly increasing order. Processing order is the order of the
   * invocations' starts, then the position in the batch; a redelivered event therefore also counts
   * as out of order.
   */
  List<Violation> perDocumentViolations() {
    Map<String, List<Invocation>> byDocument = new TreeMap<>();
    for (Invocation invocation : invocations) {
      invocation.deliveries().stream()
          .map(Delivery::document)
          .distinct()
          .forEach(d -> byDocument.computeIfAbsent(d, k -> new ArrayList<>()).add(invocation));
    }
    List<Violation> violations = new ArrayList<>();
    for (Map.Entry<String, List<Invocation>> entry : byDocument.entrySet()) {
      String document = entry.getKey();
      Invocation longest = null;
      long lastSequence = Long.MIN_VALUE;
      for (Invocation invocation : entry.getValue()) {
        // Sorted by start: overlapping any earlier one means overlapping the one that ends last.
        if (longest != null && invocation.startMicros() < longest.endMicros()) {
          violations.add(
              new Violation(
                  document,
                  "invocations "
                      + describe(longest)
                      + " and "
                      + describe(invocation)
                      + " held it at the same time"));
        }
        if (longest == null || invocation.endMicros() > longest.endMicros()) {
          longest = invocation;
        }
        for (Delivery delivery : invocation.deliveries()) {
          if (!delivery.document().equals(document)) {
            continue;
          }
          if (delivery.sequence() <= lastSequence) {
            violations.add(
                new Violation(
                    document,
                    "sequence "
                        + delivery.sequence()
                        + " processed after "
                        + lastSequence
                        + " (in "
                        + describe(invocation)
                        + ")"));
          }
          lastSequence = Math.max(lastSequence, delivery.sequence());
        }
      }
    }
    return violations;
  }

  private static String describe(Invocation invocation) {
    return invocation.id() + " [" + invocation.startMicros() + ".." + invocation.endMicros() + "]";
  }
}
