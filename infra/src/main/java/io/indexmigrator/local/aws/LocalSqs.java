package io.indexmigrator.local.aws;

import java.net.URI;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/** ElasticMQ inside this JVM: the SQS API (standard and FIFO queues, redrive to DLQs). */
public final class LocalSqs implements AutoCloseable {
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
