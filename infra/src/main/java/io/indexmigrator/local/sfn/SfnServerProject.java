package io.indexmigrator.local.sfn;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Node project in {@code infra/src/main/node/sfn-server}: where it is, which {@code node} runs
 * it, and making sure its {@code node_modules} match the committed lockfile.
 */
final class SfnServerProject {

  private static final Logger LOGGER = LoggerFactory.getLogger(SfnServerProject.class);

  static final String RELATIVE_DIR = "infra/src/main/node/sfn-server";
  static final int MIN_NODE_MAJOR = 18;

  /** aws-local-stepfunctions 3.x declares node >= 22; older nodes need polyfill.cjs preloaded. */
  static final int NATIVE_NODE_MAJOR = 22;

  private static final Pattern NODE_VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+).*");
  private static final long NPM_TIMEOUT_MINUTES = 10;

  final Path dir;
  final Path node;
  final int nodeMajor;

  private SfnServerProject(Path dir, Path node, int nodeMajor) {
    this.dir = dir;
    this.node = node;
    this.nodeMajor = nodeMajor;
  }

  /**
   * Finds the project (from {@code -Dmigrator.home}, else by walking up from the working
   * directory), checks the node version, and runs {@code npm ci} when {@code node_modules} is
   * missing or older than the lockfile.
   */
  static SfnServerProject prepare() {
    Path dir = locate();
    Path node = findExecutable("node");
    int major = nodeMajor(node);
    if (major < MIN_NODE_MAJOR) {
      throw new IllegalStateException(
          "node "
              + major
              + " at "
              + node
              + " is too old: the local Step Functions service needs node >= "
              + MIN_NODE_MAJOR);
    }
    var project = new SfnServerProject(dir, node, major);
    project.installDependencies();
    return project;
  }

  Path serverScript() {
    return dir.resolve("server.mjs");
  }

  Path polyfill() {
    return dir.resolve("polyfill.cjs");
  }

  boolean needsPolyfill() {
    return nodeMajor < NATIVE_NODE_MAJOR;
  }

  private static Path locate() {
    String home = System.getProperty("migrator.home");
    if (home != null) {
      Path candidate = Path.of(home).toAbsolutePath().resolve(RELATIVE_DIR);
      if (!Files.isRegularFile(candidate.resolve("server.mjs"))) {
        throw new IllegalStateException(
            "-Dmigrator.home=" + home + " does not contain " + RELATIVE_DIR + "/server.mjs");
      }
      return candidate;
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      Path candidate = p.resolve(RELATIVE_DIR);
      if (Files.isRegularFile(candidate.resolve("server.mjs"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "cannot find "
            + RELATIVE_DIR
            + "/server.mjs in "
            + start
            + " or any parent directory; run from the source tree or set -Dmigrator.home=<checkout>");
  }

  /** {@code -Dmigrator.<name>=<path>} wins; otherwise the first match on PATH. */
  static Path findExecutable(String name) {
    String override = System.getProperty("migrator." + name);
    if (override != null) {
      return Path.of(override);
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(entry, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "'"
            + name
            + "' not found on PATH ("
            + path
            + "); install Node.js >= "
            + MIN_NODE_MAJOR
            + " or set -Dmigrator."
            + name
            + "=<path>");
  }

  private static int nodeMajor(Path node) {
    String version = run(List.of(node.toString(), "--version"), Path.of("."), 1).strip();
    var matcher = NODE_VERSION.matcher(version);
    if (!matcher.matches()) {
      throw new IllegalStateException(
          node + " --version printed '" + version + "', not a node version");
    }
    return Integer.parseInt(matcher.group(1));
  }

  private void installDependencies() {
    Path lockfile = dir.resolve("package-lock.json");
    // Several JVMs (CLI, parallel test forks) may start at once; one npm ci at a time per checkout.
    try (FileChannel channel =
            FileChannel.open(lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        var lock = channel.lock()) {
      if (isInstalled(lockfile)) {
        return;
      }
      Path npm = node.resolveSibling("npm");
      if (!Files.isExecutable(npm)) {
        npm = findExecutable("npm");
      }
      LOGGER.info(
          "installing {} dependencies with npm ci (node_modules missing or older than lockfile)",
          dir);
      long started = System.nanoTime();
      run(List.of(npm.toString(), "ci", "--no-audit", "--no-fund"), dir, NPM_TIMEOUT_MINUTES);
      LOGGER.info("npm ci finished in {} ms", (System.nanoTime() - started) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install node dependencies in " + dir, e);
    }
  }

  /**
   * {@code <checkout>/.migrator/npm-ci.lock}: nothing generated may be written under the source
   * tree, because bin/migrator rebuilds whenever a file there is newer than the CLI jar.
   * (node_modules has to stay beside server.mjs, where node resolves imports; bin/migrator skips
   * it.)
   */
  Path lockFile() throws IOException {
    Path checkout = dir;
    for (int i = 0; i < Path.of(RELATIVE_DIR).getNameCount(); i++) {
      checkout = checkout.getParent();
    }
    return Files.createDirectories(checkout.resolve(".migrator")).resolve("npm-ci.lock");
  }

  private boolean isInstalled(Path lockfile) throws IOException {
    // npm writes node_modules/.package-lock.json on every install; it is older than the lockfile
    // after a change.
    Path installed = dir.resolve("node_modules/.package-lock.json");
    return Files.isRegularFile(installed)
        && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lockfile)) >= 0;
  }

  /**
   * Runs a short command to completion; a non-zero exit is an error that carries the command's
   * output.
   */
  private static String run(List<String> command, Path workDir, long timeoutMinutes) {
    Path outputFile = null;
    try {
      // Output goes to a file, not a pipe, so the timeout holds even if the command never closes
      // its output.
      outputFile = Files.createTempFile("migrator-cmd", ".log");
      Process process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(outputFile.toFile())
              .start();
      process.getOutputStream().close();
      if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command)
                + " did not finish within "
                + timeoutMinutes
                + " min in "
                + workDir);
      }
      String text = Files.readString(outputFile, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command)
                + " failed in "
                + workDir
                + " (exit "
                + process.exitValue()
                + "):\n"
                + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } finally {
      if (outputFile != null) {
        try {
          Files.deleteIfExists(outputFile);
        } catch (IOException e) {
          LOGGER.debug("cannot delete {}", outputFile, e);
        }
      }
    }
  }
}
