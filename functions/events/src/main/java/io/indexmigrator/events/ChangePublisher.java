package io.indexmigrator.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * Puts change events on the sync queue after the application's writes are acknowledged.
 *
 * <p>Events go out in {@code SendMessageBatch} calls of at most 10 entries and 256 KiB of bodies.
 * Every entry of every response is checked; entries SQS failed on its side ({@code
 * SenderFault=false}) or throttled are sent again with exponential backoff and full jitter, up to
 * {@link Builder#maxAttempts}. Whatever is still not accepted is reported in a {@link
 * PublishException}; nothing is dropped silently.
 *
 * <p>On a FIFO queue (URL ending in {@code .fifo}) each message carries the group and deduplication
 * ids of {@link MessageKeys}. Up to {@link Builder#maxInFlight} batches are sent at once, but a
 * batch waits for every earlier batch holding an event of the same document, retries included, so
 * one document's events are enqueued in the order given except when a retry of an entry lands after
 * a later entry of the same batch. The consumer re-reads each document, so such a swap costs an
 * extra read, not correctness.
 *
 * <p>Thread-safe; one instance per queue can be shared.
 */
public final class ChangePublisher {
  static final int MAX_BATCH_ENTRIES = 10;
  static final int MAX_BATCH_BYTES = 256 * 1024;

  private final SqsClient sqs;
  private final String queueUrl;
  private final boolean fifo;
  private final int maxInFlight;
  private final int maxAttempts;
  private final Duration backoffBase;
  private final Duration maxBackoff;
  private final String cluster;
  private final ChangeEventCodec codec = new ChangeEventCodec();
  private final ObjectMapper mapper = new ObjectMapper();

  private ChangePublisher(Builder builder) {
    this.sqs = builder.sqs;
    this.queueUrl = builder.queueUrl;
    this.fifo = queueUrl.endsWith(".fifo");
    this.maxInFlight = builder.maxInFlight;
    this.maxAttempts = builder.maxAttempts;
    this.backoffBase = builder.backoffBase;
    this.maxBackoff = builder.maxBackoff;
    this.cluster = builder.cluster;
  }

  /** A publisher with the defaults: 4 batches in flight, 5 attempts, backoff from 100 ms to 5 s. */
  public static ChangePublisher create(SqsClient sqs, String queueUrl) {
    return builder(sqs, queueUrl).build();
  }

  public static Builder builder(SqsClient sqs, String queueUrl) {
    return new Builder(sqs, queueUrl);
  }

  /** Whether the queue is FIFO, judged by its URL's {@code .fifo} suffix as SQS requires. */
  public boolean fifo() {
    return fifo;
  }

  /** Publishes one event. */
  public PublishResult publish(ChangeEvent event) {
    return publishAll(List.of(Objects.requireNonNull(event, "event")));
  }

  /**
   * Publishes events, keeping each document's events in the given order.
   *
   * @throws InvalidChangeEventException before anything is sent, when an event breaks the rules of
   *     {@link ChangeEventCodec}
   * @throws PublishException listing every event that was not accepted, after retries
   */
  public PublishResult publishAll(Collection<ChangeEvent> events) {
    List<Outgoing> outgoing = new ArrayList<>(events.size());
    int position = 0;
    for (ChangeEvent event : events) {
      Objects.requireNonNull(event, "events must not contain null");
      outgoing.add(encode(position++, event));
    }
    if (outgoing.isEmpty()) {
      return PublishResult.NOTHING;
    }
    List<List<Outgoing>> batches = pack(outgoing);
    Tally tally = new Tally();
    if (maxInFlight == 1 || batches.size() == 1) {
      batches.forEach(batch -> sendWithRetries(batch, tally));
    } else {
      sendConcurrently(batches, tally);
    }
    PublishResult result =
        new PublishResult(tally.published.get(), tally.batches.get(), tally.retries.get());
    if (!tally.failures.isEmpty()) {
      List<PublishException.Failure> failures =
          tally.failures.stream()
              .sorted(Comparator.comparingInt(Failed::position))
              .map(Failed::failure)
              .toList();
      throw new PublishException(failures, result);
    }
    return result;
  }

  /**
   * Publishes one event per item of a {@code _bulk} response that changed (or, for a not-found
   * delete, may have changed) a document: {@code index}, {@code create} and {@code update} items
   * give {@code op=index}, {@code delete} items and updates whose result is {@code deleted} give
   * {@code op=delete}. Failed items are skipped. Events carry the item's concrete {@code _index},
   * also when the application wrote through an alias, and no routing.
   *
   * @throws IllegalArgumentException when the text is not a bulk response
   */
  public PublishResult publishBulkResponse(String bulkResponseJson) {
    return publishBulkResponse(readJson(bulkResponseJson, "bulk response"));
  }

  /** As {@link #publishBulkResponse(String)}, for a parsed response. */
  public PublishResult publishBulkResponse(JsonNode bulkResponse) {
    return publishBulkResponse(bulkResponse, item -> null);
  }

  /**
   * As {@link #publishBulkResponse(String)}, with the routing of each item, which a bulk response
   * does not echo; {@code routingOf} may return null for items written without routing.
   */
  public PublishResult publishBulkResponse(
      JsonNode bulkResponse, Function<BulkItem, String> routingOf) {
    Objects.requireNonNull(routingOf, "routingOf");
    return publishItems(BulkResponses.items(bulkResponse), routingOf);
  }

  /**
   * As {@link #publishBulkResponse(String)}, with the routing of each bulk action by position (null
   * entries for actions without routing).
   *
   * @throws IllegalArgumentException when the list and the response's items differ in length
   */
  public PublishResult publishBulkResponse(JsonNode bulkResponse, List<String> routingByPosition) {
    List<BulkItem> items = BulkResponses.items(bulkResponse);
    if (routingByPosition.size() != items.size()) {
      throw new IllegalArgumentException(
          "routing list has "
              + routingByPosition.size()
              + " entries but the bulk response has "
              + items.size()
              + " items");
    }
    return publishItems(items, item -> routingByPosition.get(item.position()));
  }

  private PublishResult publishItems(List<BulkItem> items, Function<BulkItem, String> routingOf) {
    List<ChangeEvent> events = new ArrayList<>();
    for (BulkItem item : items) {
      if (item.publishable()) {
        boolean delete = "delete".equals(item.action()) || "deleted".equals(item.result());
        events.add(
            fromResponse(
                item,
                delete ? ChangeEvent.Op.DELETE : ChangeEvent.Op.INDEX,
                routingOf.apply(item)));
      }
    }
    return publishAll(events);
  }

  /**
   * Publishes {@code op=index} for the response of a single-document index, create or update call
   * ({@code {"_index":..,"_id":..,"_seq_no":..,"_primary_term":..,"result":..}}). An update whose
   * result is {@code deleted} publishes {@code op=delete}.
   */
  public PublishResult publishIndexResponse(String responseJson) {
    return publishIndexResponse(readJson(responseJson, "index response"), null);
  }

  /** As {@link #publishIndexResponse(String)}, with the routing the write used (or null). */
  public PublishResult publishIndexResponse(JsonNode response, String routing) {
    BulkItem doc = BulkResponses.document(response, "index response");
    ChangeEvent.Op op =
        "deleted".equals(doc.result()) ? ChangeEvent.Op.DELETE : ChangeEvent.Op.INDEX;
    return publish(fromResponse(doc, op, routing));
  }

  /**
   * Publishes {@code op=delete} for the response of a single-document delete, whether its result is
   * {@code deleted} or {@code not_found}.
   */
  public PublishResult publishDeleteResponse(String responseJson) {
    return publishDeleteResponse(readJson(responseJson, "delete response"), null);
  }

  /** As {@link #publishDeleteResponse(String)}, with the routing the delete used (or null). */
  public PublishResult publishDeleteResponse(JsonNode response, String routing) {
    BulkItem doc = BulkResponses.document(response, "delete response");
    return publish(fromResponse(doc, ChangeEvent.Op.DELETE, routing));
  }

  /** An event from a write response; a sequence number without its term (or back) is dropped. */
  private static ChangeEvent fromResponse(BulkItem item, ChangeEvent.Op op, String routing) {
    boolean both = item.seqNo() != null && item.primaryTerm() != null;
    return new ChangeEvent(
        item.index(),
        item.id(),
        op,
        both ? item.seqNo() : null,
        both ? item.primaryTerm() : null,
        routing);
  }

  private JsonNode readJson(String json, String what) {
    try {
      return mapper.readTree(Objects.requireNonNull(json, what));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private Outgoing encode(int position, ChangeEvent given) {
    ChangeEvent event =
        cluster != null && given.cluster() == null ? given.onCluster(cluster) : given;
    // The consumer would dead-letter an invalid event; refusing it here tells the writer instead.
    ObjectNode node = codec.toNode(event);
    codec.parse(node);
    String body = node.toString();
    String groupId = fifo ? MessageKeys.groupId(event.index(), event.id()) : null;
    // Fixed before the first attempt, so a batch re-sent after a lost response is deduplicated.
    String dedupId = fifo ? MessageKeys.deduplicationId(event) : null;
    String documentKey = event.index() + "\u0000" + event.id();
    return new Outgoing(
        position,
        event,
        body,
        body.getBytes(StandardCharsets.UTF_8).length,
        groupId,
        dedupId,
        documentKey);
  }

  private static List<List<Outgoing>> pack(List<Outgoing> outgoing) {
    List<List<Outgoing>> batches = new ArrayList<>();
    List<Outgoing> current = new ArrayList<>();
    int bytes = 0;
    for (Outgoing message : outgoing) {
      if (!current.isEmpty()
          && (current.size() == MAX_BATCH_ENTRIES || bytes + message.bytes() > MAX_BATCH_BYTES)) {
        batches.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(message);
      bytes += message.bytes();
    }
    batches.add(current);
    return batches;
  }

  /**
   * Sends batches on a small pool. A batch starts only after the last earlier batch that shares a
   * document with it has finished, which keeps each document's events in order.
   */
  private void sendConcurrently(List<List<Outgoing>> batches, Tally tally) {
    // Virtual threads: an application publishes after every bulk, and starting a pool of
    // platform threads per call cost more than the sends it parallelised.
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(maxInFlight, batches.size()),
            Thread.ofVirtual().name("change-publisher-", 0).factory());
    try {
      Map<String, CompletableFuture<Void>> lastBatchOfDocument = new HashMap<>();
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (List<Outgoing> batch : batches) {
        Set<CompletableFuture<Void>> before = new HashSet<>();
        for (Outgoing message : batch) {
          CompletableFuture<Void> previous = lastBatchOfDocument.get(message.documentKey());
          if (previous != null) {
            before.add(previous);
          }
        }
        CompletableFuture<Void> sent =
            CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> sendWithRetries(batch, tally), pool);
        batch.forEach(message -> lastBatchOfDocument.put(message.documentKey(), sent));
        all.add(sent);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdownNow();
    }
  }

  private void sendWithRetries(List<Outgoing> batch, Tally tally) {
    List<Outgoing> pending = batch;
    for (int attempt = 1; ; attempt++) {
      Attempt outcome = sendOnce(pending, attempt, tally);
      if (outcome.retryable().isEmpty()) {
        return;
      }
      if (attempt == maxAttempts) {
        outcome.retryable().forEach(tally.failures::add);
        return;
      }
      try {
        Thread.sleep(backoff(attempt));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        for (Failed failed : outcome.retryable()) {
          tally.failures.add(
              failed.withReason("Interrupted", "interrupted while waiting to retry"));
        }
        return;
      }
      pending = outcome.retryable().stream().map(Failed::message).toList();
      tally.retries.addAndGet(pending.size());
    }
  }

  /** One {@code SendMessageBatch} call; permanent failures go straight to the tally. */
  private Attempt sendOnce(List<Outgoing> pending, int attempt, Tally tally) {
    List<SendMessageBatchRequestEntry> entries = new ArrayList<>(pending.size());
    for (int i = 0; i < pending.size(); i++) {
      Outgoing message = pending.get(i);
      entries.add(
          SendMessageBatchRequestEntry.builder()
              .id(Integer.toString(i))
              .messageBody(message.body())
              .messageGroupId(message.groupId())
              .messageDeduplicationId(message.dedupId())
              .build());
    }
    tally.batches.incrementAndGet();
    SendMessageBatchResponse response;
    try {
      response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
    } catch (SqsException e) {
      String code =
          e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
              ? e.awsErrorDetails().errorCode()
              : e.getClass().getSimpleName();
      String reason =
          e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
              ? e.awsErrorDetails().errorMessage()
              : e.getMessage();
      boolean retry = e.isThrottlingException() || e.statusCode() >= 500 || isThrottling(code);
      return failAll(pending, attempt, code, reason, retry, tally);
    } catch (SdkClientException e) {
      // The request may never have reached SQS (or its answer was lost): worth another try, and
      // on a FIFO queue the unchanged deduplication ids make a duplicate harmless.
      return failAll(pending, attempt, "SdkClientException", e.getMessage(), true, tally);
    } catch (RuntimeException e) {
      // Anything else (a client misconfiguration, a bug) is reported with the events, not thrown
      // past them, so the caller still learns which events are missing.
      return failAll(pending, attempt, e.getClass().getSimpleName(), e.getMessage(), false, tally);
    }
    Set<String> accepted = new HashSet<>();
    for (SendMessageBatchResultEntry ok : response.successful()) {
      accepted.add(ok.id());
    }
    Map<String, BatchResultErrorEntry> errors = new HashMap<>();
    for (BatchResultErrorEntry error : response.failed()) {
      errors.put(error.id(), error);
    }
    List<Failed> retryable = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      Outgoing message = pending.get(i);
      String id = Integer.toString(i);
      BatchResultErrorEntry error = errors.get(id);
      if (error == null && accepted.contains(id)) {
        tally.published.incrementAndGet();
        continue;
      }
      Failed failed =
          error == null
              ? new Failed(
                  message, "MissingResult", "SQS reported neither success nor failure", attempt)
              : new Failed(message, error.code(), error.message(), attempt);
      // An entry SQS did not mention is retried: a duplicate is better than a lost event.
      boolean retry =
          error == null || !Boolean.TRUE.equals(error.senderFault()) || isThrottling(error.code());
      (retry ? retryable : tally.failures).add(failed);
    }
    return new Attempt(retryable);
  }

  private static Attempt failAll(
      List<Outgoing> pending, int attempt, String code, String reason, boolean retry, Tally tally) {
    List<Failed> failed = new ArrayList<>();
    for (Outgoing message : pending) {
      failed.add(new Failed(message, code, reason, attempt));
    }
    if (retry) {
      return new Attempt(failed);
    }
    tally.failures.addAll(failed);
    return new Attempt(List.of());
  }

  private static boolean isThrottling(String code) {
    return code != null && (code.contains("Throttl") || code.equals("RequestLimitExceeded"));
  }

  /** Full jitter: a random wait up to base * 2^(attempt-1), capped. */
  private long backoff(int attempt) {
    long ceiling =
        Math.min(maxBackoff.toMillis(), backoffBase.toMillis() * (1L << Math.min(attempt - 1, 20)));
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  private record Outgoing(
      int position,
      ChangeEvent event,
      String body,
      int bytes,
      String groupId,
      String dedupId,
      String documentKey) {}

  private record Failed(Outgoing message, String code, String reason, int attempts) {
    int position() {
      return message.position();
    }

    Failed withReason(String newCode, String newReason) {
      return new Failed(message, newCode, newReason, attempts);
    }

    PublishException.Failure failure() {
      return new PublishException.Failure(message.event(), code, reason, attempts);
    }
  }

  private record Attempt(List<Failed> retryable) {}

  private static final class Tally {
    final AtomicInteger published = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final ConcurrentLinkedQueue<Failed> failures = new ConcurrentLinkedQueue<>();
  }

  /** Options of a {@link ChangePublisher}. */
  public static final class Builder {
    private final SqsClient sqs;
    private final String queueUrl;
    private int maxInFlight = 4;
    private int maxAttempts = 5;
    private Duration backoffBase = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private String cluster;

    private Builder(SqsClient sqs, String queueUrl) {
      this.sqs = Objects.requireNonNull(sqs, "sqs");
      this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
      if (queueUrl.isBlank()) {
        throw new IllegalArgumentException("queueUrl must not be blank");
      }
    }

    /**
     * How many {@code SendMessageBatch} calls may run at once (default 4; 1 sends in the caller).
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** How many times an event is sent at most, the first time included (default 5). */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The longest wait before a retry is {@code backoffBase * 2^(attempt-1)} (default 100 ms). */
    public Builder backoffBase(Duration backoffBase) {
      if (backoffBase.isNegative()) {
        throw new IllegalArgumentException("backoffBase must not be negative, got " + backoffBase);
      }
      this.backoffBase = backoffBase;
      return this;
    }

    /** Cap on one wait before a retry (default 5 s). */
    public Builder maxBackoff(Duration maxBackoff) {
      if (maxBackoff.isNegative()) {
        throw new IllegalArgumentException("maxBackoff must not be negative, got " + maxBackoff);
      }
      this.maxBackoff = maxBackoff;
      return this;
    }

    /**
     * The migrator's name of the cluster the application writes to, put on every event that names
     * none: during a migration between clusters, the template's {@code SourceClusterName} (default
     * {@code source}). Without it, events are of writes to the functions' own cluster.
     */
    public Builder cluster(String cluster) {
      if (cluster == null || !cluster.matches("[a-z][a-z0-9-]{0,39}")) {
        throw new IllegalArgumentException(
            "cluster must be a cluster name (lowercase letters, digits and -, starting with a"
                + " letter, at most 40), got "
                + cluster);
      }
      this.cluster = cluster;
      return this;
    }

    public ChangePublisher build() {
      return new ChangePublisher(this);
    }
  }
}
