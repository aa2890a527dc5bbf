package io.indexmigrator.core.state;

/**
 * An alias to move from the source to the destination at rollover, as the source had it.
 *
 * @param filterJson the alias filter as JSON, or null
 * @param isWriteIndex null when the source did not say
 */
public record AliasSpec(
    String name,
    String filterJson,
    String routing,
    String indexRouting,
    String searchRouting,
    Boolean isWriteIndex) {

  public AliasSpec {
    StateLimits.requireName("alias name", name);
  }

  public static AliasSpec named(String name) {
    return new AliasSpec(name, null, null, null, null, null);
  }
}
