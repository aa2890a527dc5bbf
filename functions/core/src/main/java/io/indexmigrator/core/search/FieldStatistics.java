package io.indexmigrator.core.search;

import java.util.Optional;

/** What a source cluster says about the values of one field, for planning a partitioned copy. */
public interface FieldStatistics {

  /**
   * The smallest and largest value of a numeric or date field over every document of {@code index}
   * (dates in epoch milliseconds), read from all its shards.
   *
   * @return empty when no document has a value for the field
   * @throws SearchClusterException when a shard does not answer, or the field cannot be aggregated
   */
  Optional<ValueRange> valueRange(String index, String field);

  /** The extremes of a field; {@code min <= max}. */
  record ValueRange(double min, double max) {
    public ValueRange {
      if (!(min <= max)) {
        throw new IllegalArgumentException("min " + min + " is above max " + max);
      }
    }
  }
}
