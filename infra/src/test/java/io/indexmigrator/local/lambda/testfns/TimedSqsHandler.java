package io.indexmigrator.local.lambda.testfns;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Records when each invocation ran and which messages it held, so a test can tell whether two
 * invocations touched one document at the same time.
 *
 * <p>Every invocation writes one file {@code <uuid>.log} into the directory in {@code LOG_DIR}, one
 * line per record in batch order:
 *
 * <pre>invocation|startMicros|endMicros|position|receiveCount|messageGroupId|eventSourceARN|body
 * </pre>
 *
 * <p>Times are wall-clock microseconds since the epoch, comparable across the child JVMs of one
 * machine. The file is written under a temporary name and renamed, so a reader never sees half of
 * it; one file per invocation needs no lock between JVMs. Each record sleeps 20 to 80 ms so that
 * invocations are long enough to overlap when the event source lets them.
 */
public class TimedSqsHandler implements RequestHandler<SQSEvent, Void> {

  private final Path logDir = Path.of(System.getenv("LOG_DIR"));

  @Override
  public Void handleRequest(SQSEvent event, Context context) {
    String invocation = UUID.randomUUID().toString();
    long start = epochMicros();
    for (int i = 0; i < event.getRecords().size(); i++) {
      try {
        Thread.sleep(ThreadLocalRandom.current().nextLong(20, 81));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while processing", e);
      }
    }
    long end = epochMicros();
    List<String> lines = new ArrayList<>();
    List<SQSEvent.SQSMessage> records = event.getRecords();
    for (int position = 0; position < records.size(); position++) {
      SQSEvent.SQSMessage message = records.get(position);
      lines.add(
          String.join(
              "|",
              invocation,
              Long.toString(start),
              Long.toString(end),
              Integer.toString(position),
              String.valueOf(message.getAttributes().get("ApproximateReceiveCount")),
              String.valueOf(message.getAttributes().get("MessageGroupId")),
              message.getEventSourceArn(),
              message.getBody()));
    }
    try {
      Path partial = logDir.resolve(invocation + ".partial");
      Files.write(partial, lines, StandardCharsets.UTF_8);
      Files.move(partial, logDir.resolve(invocation + ".log"), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return null;
  }

  private static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
