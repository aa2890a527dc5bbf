package io.indexmigrator.core.state;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * DynamoDB Local in the test JVM, in memory, on a free loopback port, with tables shaped like
 * {@code StateTable} in template.yaml. Public so tests of other packages that keep records in the
 * state table can use it.
 */
public final class LocalDynamo implements AutoCloseable {
  private static final String NATIVE_LIBRARY = "libsqlite4java-linux-amd64";

  private final DynamoDBProxyServer server;
  private final DynamoDbClient client;

  private LocalDynamo(DynamoDBProxyServer server, int port) {
    this.server = server;
    this.client =
        DynamoDbClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + port))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  /**
   * Telemetry is off: it would try to reach the internet and writes a metadata file into the cwd.
   */
  public static LocalDynamo start() throws Exception {
    pointSqliteAtNativeLibrary();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    DynamoDBProxyServer server =
        ServerRunner.createServerFromCommandLineArgs(
            new String[] {
              "-inMemory", "-sharedDb", "-disableTelemetry", "-port", String.valueOf(port)
            });
    server.start();
    return new LocalDynamo(server, port);
  }

  public DynamoDbClient client() {
    return client;
  }

  /** Creates a table with the key schema and TTL attribute of template.yaml's StateTable. */
  public void createStateTable(String name) {
    client.createTable(
        r ->
            r.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build(),
                    AttributeDefinition.builder()
                        .attributeName("sk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                    KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
    client.updateTimeToLive(
        r ->
            r.tableName(name)
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
  }

  @Override
  public void close() {
    client.close();
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("DynamoDB Local did not stop", e);
    }
  }

  /**
   * sqlite4java loads a native library that Maven resolves as a separate {@code .so} artifact; look
   * for it next to the test classpath entries and in the local Maven repository.
   */
  private static void pointSqliteAtNativeLibrary() {
    if (System.getProperty("sqlite4java.library.path") != null) {
      return;
    }
    List<Path> candidates = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      Path path = Path.of(entry).toAbsolutePath();
      if (path.getFileName().toString().startsWith(NATIVE_LIBRARY)) {
        candidates.add(path.getParent());
      }
    }
    String repository =
        System.getProperty(
            "maven.repo.local",
            Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
    candidates.add(Path.of(repository, "com", "almworks", "sqlite4java", NATIVE_LIBRARY));
    for (Path dir : candidates) {
      Optional<Path> library = findLibrary(dir);
      if (library.isPresent()) {
        System.setProperty("sqlite4java.library.path", library.get().getParent().toString());
        return;
      }
    }
    throw new IllegalStateException(
        "cannot find "
            + NATIVE_LIBRARY
            + "*.so for DynamoDB Local; set -Dsqlite4java.library.path");
  }

  private static Optional<Path> findLibrary(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.walk(dir, 2)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(NATIVE_LIBRARY))
          .filter(f -> f.getFileName().toString().endsWith(".so"))
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
