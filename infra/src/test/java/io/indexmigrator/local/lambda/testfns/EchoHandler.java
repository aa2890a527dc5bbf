package io.indexmigrator.local.lambda.testfns;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** Echoes its input with what the function sees of its environment; sleeps if asked to. */
public class EchoHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
    if (input != null && input.get("sleepMs") instanceof Number sleep) {
      try {
        Thread.sleep(sleep.longValue());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    context.getLogger().log("echoing for " + context.getAwsRequestId());
    Map<String, Object> env = new LinkedHashMap<>();
    for (String name :
        new String[] {
          "GREETING",
          "AWS_LAMBDA_FUNCTION_NAME",
          "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
          "AWS_LAMBDA_FUNCTION_VERSION",
          "AWS_REGION",
          "AWS_DEFAULT_REGION",
          "_HANDLER",
          "TZ",
          "AWS_ACCESS_KEY_ID"
        }) {
      env.put(name, System.getenv(name));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("input", input);
    out.put("env", env);
    out.put("requestId", context.getAwsRequestId());
    out.put("invokedFunctionArn", context.getInvokedFunctionArn());
    out.put("remainingMs", context.getRemainingTimeInMillis());
    out.put("pid", ProcessHandle.current().pid());
    out.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    return out;
  }
}
