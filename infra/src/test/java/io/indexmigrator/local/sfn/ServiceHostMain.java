package io.indexmigrator.local.sfn;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a local Step Functions service in a JVM of its own, so a test can kill that JVM and check
 * that the Node process does not outlive it. Prints {@code READY} once the service answers.
 */
public final class ServiceHostMain {

  private ServiceHostMain() {}

  public static void main(String[] args) throws InterruptedException {
    LocalStepFunctions.start(0, List.of(), URI.create("http://127.0.0.1:9"), Path.of(args[0]));
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
