package io.indexmigrator.core.state;

import java.time.Instant;
import java.util.Objects;

/**
 * The head record of a recipe: its validated document (opaque JSON here), lifecycle status and the
 * Step Functions execution driving it.
 *
 * @param generation starts at 1; each initialization after the recipe finished adds one
 * @param document the validated recipe as JSON, at most 300 KB
 * @param executionArn the running execution, or null
 * @param failure why the recipe failed, or null; cut to 4000 characters
 * @param version optimistic lock, raised by one on every write
 */
public record RecipeRecord(
    String name,
    int generation,
    String document,
    RecipeStatus status,
    String executionArn,
    String failure,
    Instant createdAt,
    Instant updatedAt,
    long version) {

  public RecipeRecord {
    new RecipeRef(name, generation);
    Objects.requireNonNull(document, "document");
    StateLimits.requireJsonSize(
        "recipe '" + name + "' document", document, StateLimits.MAX_DOCUMENT_BYTES);
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    failure = StateLimits.truncate(failure, StateLimits.MAX_MESSAGE_CHARS);
  }

  public RecipeRef ref() {
    return new RecipeRef(name, generation);
  }

  public RecipeRecord withStatus(RecipeStatus newStatus) {
    return new RecipeRecord(
        name,
        generation,
        document,
        newStatus,
        executionArn,
        failure,
        createdAt,
        updatedAt,
        version);
  }

  public RecipeRecord withExecutionArn(String arn) {
    return new RecipeRecord(
        name, generation, document, status, arn, failure, createdAt, updatedAt, version);
  }

  public RecipeRecord withFailure(String message) {
    return new RecipeRecord(
        name, generation, document, status, executionArn, message, createdAt, updatedAt, version);
  }

  public RecipeRecord withDocument(String json) {
    return new RecipeRecord(
        name, generation, json, status, executionArn, failure, createdAt, updatedAt, version);
  }

  /** The store's stamp on a successful write; callers never set version or updatedAt. */
  RecipeRecord stamped(long newVersion, Instant at) {
    return new RecipeRecord(
        name, generation, document, status, executionArn, failure, createdAt, at, newVersion);
  }
}
