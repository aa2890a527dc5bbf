package io.indexmigrator.local.lambda;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of one synchronous invocation, as the Invoke API reports it.
 *
 * @param requestId the invocation's request id
 * @param payload the function's response, or the error document when {@code functionError} is set
 * @param functionError {@code null} on success, else the value of {@code X-Amz-Function-Error}
 *     ({@code Unhandled})
 */
record InvocationResult(String requestId, byte[] payload, String functionError) {

  static final String UNHANDLED = "Unhandled";

  static InvocationResult success(String requestId, byte[] payload) {
    return new InvocationResult(requestId, payload, null);
  }

  static InvocationResult unhandled(String requestId, byte[] errorDocument) {
    return new InvocationResult(requestId, errorDocument, UNHANDLED);
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

  String payloadText() {
    return new String(payload, StandardCharsets.UTF_8);
  }
}
