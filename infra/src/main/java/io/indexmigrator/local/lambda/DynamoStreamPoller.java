package io.indexmigrator.local.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Lambda's DynamoDB stream event-source mapping for one stream: read each shard in order (a child
 * only after its parent is drained), invoke the function synchronously with a batch, and move on
 * only when the batch succeeded.
 *
 * <p>A failed invocation, or a partial batch response, is retried from the earliest failed record
 * (for a function error: the batch's first record). After {@link #MAX_ATTEMPTS} attempts in a row
 * without success the records of the last batch are skipped and logged, as Lambda does once {@code
 * MaximumRetryAttempts} is used up (bisecting is not imitated).
 *
 * <p>One thread serves all shards of the stream; Lambda would run a poller per shard, but DynamoDB
 * Local keeps one open shard per table, so the difference does not show.
 */
final class DynamoStreamPoller implements AutoCloseable {

  /** Attempts on one batch before its records are skipped. */
  static final int MAX_ATTEMPTS = 3;

  /** Lambda reads each shard about four times a second. */
  static final Duration IDLE_PAUSE = Duration.ofMillis(250);

  private static final Duration SHARD_REFRESH = Duration.ofSeconds(5);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  private static final int MAX_RECORDS_PER_READ = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(DynamoStreamPoller.class);

  private final FunctionPool pool;
  private final DynamoDbStreamsClient streams;
  private final Object settingsChanged = new Object();
  private final Thread thread;
  private final Map<String, ShardPosition> shards = new LinkedHashMap<>();
  private final String streamArn;
  private volatile DynamoStreamEventSource source;
  private volatile Instant lastModified = Instant.now();
  private volatile boolean stopped;
  private volatile boolean busy;
  private long lastShardRefresh;

  /**
   * Finds the stream and places every current shard at the starting position, so that with {@code
   * LATEST} every write after the host has started is delivered.
   *
   * @throws IllegalArgumentException when the table has no stream
   */
  DynamoStreamPoller(
      DynamoStreamEventSource source, FunctionPool pool, DynamoDbStreamsClient streams) {
    this.source = source;
    this.pool = pool;
    this.streams = streams;
    this.streamArn = resolveStream(source, streams);
    for (Shard shard : describeShards()) {
      ShardPosition position = new ShardPosition(shard.shardId(), shard.parentShardId());
      boolean closed = shard.sequenceNumberRange().endingSequenceNumber() != null;
      if (source.startingPosition() == DynamoStreamEventSource.StartingPosition.LATEST) {
        if (closed) {
          position.finished = true;
        } else {
          position.iterator = iterator(shard.shardId(), ShardIteratorType.LATEST, null);
        }
      }
      shards.put(shard.shardId(), position);
    }
    lastShardRefresh = System.nanoTime();
    this.thread =
        Thread.ofPlatform().name("ddb-esm-" + source.uuid()).daemon().unstarted(this::run);
  }

  DynamoStreamEventSource source() {
    return source;
  }

  /** The ARN records carry as {@code eventSourceARN}: the stream actually read. */
  String streamArn() {
    return streamArn;
  }

  String state() {
    if (source.enabled()) {
      return "Enabled";
    }
    return busy ? "Disabling" : "Disabled";
  }

  Instant lastModified() {
    return lastModified;
  }

  void start() {
    thread.start();
  }

  /** New settings; a batch in progress finishes under the old ones. */
  void update(DynamoStreamEventSource updated) {
    source = updated;
    lastModified = Instant.now();
    synchronized (settingsChanged) {
      settingsChanged.notifyAll();
    }
    LOG.info(
        "Event source {} is now {} (batch size {})",
        updated.uuid(),
        updated.enabled() ? "enabled" : "disabled",
        updated.batchSize());
  }

  @Override
  public void close() {
    stopped = true;
    synchronized (settingsChanged) {
      settingsChanged.notifyAll();
    }
    try {
      thread.join(Duration.ofSeconds(5).plus(pool.spec().timeout()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("Event source {}: poller did not stop in time", source.uuid());
    }
  }

  private void run() {
    while (!stopped) {
      try {
        if (!source.enabled()) {
          pause(Duration.ofSeconds(1));
          continue;
        }
        boolean worked = false;
        busy = true;
        try {
          refreshShardsIfDue();
          for (ShardPosition shard : List.copyOf(shards.values())) {
            if (stopped || !source.enabled()) {
              break;
            }
            if (!shard.finished && parentDrained(shard)) {
              worked |= poll(shard, source);
            }
          }
        } finally {
          busy = false;
        }
        if (!worked) {
          pause(IDLE_PAUSE);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (stopped) {
          return;
        }
        LOG.warn("Event source {} poll failed: {}", source.uuid(), e.toString());
        try {
          pause(ERROR_BACKOFF);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private void pause(Duration duration) throws InterruptedException {
    synchronized (settingsChanged) {
      if (!stopped) {
        settingsChanged.wait(duration.toMillis());
      }
    }
  }

  /** Reads one batch from a shard and hands it to the function; false when there was nothing. */
  private boolean poll(ShardPosition shard, DynamoStreamEventSource current)
      throws InterruptedException {
    if (shard.iterator == null) {
      shard.iterator =
          shard.checkpoint == null
              ? iterator(shard.shardId, ShardIteratorType.TRIM_HORIZON, null)
              : iterator(shard.shardId, ShardIteratorType.AFTER_SEQUENCE_NUMBER, shard.checkpoint);
    }
    List<Record> batch = new ArrayList<>();
    String next = shard.iterator;
    try {
      while (next != null && batch.size() < current.batchSize()) {
        String from = next;
        GetRecordsResponse response =
            streams.getRecords(
                r ->
                    r.shardIterator(from)
                        .limit(Math.min(MAX_RECORDS_PER_READ, current.batchSize() - batch.size())));
        next = response.nextShardIterator();
        if (response.records().isEmpty()) {
          break;
        }
        batch.addAll(response.records());
      }
    } catch (ExpiredIteratorException | TrimmedDataAccessException e) {
      LOG.info(
          "Event source {}: shard {}: {}; re-reading",
          current.uuid(),
          shard.shardId,
          e.getMessage());
      shard.iterator = null;
      return false;
    }
    if (batch.isEmpty()) {
      shard.iterator = next;
      if (next == null) {
        shard.finished = true;
        LOG.info("Event source {}: shard {} is drained", current.uuid(), shard.shardId);
      }
      return false;
    }
    Optional<String> failedFrom = invoke(current, batch);
    String last = batch.get(batch.size() - 1).dynamodb().sequenceNumber();
    if (failedFrom.isEmpty()) {
      shard.checkpoint = last;
      shard.iterator = next;
      shard.failedAttempts = 0;
      shard.finished = next == null;
      return true;
    }
    shard.failedAttempts++;
    if (shard.failedAttempts >= MAX_ATTEMPTS) {
      LOG.warn(
          "Event source {}: shard {}: {} attempts failed; skipping records {} to {}",
          current.uuid(),
          shard.shardId,
          shard.failedAttempts,
          failedFrom.get(),
          last);
      shard.checkpoint = last;
      shard.iterator = next;
      shard.failedAttempts = 0;
      shard.finished = next == null;
    } else {
      LOG.info(
          "Event source {}: shard {}: attempt {} failed; retrying from {}",
          current.uuid(),
          shard.shardId,
          shard.failedAttempts,
          failedFrom.get());
      shard.iterator =
          iterator(shard.shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, failedFrom.get());
    }
    return true;
  }

  /** Invokes the function; the sequence number to retry from, or empty when all succeeded. */
  private Optional<String> invoke(DynamoStreamEventSource current, List<Record> batch)
      throws InterruptedException {
    String first = batch.get(0).dynamodb().sequenceNumber();
    InvocationResult result;
    try {
      result =
          pool.invoke(
              UUID.randomUUID().toString(),
              eventJson(current, streamArn, batch),
              LocalLambdaHost.QUEUE_WAIT);
    } catch (FunctionPool.ThrottledException e) {
      LOG.warn("Event source {}: {}", current.uuid(), e.getMessage());
      return Optional.of(first);
    }
    if (result.failed()) {
      LOG.info(
          "Event source {}: function failed on a batch of {}: {}",
          current.uuid(),
          batch.size(),
          abbreviate(result.payloadText()));
      return Optional.of(first);
    }
    return current.reportBatchItemFailures() ? firstFailed(result, batch) : Optional.empty();
  }

  /**
   * The earliest record a partial batch response names. Lambda's rules: a null or empty response or
   * list means success; anything it cannot use (bad JSON, an identifier that is missing, empty or
   * not in the batch) fails the whole batch.
   */
  static Optional<String> firstFailed(InvocationResult result, List<Record> batch) {
    List<String> sequence = batch.stream().map(r -> r.dynamodb().sequenceNumber()).toList();
    Set<String> failed = BatchItemFailures.parse(result, sequence);
    if (failed == null) {
      return Optional.of(sequence.get(0));
    }
    return sequence.stream().filter(failed::contains).findFirst();
  }

  private boolean parentDrained(ShardPosition shard) {
    ShardPosition parent = shard.parentId == null ? null : shards.get(shard.parentId);
    // A parent that has aged out of the stream is not listed any more: nothing left to wait for.
    return parent == null || parent.finished;
  }

  private void refreshShardsIfDue() {
    if (System.nanoTime() - lastShardRefresh < SHARD_REFRESH.toNanos()) {
      return;
    }
    lastShardRefresh = System.nanoTime();
    for (Shard shard : describeShards()) {
      // Shards found later (splits, new generations) are read from their start.
      shards.computeIfAbsent(shard.shardId(), id -> new ShardPosition(id, shard.parentShardId()));
    }
  }

  private List<Shard> describeShards() {
    List<Shard> all = new ArrayList<>();
    String after = null;
    do {
      String start = after;
      DescribeStreamResponse response =
          streams.describeStream(r -> r.streamArn(streamArn).exclusiveStartShardId(start));
      StreamDescription description = response.streamDescription();
      all.addAll(description.shards());
      after = description.lastEvaluatedShardId();
    } while (after != null);
    return all;
  }

  private String iterator(String shardId, ShardIteratorType type, String sequenceNumber) {
    return streams
        .getShardIterator(
            r ->
                r.streamArn(streamArn)
                    .shardId(shardId)
                    .shardIteratorType(type)
                    .sequenceNumber(sequenceNumber))
        .shardIterator();
  }

  private static String resolveStream(
      DynamoStreamEventSource source, DynamoDbStreamsClient streams) {
    if (source.tableName() == null || source.tableName().isBlank()) {
      return source.streamArn();
    }
    List<software.amazon.awssdk.services.dynamodb.model.Stream> found =
        streams.listStreams(r -> r.tableName(source.tableName())).streams();
    if (found.isEmpty()) {
      throw new IllegalArgumentException(
          "Event source "
              + source.uuid()
              + ": table "
              + source.tableName()
              + " has no stream; enable one (StreamSpecification) first");
    }
    return found.get(found.size() - 1).streamArn();
  }

  /** The event Lambda sends for a DynamoDB stream batch, in Lambda's field names. */
  static byte[] eventJson(DynamoStreamEventSource source, String streamArn, List<Record> batch) {
    ObjectNode event = JsonText.MAPPER.createObjectNode();
    ArrayNode records = event.putArray("Records");
    for (Record record : batch) {
      ObjectNode json = records.addObject();
      json.put("eventID", record.eventID());
      json.put("eventName", record.eventNameAsString());
      json.put("eventVersion", record.eventVersion());
      json.put("eventSource", "aws:dynamodb");
      json.put("awsRegion", source.region());
      StreamRecord change = record.dynamodb();
      ObjectNode dynamodb = json.putObject("dynamodb");
      if (change.approximateCreationDateTime() != null) {
        // Lambda sends whole seconds since the epoch as a JSON number.
        dynamodb.put(
            "ApproximateCreationDateTime", change.approximateCreationDateTime().getEpochSecond());
      }
      if (change.hasKeys()) {
        dynamodb.set("Keys", attributes(change.keys()));
      }
      if (change.hasNewImage()) {
        dynamodb.set("NewImage", attributes(change.newImage()));
      }
      if (change.hasOldImage()) {
        dynamodb.set("OldImage", attributes(change.oldImage()));
      }
      dynamodb.put("SequenceNumber", change.sequenceNumber());
      if (change.sizeBytes() != null) {
        dynamodb.put("SizeBytes", change.sizeBytes());
      }
      dynamodb.put("StreamViewType", change.streamViewTypeAsString());
      if (record.userIdentity() != null) {
        // Present on deletions by TTL: {"type":"Service","principalId":"dynamodb.amazonaws.com"}.
        ObjectNode identity = json.putObject("userIdentity");
        identity.put("type", record.userIdentity().type());
        identity.put("principalId", record.userIdentity().principalId());
      }
      json.put("eventSourceARN", streamArn);
    }
    try {
      return JsonText.MAPPER.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("An event tree cannot fail to serialise", e);
    }
  }

  private static ObjectNode attributes(Map<String, AttributeValue> values) {
    ObjectNode json = JsonText.MAPPER.createObjectNode();
    values.forEach((name, value) -> json.set(name, attribute(value)));
    return json;
  }

  /** DynamoDB's typed JSON: one member named by the type descriptor. */
  static ObjectNode attribute(AttributeValue value) {
    ObjectNode json = JsonText.MAPPER.createObjectNode();
    if (value.s() != null) {
      json.put("S", value.s());
    } else if (value.n() != null) {
      json.put("N", value.n());
    } else if (value.b() != null) {
      json.put("B", base64(value.b()));
    } else if (value.bool() != null) {
      json.put("BOOL", value.bool());
    } else if (Boolean.TRUE.equals(value.nul())) {
      json.put("NULL", true);
    } else if (value.hasSs()) {
      ArrayNode list = json.putArray("SS");
      value.ss().forEach(list::add);
    } else if (value.hasNs()) {
      ArrayNode list = json.putArray("NS");
      value.ns().forEach(list::add);
    } else if (value.hasBs()) {
      ArrayNode list = json.putArray("BS");
      value.bs().forEach(b -> list.add(base64(b)));
    } else if (value.hasM()) {
      json.set("M", attributes(value.m()));
    } else if (value.hasL()) {
      ArrayNode list = json.putArray("L");
      value.l().forEach(v -> list.add(attribute(v)));
    } else {
      json.put("NULL", true);
    }
    return json;
  }

  private static String base64(SdkBytes bytes) {
    return Base64.getEncoder().encodeToString(bytes.asByteArray());
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }

  /** Where the mapping is in one shard. */
  private static final class ShardPosition {
    final String shardId;
    final String parentId;
    String iterator;
    String checkpoint;
    int failedAttempts;
    boolean finished;

    ShardPosition(String shardId, String parentId) {
      this.shardId = shardId;
      this.parentId = parentId;
    }
  }
}
