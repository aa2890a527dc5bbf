package io.indexmigrator.local.aws;

import java.net.URI;
import org.elasticmq.FifoDeduplicationIdsHistory;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ElasticMQ inside this JVM: the SQS API (standard and FIFO queues, redrive to DLQs). */
public final class LocalSqs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalSqs.class);

  private final SQSRestServer server;
  private final int port;

  private LocalSqs(SQSRestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * @param port 0 for any free port
   */
  public static LocalSqs start(int port, String region, String accountId) {
    if (!fifoClassesReplaced()) {
      LOG.warn(
          "ElasticMQ's own FIFO classes were loaded (the twin's jar is not before elasticmq-core"
              + " on the class path): every FIFO send costs as much as the sends of the last five"
              + " minutes, receives starve the message groups late in a hash order, and sync"
              + " figures on this twin measure ElasticMQ");
    }
    int chosen = Ports.freeOr(port);
    SQSRestServer server =
        SQSRestServerBuilder.withInterface("127.0.0.1")
            .withPort(chosen)
            // Queue URLs must carry the real host and port so clients can use them as given.
            .withServerAddress(new NodeAddress("http", "127.0.0.1", chosen, ""))
            .withAWSRegion(region)
            .withAWSAccountId(accountId)
            .start();
    server.waitUntilStarted();
    return new LocalSqs(server, chosen);
  }

  /**
   * Whether the classes loaded for ElasticMQ's FIFO deduplication history and FIFO message store
   * are the twin's (constant-time history, groups served in turn), not the jar's (see {@link
   * FifoDeduplicationIdsHistory}).
   */
  public static boolean fifoClassesReplaced() {
    try {
      FifoDeduplicationIdsHistory.class.getField("REPLACED_BY");
      Class.forName("org.elasticmq.actor.queue.MessageQueue$FifoMessageQueue")
          .getField("REPLACED_BY");
      return true;
    } catch (NoSuchFieldException | ClassNotFoundException e) {
      return false;
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    server.stopAndWait();
  }
}
