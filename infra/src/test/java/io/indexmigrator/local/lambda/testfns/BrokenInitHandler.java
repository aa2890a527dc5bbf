package io.indexmigrator.local.lambda.testfns;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Fails in its constructor, i.e. during the environment's init phase. */
public class BrokenInitHandler implements RequestHandler<Map<String, Object>, String> {

  public BrokenInitHandler() {
    throw new IllegalStateException("SOURCE_CLUSTER_URL is not set");
  }

  @Override
  public String handleRequest(Map<String, Object> input, Context context) {
    return "unreachable";
  }
}
