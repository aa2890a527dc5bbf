package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangeEventCodec;
import io.indexmigrator.events.MessageKeys;
import io.indexmigrator.local.aws.AwsClients;
import io.indexmigrator.local.aws.LocalSqs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The ceiling the twin's SQS stand-in (ElasticMQ, in one JVM) puts on the sync benchmarks: how many
 * change events per second it accepts and hands out on a FIFO queue with the consumer's message
 * groups, with no cluster, no Lambda and no application on the machine. Sends are batches of ten,
 * eight in flight (what {@code ChangePublisher} does); receives are ten at a time by as many
 * receivers as the event-source mapping has pollers, each batch deleted at once.
 *
 * <p>Arguments: {@code [events=10000] [receivers=5]}. Results go to {@code
 * bench/results/queue-<epoch>.json}.
 */
public final class QueueCeilingBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int receivers = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    ChangeEventCodec codec = new ChangeEventCodec();
    try (LocalSqs local = LocalSqs.start(0, "us-east-1", "000000000000");
        SqsClient sqs = AwsClients.sqs(local.endpoint(), "us-east-1")) {
      String queueUrl =
          sqs.createQueue(
                  r ->
                      r.queueName("ceiling.fifo")
                          .attributes(
                              Map.of(
                                  QueueAttributeName.FIFO_QUEUE, "true",
                                  QueueAttributeName.VISIBILITY_TIMEOUT, "60")))
              .queueUrl();
      // Warm-up: the first requests pay class loading and JIT in both the client and the server.
      double[] warm = run(sqs, queueUrl, codec, 2_000, receivers, "warm");
      double[] measured = run(sqs, queueUrl, codec, events, receivers, "bench");

      var result = JSON.createObjectNode();
      result.put("date", Instant.now().toString());
      result.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
      result.put("events", events);
      result.put("messageGroups", MessageKeys.GROUPS);
      result.put("receivers", receivers);
      result.put("warmUpSendPerSecond", Math.round(warm[0]));
      result.put("sendPerSecond", Math.round(measured[0]));
      result.put("receiveAndDeletePerSecond", Math.round(measured[1]));
      String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result);
      System.out.println(text);
      Path out =
          Path.of("..", "bench", "results", "queue-" + Instant.now().getEpochSecond() + ".json");
      Files.createDirectories(out.getParent());
      Files.writeString(out, text + "\n");
      System.out.println("written to " + out.toAbsolutePath().normalize());
    }
    // ElasticMQ's actor system keeps non-daemon threads alive.
    System.exit(0);
  }

  /** Sends then drains {@code events}; returns {sends per second, receives+deletes per second}. */
  private static double[] run(
      SqsClient sqs, String queueUrl, ChangeEventCodec codec, int events, int receivers, String tag)
      throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(8);
    long started = System.nanoTime();
    List<Future<?>> sent = new ArrayList<>();
    for (int from = 0; from < events; from += 10) {
      int first = from;
      sent.add(
          senders.submit(
              () -> {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int i = first; i < Math.min(events, first + 10); i++) {
                  String id = tag + "-" + i;
                  ChangeEvent event = ChangeEvent.indexed("records", id);
                  entries.add(
                      SendMessageBatchRequestEntry.builder()
                          .id(Integer.toString(i - first))
                          .messageBody(codec.toJson(event))
                          .messageGroupId(MessageKeys.groupId("records", id))
                          .messageDeduplicationId(id)
                          .build());
                }
                sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
              }));
    }
    for (Future<?> future : sent) {
      future.get();
    }
    senders.shutdown();
    long published = System.nanoTime();
    AtomicInteger received = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int r = 0; r < receivers; r++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (received.get() < events) {
                      List<Message> batch =
                          sqs.receiveMessage(
                                  q ->
                                      q.queueUrl(queueUrl)
                                          .maxNumberOfMessages(10)
                                          .waitTimeSeconds(1))
                              .messages();
                      if (batch.isEmpty()) {
                        continue;
                      }
                      List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
                      for (int i = 0; i < batch.size(); i++) {
                        done.add(
                            DeleteMessageBatchRequestEntry.builder()
                                .id(Integer.toString(i))
                                .receiptHandle(batch.get(i).receiptHandle())
                                .build());
                      }
                      sqs.deleteMessageBatch(q -> q.queueUrl(queueUrl).entries(done));
                      received.addAndGet(batch.size());
                    }
                  }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    long drained = System.nanoTime();
    return new double[] {
      events / ((published - started) / 1e9), events / ((drained - published) / 1e9)
    };
  }

  private QueueCeilingBenchmark() {}
}
