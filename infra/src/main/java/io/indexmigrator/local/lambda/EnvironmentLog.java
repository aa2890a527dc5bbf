package io.indexmigrator.local.lambda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution environment's log, the local counterpart of its CloudWatch log stream: the child
 * JVM appends its output, and the host adds the platform's START, END and REPORT lines around each
 * invocation. Both sides open the file for append, so their lines never overwrite each other.
 */
final class EnvironmentLog {

  /** Lambda returns at most the last 4 KB of an invocation's log with {@code LogType: Tail}. */
  static final int TAIL_BYTES = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(EnvironmentLog.class);

  private final Path file;

  private EnvironmentLog(Path file) {
    this.file = file;
  }

  /**
   * Starts an empty log: a new host numbers environments from 1 again and must not continue old
   * logs.
   */
  static EnvironmentLog create(Path file) throws IOException {
    Files.deleteIfExists(file);
    return new EnvironmentLog(file);
  }

  Path file() {
    return file;
  }

  /** The current end of the log, from where an invocation's tail is later read. */
  long mark() {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  void start(String requestId) {
    append("START RequestId: " + requestId + " Version: $LATEST\n");
  }

  /**
   * Writes END and REPORT.
   *
   * @param maxMemoryMb the environment's peak memory, or negative if unknown
   * @param initDurationMs the init duration on an environment's first invocation, else negative
   * @param errorType the platform error that ended the invocation (timeout, crash), or {@code null}
   */
  void end(
      String requestId,
      double durationMs,
      int memorySizeMb,
      long maxMemoryMb,
      long initDurationMs,
      String errorType) {
    StringBuilder report =
        new StringBuilder()
            .append("END RequestId: ")
            .append(requestId)
            .append("\nREPORT RequestId: ")
            .append(requestId)
            .append(String.format(Locale.ROOT, "\tDuration: %.2f ms", durationMs))
            .append("\tBilled Duration: ")
            .append((long) Math.ceil(durationMs))
            .append(" ms\tMemory Size: ")
            .append(memorySizeMb)
            .append(" MB");
    if (maxMemoryMb >= 0) {
      report.append("\tMax Memory Used: ").append(maxMemoryMb).append(" MB");
    }
    if (initDurationMs >= 0) {
      report.append(
          String.format(Locale.ROOT, "\tInit Duration: %.2f ms", (double) initDurationMs));
    }
    if ("Sandbox.Timedout".equals(errorType)) {
      report.append("\tStatus: timeout");
    } else if (errorType != null) {
      report.append("\tStatus: error\tError Type: ").append(errorType);
    }
    append(report.append('\n').toString());
  }

  /** The log since {@code mark}, at most its last {@link #TAIL_BYTES}. */
  byte[] tail(long mark) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long start = Math.max(mark, channel.size() - TAIL_BYTES);
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, channel.size() - start));
      channel.read(buffer, start);
      return buffer.array();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private void append(String text) {
    try {
      // LambdaLogger.log does not end lines; platform lines must still start on their own.
      if (!endsWithNewline()) {
        text = "\n" + text;
      }
      Files.writeString(
          file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      LOG.debug("Cannot write to {}: {}", file, e.toString());
    }
  }

  private boolean endsWithNewline() throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (channel.size() == 0) {
        return true;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      channel.read(last, channel.size() - 1);
      return last.get(0) == '\n';
    } catch (NoSuchFileException e) {
      return true;
    }
  }
}
