package io.indexmigrator.local.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lambda's SQS event-source mapping for one queue: receive, gather a batch, invoke the function
 * synchronously, delete what succeeded.
 *
 * <p>Failed messages are left alone: they reappear after the queue's visibility timeout and the
 * queue's redrive policy moves them to the dead-letter queue, exactly as on AWS.
 *
 * <p>A queue gets several pollers (up to the function's concurrency and the mapping's {@code
 * ScalingConfig.MaximumConcurrency}, at most {@link #MAX_POLLERS}); each invokes synchronously, so
 * the mapping never runs more invocations at once than it has pollers. Batches run in parallel as
 * they do on Lambda, which scales a FIFO queue by its active message groups. Order within a group
 * still holds: SQS keeps a message group out of other receives while any of its messages is in
 * flight, and nothing here makes records visible early except when handing back a batch that was
 * never invoked.
 */
final class SqsEventSourcePoller implements AutoCloseable {

  /**
   * Long-poll wait while nothing is gathered yet. Shorter than Lambda's 20 s so that disabling and
   * closing take effect quickly.
   */
  static final int IDLE_WAIT_SECONDS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(SqsEventSourcePoller.class);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);

  /** Lambda starts an SQS mapping with five concurrent pollers. */
  static final int MAX_POLLERS = 5;

  private final FunctionPool pool;
  private final SqsClient sqs;
  private final Object settingsChanged = new Object();
  private final List<Thread> threads = new ArrayList<>();
  private volatile SqsEventSource source;
  private volatile Instant lastModified = Instant.now();
  private volatile boolean stopped;
  private final AtomicInteger busyPollers = new AtomicInteger();

  SqsEventSourcePoller(SqsEventSource source, FunctionPool pool, SqsClient sqs) {
    this.source = source;
    this.pool = pool;
    this.sqs = sqs;
    int pollers = pollers(source, pool.spec().maxConcurrency());
    for (int i = 1; i <= pollers; i++) {
      threads.add(
          Thread.ofPlatform()
              .name("sqs-esm-" + source.uuid() + "-" + i)
              .daemon()
              .unstarted(this::run));
    }
  }

  /** How many pollers, and so concurrent invocations, the mapping gets. */
  static int pollers(SqsEventSource source, int functionConcurrency) {
    int pollers = Math.min(functionConcurrency, MAX_POLLERS);
    return source.maximumConcurrency() == null
        ? pollers
        : Math.min(pollers, source.maximumConcurrency());
  }

  SqsEventSource source() {
    return source;
  }

  /** The mapping's state as Lambda names it: Enabled, Disabling (pollers finishing) or Disabled. */
  String state() {
    if (source.enabled()) {
      return "Enabled";
    }
    return busyPollers.get() > 0 ? "Disabling" : "Disabled";
  }

  Instant lastModified() {
    return lastModified;
  }

  void start() {
    threads.forEach(Thread::start);
  }

  /**
   * Applies new settings. A cycle in progress finishes under the old ones: after disabling, records
   * already received are still processed, and {@link #state()} says "Disabling" until that is done.
   */
  void update(SqsEventSource updated) {
    source = updated;
    lastModified = Instant.now();
    synchronized (settingsChanged) {
      settingsChanged.notifyAll();
    }
    LOG.info(
        "Event source {} is now {} (batch size {}, window {})",
        updated.uuid(),
        updated.enabled() ? "enabled" : "disabled",
        updated.batchSize(),
        updated.maximumBatchingWindow());
  }

  /** Stops polling, waiting for an in-flight batch to finish so none is left half-deleted. */
  @Override
  public void close() {
    stopped = true;
    synchronized (settingsChanged) {
      settingsChanged.notifyAll();
    }
    long deadline =
        System.nanoTime()
            + Duration.ofSeconds(IDLE_WAIT_SECONDS + 5).plus(pool.spec().timeout()).toNanos();
    for (Thread thread : threads) {
      try {
        thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (thread.isAlive()) {
        LOG.warn(
            "Event source {}: poller {} did not stop in time", source.uuid(), thread.getName());
      }
    }
  }

  private void run() {
    while (!stopped) {
      try {
        SqsEventSource current = source;
        if (!current.enabled()) {
          synchronized (settingsChanged) {
            if (!source.enabled() && !stopped) {
              settingsChanged.wait(1000);
            }
          }
          continue;
        }
        // A disabled mapping stays "Disabling" until the cycle in progress (receive and invoke)
        // ends,
        // like Lambda finishing what its pollers already hold.
        busyPollers.incrementAndGet();
        try {
          List<Message> batch = gather(current);
          if (!batch.isEmpty()) {
            process(current, batch);
          }
        } finally {
          busyPollers.decrementAndGet();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // SQS unreachable, an environment that cannot start...: a poller must outlive all of it.
        if (stopped) {
          return;
        }
        LOG.warn("Event source {} poll failed: {}", source.uuid(), e.toString());
        try {
          Thread.sleep(ERROR_BACKOFF);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /**
   * Receives until the batch is full or the batching window, counted from the first record, ends.
   */
  private List<Message> gather(SqsEventSource current) throws InterruptedException {
    List<Message> batch = new ArrayList<>();
    long windowEnd = Long.MAX_VALUE;
    while (!stopped && source.enabled()) {
      long remainingMs = batch.isEmpty() ? 0 : windowEnd - System.currentTimeMillis();
      if (!batch.isEmpty() && remainingMs <= 0) {
        break;
      }
      int waitSeconds =
          batch.isEmpty() ? IDLE_WAIT_SECONDS : (int) Math.min(remainingMs / 1000, 20);
      int wanted = Math.min(10, current.batchSize() - batch.size());
      List<Message> received =
          sqs.receiveMessage(
                  r ->
                      r.queueUrl(current.queueUrl())
                          .maxNumberOfMessages(wanted)
                          .waitTimeSeconds(waitSeconds)
                          .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                          .messageAttributeNames("All"))
              .messages();
      if (stopped) {
        // Closing while the receive was waiting: hand the records straight back.
        batch.addAll(received);
        release(current, batch);
        return List.of();
      }
      if (batch.isEmpty()) {
        if (received.isEmpty()) {
          return batch;
        }
        windowEnd = System.currentTimeMillis() + current.maximumBatchingWindow().toMillis();
      }
      batch.addAll(received);
      if (batch.size() >= current.batchSize()) {
        break;
      }
      if (received.isEmpty() && waitSeconds == 0) {
        // Less than a second of window left: short polls, so pace them.
        Thread.sleep(Math.min(100, Math.max(remainingMs, 1)));
      }
    }
    return batch;
  }

  private void process(SqsEventSource current, List<Message> batch) throws InterruptedException {
    byte[] event = eventJson(current, batch);
    String requestId = UUID.randomUUID().toString();
    InvocationResult result;
    try {
      result = pool.invoke(requestId, event, LocalLambdaHost.QUEUE_WAIT);
    } catch (FunctionPool.ThrottledException e) {
      LOG.warn("Event source {}: {}; batch returns to the queue", current.uuid(), e.getMessage());
      return;
    }
    if (result.failed()) {
      LOG.info(
          "Event source {}: function failed on a batch of {} ({}); the batch returns to the queue",
          current.uuid(),
          batch.size(),
          abbreviate(result.payloadText()));
      return;
    }
    Set<String> failed = current.reportBatchItemFailures() ? failedIds(result, batch) : Set.of();
    List<Message> done = batch.stream().filter(m -> !failed.contains(m.messageId())).toList();
    delete(current, done);
    LOG.debug(
        "Event source {}: batch of {} done, {} reported failed",
        current.uuid(),
        batch.size(),
        failed.size());
  }

  /**
   * The messages a partial batch response marks as failed. Lambda's rules: a null or empty response
   * or list means all succeeded; anything it cannot make sense of (bad JSON, a missing, empty or
   * unknown {@code itemIdentifier}) fails the whole batch.
   */
  static Set<String> failedIds(InvocationResult result, List<Message> batch) {
    Set<String> all = new HashSet<>();
    batch.forEach(m -> all.add(m.messageId()));
    Set<String> failed = BatchItemFailures.parse(result, all);
    return failed == null ? all : failed;
  }

  private void delete(SqsEventSource current, List<Message> done) {
    for (int from = 0; from < done.size(); from += 10) {
      List<Message> chunk = done.subList(from, Math.min(done.size(), from + 10));
      List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < chunk.size(); i++) {
        entries.add(
            DeleteMessageBatchRequestEntry.builder()
                .id(Integer.toString(i))
                .receiptHandle(chunk.get(i).receiptHandle())
                .build());
      }
      DeleteMessageBatchResponse response =
          sqs.deleteMessageBatch(r -> r.queueUrl(current.queueUrl()).entries(entries));
      if (response.hasFailed() && !response.failed().isEmpty()) {
        LOG.warn("Event source {}: deletes failed: {}", current.uuid(), response.failed());
      }
    }
  }

  private void release(SqsEventSource current, List<Message> messages) {
    for (int from = 0; from < messages.size(); from += 10) {
      List<Message> chunk = messages.subList(from, Math.min(messages.size(), from + 10));
      List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < chunk.size(); i++) {
        entries.add(
            ChangeMessageVisibilityBatchRequestEntry.builder()
                .id(Integer.toString(i))
                .receiptHandle(chunk.get(i).receiptHandle())
                .visibilityTimeout(0)
                .build());
      }
      sqs.changeMessageVisibilityBatch(r -> r.queueUrl(current.queueUrl()).entries(entries));
    }
  }

  /** The event Lambda sends for an SQS batch, record by record in Lambda's field order. */
  static byte[] eventJson(SqsEventSource source, List<Message> batch) {
    ObjectNode event = JsonText.MAPPER.createObjectNode();
    ArrayNode records = event.putArray("Records");
    for (Message message : batch) {
      ObjectNode record = records.addObject();
      record.put("messageId", message.messageId());
      record.put("receiptHandle", message.receiptHandle());
      record.put("body", message.body());
      ObjectNode attributes = record.putObject("attributes");
      message.attributesAsStrings().forEach(attributes::put);
      ObjectNode messageAttributes = record.putObject("messageAttributes");
      for (Map.Entry<String, MessageAttributeValue> attribute :
          message.messageAttributes().entrySet()) {
        messageAttributes.set(attribute.getKey(), messageAttributeJson(attribute.getValue()));
      }
      if (message.md5OfMessageAttributes() != null) {
        record.put("md5OfMessageAttributes", message.md5OfMessageAttributes());
      }
      record.put("md5OfBody", message.md5OfBody());
      record.put("eventSource", "aws:sqs");
      record.put("eventSourceARN", source.queueArn());
      record.put("awsRegion", source.region());
    }
    try {
      return JsonText.MAPPER.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("An event tree cannot fail to serialise", e);
    }
  }

  private static ObjectNode messageAttributeJson(MessageAttributeValue value) {
    ObjectNode json = JsonText.MAPPER.createObjectNode();
    if (value.stringValue() != null) {
      json.put("stringValue", value.stringValue());
    }
    if (value.binaryValue() != null) {
      json.put(
          "binaryValue", Base64.getEncoder().encodeToString(value.binaryValue().asByteArray()));
    }
    ArrayNode strings = json.putArray("stringListValues");
    value.stringListValues().forEach(strings::add);
    ArrayNode binaries = json.putArray("binaryListValues");
    value
        .binaryListValues()
        .forEach(b -> binaries.add(Base64.getEncoder().encodeToString(b.asByteArray())));
    json.put("dataType", value.dataType());
    return json;
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
