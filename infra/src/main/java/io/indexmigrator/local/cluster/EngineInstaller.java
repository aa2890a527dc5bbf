package io.indexmigrator.local.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one ready-to-run copy of each engine in a cache directory.
 *
 * <p>An install is built in a private temp directory and renamed into place as the last step, so a
 * directory under its final name is always complete, and two launchers racing on the same version
 * both end up with a usable install. Everything is world-readable because, when we run as root, the
 * engine itself runs as an unprivileged user.
 */
final class EngineInstaller {

  private static final Logger LOG = LoggerFactory.getLogger(EngineInstaller.class);
  private static final String TEMP_PREFIX = ".unpacking-";

  /**
   * Part of each install's directory name. Bump it whenever the installer adds or changes what it
   * assembles: the cache is shared by every checkout on the machine, and an install built by an
   * older layout (2 added lang-painless and ingest-common) must be rebuilt, not reused.
   */
  static final String LAYOUT = "layout2";

  /** An unpack this old is from a crashed run, not a concurrent one. */
  private static final Duration ABANDONED_AFTER = Duration.ofHours(1);

  private final Path cacheDir;
  private final MavenArtifacts maven;

  EngineInstaller(Path cacheDir, MavenArtifacts maven) {
    this.cacheDir = cacheDir;
    this.maven = maven;
  }

  /**
   * Default cache: {@code /var/tmp/index-migrator/engines} for root (whose home is not traversable
   * by the engine's user), otherwise {@code ~/.cache/index-migrator/engines}; env {@code
   * MIGRATOR_ENGINE_CACHE} overrides both.
   */
  static Path defaultCacheDir() {
    String override = System.getenv("MIGRATOR_ENGINE_CACHE");
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    if (Processes.isRoot()) {
      return Path.of("/var/tmp/index-migrator/engines");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "index-migrator", "engines");
  }

  /** Returns the engine's home directory, downloading and unpacking it on first use. */
  Path install(EngineVersion engine) {
    Path home = cacheDir.resolve(directoryName(engine));
    if (Files.isDirectory(home)) {
      return home;
    }
    try {
      createTraversable(cacheDir);
      removeAbandonedUnpacks();
      Instant started = Instant.now();
      Path zip = maven.resolve(zipCoordinates(engine));
      Path staging = cacheDir.resolve(TEMP_PREFIX + home.getFileName() + "-" + UUID.randomUUID());
      try {
        unzipStrippingTopDirectory(zip, staging);
        Files.createDirectories(staging.resolve("plugins"));
        List<String> added = new ArrayList<>();
        ReindexModule.assemble(staging, engine, maven).stream()
            .map(j -> ReindexModule.NAME + ":" + j.artifactId())
            .forEach(added::add);
        for (MavenModule module : MavenModule.ALL) {
          module.assemble(staging, engine, maven).stream()
              .map(j -> module.name() + ":" + j.artifactId())
              .forEach(added::add);
        }
        makeReadableByAll(staging);
        if (publish(staging, home)) {
          LOG.info(
              "installed {} into {} in {} s (assembled module jars: {})",
              engine.displayName(),
              home,
              String.format("%.1f", Duration.between(started, Instant.now()).toMillis() / 1000.0),
              added);
        }
      } finally {
        if (Files.exists(staging)) {
          Processes.deleteRecursively(staging);
        }
      }
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install " + engine.displayName() + " into " + home, e);
    }
  }

  /** E.g. {@code opensearch-2.19.6-layout2}. */
  static String directoryName(EngineVersion engine) {
    return engine.distribution().id() + "-" + engine.version() + "-" + LAYOUT;
  }

  static String zipCoordinates(EngineVersion engine) {
    return engine.distribution().zipGroupId()
        + ":"
        + engine.distribution().id()
        + ":zip:"
        + engine.version();
  }

  /** Renames the finished install into place; false if another launcher got there first. */
  private static boolean publish(Path staging, Path home) throws IOException {
    try {
      Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the cache directory must be on one file system: " + home, e);
    } catch (IOException e) {
      // rename(2) onto a non-empty directory fails with ENOTEMPTY, which Java reports as a plain
      // FileSystemException: another launcher finished first, and its copy is as good as ours.
      if (!Files.isDirectory(home)) {
        throw e;
      }
      LOG.debug("{} was installed concurrently", home);
      return false;
    }
  }

  private void removeAbandonedUnpacks() throws IOException {
    Instant cutoff = Instant.now().minus(ABANDONED_AFTER);
    try (Stream<Path> entries = Files.list(cacheDir)) {
      for (Path p :
          entries.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
        FileTime modified = Files.getLastModifiedTime(p);
        if (modified.toInstant().isBefore(cutoff)) {
          LOG.info("removing abandoned unpack {}", p);
          Processes.deleteRecursively(p);
        }
      }
    }
  }

  /** Unpacks {@code <name>-<version>/...} entries into {@code target/...}. */
  static void unzipStrippingTopDirectory(Path zip, Path target) throws IOException {
    Files.createDirectories(target);
    Path root = target.toAbsolutePath().normalize();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        String name = entry.getName();
        int slash = name.indexOf('/');
        if (slash < 0 || slash == name.length() - 1) {
          continue; // the top directory itself
        }
        Path out = root.resolve(name.substring(slash + 1)).normalize();
        if (!out.startsWith(root)) {
          throw new IOException("zip entry escapes the install directory: " + name);
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (InputStream in = file.getInputStream(entry)) {
          Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Directories 755, files 644, start scripts 755: ZipFile does not carry Unix modes over. */
  private static void makeReadableByAll(Path home) throws IOException {
    Path bin = home.resolve("bin");
    try (Stream<Path> all = Files.walk(home)) {
      for (Path p : all.toList()) {
        boolean executable = Files.isDirectory(p) || p.getParent().equals(bin);
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  /** Creates the directory and makes it and its new parents traversable by any user. */
  private static void createTraversable(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    Path missingTop = absolute;
    while (missingTop.getParent() != null && !Files.exists(missingTop.getParent())) {
      missingTop = missingTop.getParent();
    }
    boolean existed = Files.exists(absolute);
    Files.createDirectories(absolute);
    if (existed) {
      return;
    }
    for (Path p = absolute; p != null && p.startsWith(missingTop); p = p.getParent()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }
}
