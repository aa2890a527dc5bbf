package io.indexmigrator.local.lambda;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Lambda function as the local host runs it: the equivalent of an {@code
 * AWS::Serverless::Function}.
 *
 * @param name the function name, as in {@code FunctionName} (also accepted inside an ARN)
 * @param handler {@code pkg.Class::method} or {@code pkg.Class}, as in the template's {@code
 *     Handler}
 * @param classpath the function code: usually the one shaded jar, or class directories plus jars
 * @param environment the function's own environment variables; Lambda's reserved ones are added by
 *     the host
 * @param timeout the longest one invocation may run before its environment is killed
 * @param memoryMb the configured memory; the child JVM's heap is derived from it (capped)
 * @param maxConcurrency how many execution environments may run at once; further invocations queue
 */
public record FunctionSpec(
    String name,
    String handler,
    List<Path> classpath,
    Map<String, String> environment,
    Duration timeout,
    int memoryMb,
    int maxConcurrency) {

  public FunctionSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(handler, "handler");
    if (!name.matches("[a-zA-Z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("Function name '" + name + "' is not a valid Lambda name");
    }
    if (handler.isBlank()) {
      throw new IllegalArgumentException("Function " + name + " has an empty handler");
    }
    classpath = List.copyOf(Objects.requireNonNull(classpath, "classpath"));
    if (classpath.isEmpty()) {
      throw new IllegalArgumentException("Function " + name + " has an empty classpath");
    }
    environment = Map.copyOf(environment == null ? Map.of() : environment);
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "Function " + name + " timeout must be positive: " + timeout);
    }
    if (memoryMb < 128) {
      throw new IllegalArgumentException(
          "Function " + name + " memory must be at least 128 MB, was " + memoryMb);
    }
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException(
          "Function " + name + " maxConcurrency must be at least 1, was " + maxConcurrency);
    }
  }
}
