package io.indexmigrator.core.recipe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One entry of a recipe's {@code indexes} list, exactly as written (without the recipe prefix).
 *
 * <p>JSON components are defensively copied in and out, so the record stays immutable even though
 * Jackson nodes are not.
 *
 * @param source concrete index name, alias or wildcard pattern
 * @param destination explicit destination index name, or {@code null} to derive one per source
 *     index
 * @param settings settings for the destination, inline or read from {@code settingsFile}; {@code
 *     null} when the recipe gives none (the source's settings are used)
 * @param mappings mappings for the destination, inline or read from {@code mappingsFile}; {@code
 *     null} when the recipe gives none (the source's mappings are used)
 * @param transform how documents are changed while copied, or {@code null} to copy them unchanged
 * @param copy effective copy options: the recipe-level ones overridden by this entry's {@code copy}
 */
public record IndexSpec(
    String source,
    String destination,
    ObjectNode settings,
    ObjectNode mappings,
    Transform transform,
    CopyOptions copy) {

  public IndexSpec {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(copy, "copy");
    settings = settings == null ? null : settings.deepCopy();
    mappings = mappings == null ? null : mappings.deepCopy();
  }

  @Override
  public ObjectNode settings() {
    return settings == null ? null : settings.deepCopy();
  }

  @Override
  public ObjectNode mappings() {
    return mappings == null ? null : mappings.deepCopy();
  }

  /** Whether {@link #source()} is a wildcard pattern that may match any number of indexes. */
  public boolean isPattern() {
    return source.indexOf('*') >= 0;
  }
}
