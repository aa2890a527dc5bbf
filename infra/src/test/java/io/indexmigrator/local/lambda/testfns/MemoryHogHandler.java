package io.indexmigrator.local.lambda.testfns;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Exhausts its heap when asked to, like a handler that loads too large a batch of documents. */
public class MemoryHogHandler implements RequestHandler<Map<String, Object>, Long> {
  @Override
  public Long handleRequest(Map<String, Object> input, Context context) {
    if (Boolean.TRUE.equals(input.get("hog"))) {
      List<long[]> hoard = new ArrayList<>();
      while (true) {
        hoard.add(new long[1 << 20]);
      }
    }
    return ProcessHandle.current().pid();
  }
}
