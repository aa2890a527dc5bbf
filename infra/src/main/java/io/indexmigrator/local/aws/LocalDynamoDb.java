package io.indexmigrator.local.aws;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * DynamoDB Local running inside this JVM, on a loopback port, with its data in a directory (so a
 * twin keeps its state until {@code local down}) or in memory.
 */
public final class LocalDynamoDb implements AutoCloseable {
  private static final String NATIVE_LIBRARY = "libsqlite4java-linux-amd64";

  private final DynamoDBProxyServer server;
  private final int port;

  private LocalDynamoDb(DynamoDBProxyServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts DynamoDB Local. {@code dataDir} empty means in memory.
   *
   * @param port 0 for any free port
   */
  public static LocalDynamoDb start(int port, Optional<Path> dataDir) {
    int chosen = Ports.freeOr(port);
    ensureNativeLibraryPath();
    List<String> args =
        new ArrayList<>(List.of("-port", String.valueOf(chosen), "-sharedDb", "-disableTelemetry"));
    if (dataDir.isPresent()) {
      try {
        Files.createDirectories(dataDir.get());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      args.addAll(List.of("-dbPath", dataDir.get().toString()));
    } else {
      args.add("-inMemory");
    }
    try {
      DynamoDBProxyServer server =
          ServerRunner.createServerFromCommandLineArgs(args.toArray(String[]::new));
      server.start();
      return new LocalDynamoDb(server, chosen);
    } catch (Exception e) {
      throw new IllegalStateException("DynamoDB Local did not start on port " + chosen, e);
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
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("DynamoDB Local did not stop", e);
    }
  }

  /**
   * DynamoDB Local stores tables in SQLite through sqlite4java, whose native library Maven ships as
   * a separate {@code .so} artifact; point sqlite4java at wherever the build or Maven put it.
   */
  private static void ensureNativeLibraryPath() {
    if (System.getProperty("sqlite4java.library.path") != null) {
      return;
    }
    List<Path> candidates = new ArrayList<>();
    for (String entry :
        System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath();
      candidates.add(Files.isDirectory(p) ? p : p.getParent());
      if (p.getParent() != null) {
        candidates.add(p.getParent().resolveSibling("native"));
        candidates.add(p.getParent().resolve("native"));
      }
    }
    String localRepo =
        System.getProperty(
            "maven.repo.local",
            Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
    candidates.add(
        Path.of(localRepo, "com", "almworks", "sqlite4java", "libsqlite4java-linux-amd64"));
    for (Path dir : candidates) {
      Optional<Path> found = findLibrary(dir);
      if (found.isPresent()) {
        System.setProperty("sqlite4java.library.path", found.get().getParent().toString());
        return;
      }
    }
    throw new IllegalStateException(
        "cannot find "
            + NATIVE_LIBRARY
            + "*.so (DynamoDB Local's SQLite binding); build the project with bin/migrator or set"
            + " -Dsqlite4java.library.path");
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
