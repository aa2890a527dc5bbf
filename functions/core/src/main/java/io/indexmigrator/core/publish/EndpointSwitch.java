package io.indexmigrator.core.publish;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What an application reads to know where its indexes live: the document a cross-cluster cut-over
 * publishes (the SSM parameter's value, the event's detail). A rollback publishes one too, naming
 * the old cluster again; {@code id} tells the two apart, and a repeat of the same publication.
 *
 * @param recipe the recipe that moved the indexes
 * @param id unique per publication; an event delivered twice carries the same id
 * @param state {@code switched} (use {@code cluster} from now on), {@code rolled-back} (use {@code
 *     cluster} again: the migration was undone) or {@code committed} (the old cluster is released)
 * @param cluster the name of the cluster applications should use
 * @param endpoint its URL
 * @param previousCluster the cluster applications used until now
 * @param previousEndpoint its URL
 * @param aliases alias (or former index name) → the index it names on {@code cluster}
 * @param indexes each source index → its copy on the new cluster
 * @param at when it was decided
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointSwitch(
    String recipe,
    String id,
    String state,
    String cluster,
    String endpoint,
    String previousCluster,
    String previousEndpoint,
    Map<String, String> aliases,
    Map<String, String> indexes,
    Instant at) {

  public static final String SWITCHED = "switched";
  public static final String ROLLED_BACK = "rolled-back";
  public static final String COMMITTED = "committed";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
          .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  public EndpointSwitch {
    Objects.requireNonNull(recipe, "recipe");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(cluster, "cluster");
    aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
    indexes = indexes == null ? Map.of() : Map.copyOf(indexes);
  }

  /** The same switch in another state, with a new id: a rollback or a commit of it. */
  public EndpointSwitch then(String newState, String newId, Instant when) {
    if (ROLLED_BACK.equals(newState)) {
      return new EndpointSwitch(
          recipe,
          newId,
          newState,
          previousCluster,
          previousEndpoint,
          cluster,
          endpoint,
          Map.of(),
          Map.of(),
          when);
    }
    return new EndpointSwitch(
        recipe,
        newId,
        newState,
        cluster,
        endpoint,
        previousCluster,
        previousEndpoint,
        aliases,
        indexes,
        when);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static EndpointSwitch parse(String json) {
    try {
      return JSON.readValue(json, EndpointSwitch.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("not an endpoint switch document: " + e.getMessage(), e);
    }
  }
}
