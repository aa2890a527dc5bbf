package io.indexmigrator.local.lambda.testfns;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Always fails with a custom exception naming the index it was given. */
public class ThrowingHandler implements RequestHandler<Map<String, Object>, String> {
  @Override
  public String handleRequest(Map<String, Object> input, Context context) {
    throw new IndexCorruptedException("index " + input.get("index") + " is corrupted");
  }
}
