package io.indexmigrator.local.lambda.testfns;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Kills its own JVM when asked to, like a handler that calls System.exit or dies of OOM. */
public class ExitingHandler implements RequestHandler<Map<String, Object>, Long> {
  @Override
  public Long handleRequest(Map<String, Object> input, Context context) {
    if (Boolean.TRUE.equals(input.get("exit"))) {
      System.exit(3);
    }
    return ProcessHandle.current().pid();
  }
}
