package io.indexmigrator.local.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/** Lambda's rules for a partial batch response, shared by the SQS and stream pollers. */
final class BatchItemFailures {
  private BatchItemFailures() {}

  /**
   * The item identifiers the response reports as failed: empty when the response is null or empty,
   * or its list is (all succeeded); null when the response fails the whole batch because nothing
   * can be made of it (bad JSON, an identifier that is missing, empty or not in the batch).
   */
  static Set<String> parse(InvocationResult result, Collection<String> batchIds) {
    String text = result.payloadText().strip();
    if (text.isEmpty() || text.equals("null")) {
      return Set.of();
    }
    JsonNode response;
    try {
      response = JsonText.MAPPER.readTree(text);
    } catch (IOException e) {
      return null;
    }
    if (response == null || response.isNull()) {
      return Set.of();
    }
    if (!response.isObject()) {
      return null;
    }
    JsonNode failures = response.get("batchItemFailures");
    if (failures == null || failures.isNull()) {
      return Set.of();
    }
    if (!failures.isArray()) {
      return null;
    }
    Set<String> failed = new HashSet<>();
    for (JsonNode failure : failures) {
      JsonNode id = failure.get("itemIdentifier");
      if (id == null
          || !id.isTextual()
          || id.asText().isEmpty()
          || !batchIds.contains(id.asText())) {
        return null;
      }
      failed.add(id.asText());
    }
    return failed;
  }
}
