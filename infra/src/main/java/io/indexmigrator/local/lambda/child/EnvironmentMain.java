package io.indexmigrator.local.lambda.child;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;

/**
 * Entry point of a local execution environment: runs the official runtime interface client, but
 * first ties the JVM's life to its parent, the Lambda host.
 *
 * <p>The runtime client only notices a vanished host on its next call to the Runtime API; a handler
 * that is busy (or hangs) would live on as an orphan if the host JVM were killed. This class must
 * stay self-contained (one class file, no other project classes): the host copies it next to the
 * function's code rather than putting the whole host on the function's classpath.
 */
public final class EnvironmentMain {

  private EnvironmentMain() {}

  public static void main(String[] args) throws Throwable {
    ProcessHandle.current()
        .parent()
        .ifPresentOrElse(
            host -> host.onExit().thenRun(() -> Runtime.getRuntime().halt(137)),
            () -> Runtime.getRuntime().halt(137));
    AWSLambda.main(args);
  }
}
