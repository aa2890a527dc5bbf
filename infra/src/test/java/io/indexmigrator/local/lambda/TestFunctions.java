package io.indexmigrator.local.lambda;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.indexmigrator.local.lambda.testfns.EchoHandler;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.joda.time.DateTime;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** The test handlers as function specs, and an SDK client for a host. */
final class TestFunctions {

  private TestFunctions() {}

  /** The test classes plus the jars the test handlers need, as a shaded function jar would hold. */
  static List<Path> classpath() {
    Set<Path> paths = new LinkedHashSet<>();
    // aws-lambda-java-events needs joda-time for its date fields, as the shaded function jar has
    // it.
    for (Class<?> type :
        List.of(EchoHandler.class, SQSEvent.class, RequestHandler.class, DateTime.class)) {
      try {
        paths.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()));
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return List.copyOf(paths);
  }

  static FunctionSpec function(
      String name,
      Class<?> handler,
      Duration timeout,
      int maxConcurrency,
      Map<String, String> env) {
    return new FunctionSpec(
        name, handler.getName(), classpath(), env, timeout, 256, maxConcurrency);
  }

  static LambdaClient lambdaClient(LocalLambdaHost host) {
    return LambdaClient.builder()
        .endpointOverride(host.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(3)).build())
        .overrideConfiguration(
            ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofMinutes(3)).build())
        .build();
  }
}
