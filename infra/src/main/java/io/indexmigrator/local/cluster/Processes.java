package io.indexmigrator.local.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Operating-system chores of the launcher: users, ownership, deletion, log tails. */
final class Processes {

  private Processes() {}

  /** Whether this JVM runs as root, which the engines refuse to do. */
  static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /**
   * Makes sure a system user exists to run engines as, creating it when missing. Tolerates a
   * concurrent launcher creating the same user.
   */
  static synchronized void ensureUser(String user) {
    if (userExists(user)) {
      return;
    }
    String output =
        run(
            List.of(
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                "--user-group",
                user));
    if (!userExists(user)) {
      throw new IllegalStateException("could not create user '" + user + "': " + output);
    }
  }

  private static boolean userExists(String user) {
    try {
      Process p = new ProcessBuilder("id", "-u", user).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run 'id'", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Runs a short command and returns its combined output, whatever its exit status. */
  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return output.strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /** Name of a user's primary group. */
  static String primaryGroup(String user) {
    String group = run(List.of("id", "-gn", user));
    if (group.isEmpty() || group.contains(" ")) {
      throw new IllegalStateException("cannot find the group of user '" + user + "': " + group);
    }
    return group;
  }

  /** Gives a directory tree to a user and their primary group. */
  static void chownRecursively(Path root, String user) throws IOException {
    UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal owner = lookup.lookupPrincipalByName(user);
    GroupPrincipal group = lookup.lookupPrincipalByGroupName(primaryGroup(user));
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
      }
    }
  }

  /** Deletes a tree; files vanishing meanwhile (an engine still shutting down) are fine. */
  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** The last lines of a text file, or a note that it is missing. */
  static String tail(Path file, int lines) {
    if (!Files.exists(file)) {
      return "(no log at " + file + ")";
    }
    Deque<String> last = new ArrayDeque<>();
    try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
      all.forEach(
          line -> {
            last.addLast(line);
            if (last.size() > lines) {
              last.removeFirst();
            }
          });
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
    return String.join("\n", last);
  }
}
