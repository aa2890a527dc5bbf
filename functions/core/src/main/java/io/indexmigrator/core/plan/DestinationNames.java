package io.indexmigrator.core.plan;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Derives destination index names: {@code <base name>-<yyyyMMddHHmmss>} in UTC, where the base name
 * is the source name without a trailing {@code -<14-digit timestamp>} or {@code -v<N>}. So {@code
 * records}, {@code records-v3} and {@code records-20240101120000} all become {@code records-<now>},
 * and migrating a migrated index again does not grow its name.
 */
public final class DestinationNames {
  private static final Pattern VERSION_SUFFIX = Pattern.compile("-(\\d{14}|v\\d+)$");
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  private DestinationNames() {}

  /** {@code name} without a trailing timestamp or version suffix. */
  public static String baseName(String name) {
    return VERSION_SUFFIX.matcher(name).replaceFirst("");
  }

  /** The destination name derived from {@code sourceName} for a plan made at {@code at}. */
  public static String derive(String sourceName, Instant at) {
    return baseName(sourceName) + "-" + TIMESTAMP.format(at);
  }
}
