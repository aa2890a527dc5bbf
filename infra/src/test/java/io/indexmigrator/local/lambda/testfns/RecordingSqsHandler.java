package io.indexmigrator.local.lambda.testfns;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends one line per record to the file in {@code RECORD_FILE} ({@code
 * body|receiveCount|messageGroupId|eventSource}) and reports every record whose body contains
 * "fail" as a batch item failure.
 */
public class RecordingSqsHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

  private final Path recordFile = Path.of(System.getenv("RECORD_FILE"));

  @Override
  public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
    List<String> lines = new ArrayList<>();
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    for (SQSEvent.SQSMessage message : event.getRecords()) {
      lines.add(
          message.getBody()
              + "|"
              + message.getAttributes().get("ApproximateReceiveCount")
              + "|"
              + message.getAttributes().get("MessageGroupId")
              + "|"
              + message.getEventSource());
      if (message.getBody().contains("fail")) {
        failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
      }
    }
    try {
      Files.write(
          recordFile,
          lines,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (lines.stream().anyMatch(line -> line.startsWith("crash"))) {
      throw new IllegalStateException("batch contains a crash record");
    }
    return new SQSBatchResponse(failures);
  }
}
