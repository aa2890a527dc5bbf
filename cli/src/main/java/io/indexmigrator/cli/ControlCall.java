package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** Invokes the ControlFunction synchronously and turns a function error into a UserError. */
final class ControlCall {
  static final ObjectMapper JSON = new ObjectMapper();

  private ControlCall() {}

  static JsonNode invoke(Deployment deployment, ObjectNode request) {
    try (LambdaClient lambda = deployment.lambda()) {
      var response =
          lambda.invoke(
              r ->
                  r.functionName(deployment.functionName("ControlFunction"))
                      .payload(SdkBytes.fromUtf8String(request.toString())));
      JsonNode payload = JSON.readTree(response.payload().asUtf8String());
      if (response.functionError() != null) {
        String type = payload.path("errorType").asText("error");
        String message = payload.path("errorMessage").asText(payload.toString());
        throw new FunctionError(
            type,
            type.endsWith("MigrationFailedException")
                    || type.endsWith("RecipeException")
                    || type.endsWith("RolloverRefusedException")
                ? message
                : type + ": " + message);
      }
      return payload;
    } catch (UserError e) {
      throw e;
    } catch (Exception e) {
      throw new UserError("calling the control function failed: " + e.getMessage());
    }
  }

  /** The function ran and threw; {@code type} is the exception's class name. */
  static final class FunctionError extends UserError {
    final String type;

    FunctionError(String type, String message) {
      super(message);
      this.type = type;
    }

    /** The core refused before changing anything. */
    boolean refused() {
      return type.endsWith("RolloverRefusedException");
    }
  }
}
