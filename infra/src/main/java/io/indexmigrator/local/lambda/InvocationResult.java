package io.indexmigrator.local.lambda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The outcome of one synchronous invocation, as the Invoke API reports it.
 *
 * @param requestId the invocation's request id
 * @param payload the function's response, or the error document when {@code functionError} is set
 * @param functionError {@code null} on success, else the value of {@code X-Amz-Function-Error}
 *     ({@code Unhandled})
 * @param logTail the end of the invocation's log (START to REPORT), or {@code null}
 */
record InvocationResult(String requestId, byte[] payload, String functionError, byte[] logTail) {

  static final String UNHANDLED = "Unhandled";

  static InvocationResult success(String requestId, byte[] payload) {
    return new InvocationResult(requestId, payload, null, null);
  }

  static InvocationResult unhandled(String requestId, byte[] errorDocument) {
    return new InvocationResult(requestId, errorDocument, UNHANDLED, null);
  }

  InvocationResult withLogTail(byte[] log) {
    return new InvocationResult(requestId, payload, functionError, log);
  }

  /** An error the platform raises itself (timeout, crash), shaped as Lambda shapes it. */
  static InvocationResult platformError(String requestId, String errorType, String errorMessage) {
    String json =
        "{\"errorType\":"
            + JsonText.quote(errorType)
            + ",\"errorMessage\":"
            + JsonText.quote(errorMessage)
            + "}";
    return unhandled(requestId, json.getBytes(StandardCharsets.UTF_8));
  }

  boolean failed() {
    return functionError != null;
  }

  /** The error type of a failed invocation, or {@code null} if it is not in the payload. */
  String errorType() {
    try {
      var node = JsonText.MAPPER.readTree(payload).get("errorType");
      return node == null ? null : node.asText();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  String payloadText() {
    return new String(payload, StandardCharsets.UTF_8);
  }
}
