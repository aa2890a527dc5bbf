package io.indexmigrator.local.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What Lambda's managed Java runtime provides before the function's own code: the runtime interface
 * client's jars (found on the host's own classpath, so the versions are the ones Maven resolved)
 * and its native library.
 *
 * @param classpath the entry point directory, then the runtime jars
 * @param nativeClient the runtime client's JNI library, extracted once for all environments
 */
record ManagedRuntime(List<Path> classpath, Path nativeClient) {

  /** The system property the runtime client reads instead of unpacking its library itself. */
  static final String NATIVE_CLIENT_PROPERTY =
      "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

  /** One class from each jar the runtime interface client needs at run time. */
  private static final List<String> MARKER_CLASSES =
      List.of(
          "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
          "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
          "com.amazonaws.services.lambda.runtime.Context",
          "software.amazon.awssdk.utilslite.SdkInternalThreadLocal");

  private static final String ENTRY_POINT_RESOURCE =
      "io/indexmigrator/local/lambda/child/EnvironmentMain.class";

  /**
   * Lays the runtime out under {@code workDir/.runtime}. The entry point gets a directory of its
   * own so the host's other classes stay off the function's classpath. The native library is
   * extracted here because the runtime client would otherwise unpack it to one fixed path in /tmp,
   * and JVMs starting together then crash on each other's half-written copy.
   */
  static ManagedRuntime prepare(Path workDir) throws IOException {
    Path runtimeDir = workDir.resolve(".runtime").toAbsolutePath();
    Path entryPointDir = runtimeDir.resolve("classes");
    copyResource(ENTRY_POINT_RESOURCE, entryPointDir.resolve(ENTRY_POINT_RESOURCE));
    Path nativeClient = runtimeDir.resolve("libaws-lambda-jni.so");
    copyResource("jni/" + nativeLibraryName(), nativeClient);

    Set<Path> paths = new LinkedHashSet<>();
    paths.add(entryPointDir);
    for (String className : MARKER_CLASSES) {
      paths.add(locationOf(className));
    }
    return new ManagedRuntime(new ArrayList<>(paths), nativeClient);
  }

  private static String nativeLibraryName() {
    String arch =
        switch (System.getProperty("os.arch")) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch_64";
          default ->
              throw new IllegalStateException(
                  "The Lambda runtime client has no native library for "
                      + System.getProperty("os.arch"));
        };
    if (!System.getProperty("os.name").equals("Linux")) {
      throw new IllegalStateException(
          "Local Lambda environments need Linux (the runtime client is Linux-only), not "
              + System.getProperty("os.name"));
    }
    boolean musl;
    try (var libs = Files.list(Path.of("/lib"))) {
      musl = libs.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
    } catch (IOException e) {
      musl = false;
    }
    return "libaws-lambda-jni." + (musl ? "linux_musl-" : "linux-") + arch + ".so";
  }

  private static void copyResource(String resource, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try (InputStream in = ManagedRuntime.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing " + resource + " on the host classpath");
      }
      // Copy then move, so a concurrently starting environment never sees a partial file.
      Path partial =
          Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static Path locationOf(String className) {
    try {
      Class<?> type = Class.forName(className, false, ManagedRuntime.class.getClassLoader());
      CodeSource source = type.getProtectionDomain().getCodeSource();
      if (source == null || source.getLocation() == null) {
        throw new IllegalStateException("Cannot tell which jar holds " + className);
      }
      return Path.of(source.getLocation().toURI()).toAbsolutePath();
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "The Lambda runtime interface client is not on the host classpath (missing "
              + className
              + ")",
          e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Unusable code source for " + className, e);
    }
  }
}
