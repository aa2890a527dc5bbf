package io.indexmigrator.core.search;

import io.indexmigrator.core.MigrationFailedException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The clusters a migration can name, by the names recipes use. {@value #DEFAULT} is the cluster the
 * functions are configured for: the destination of every recipe and the source of in-cluster ones.
 */
public interface Clusters {
  String DEFAULT = "default";

  /**
   * The cluster called {@code name}.
   *
   * @throws MigrationFailedException listing the known names, when there is none called so
   */
  SearchCluster cluster(String name);

  /** The known names, {@value #DEFAULT} first. */
  Set<String> names();

  default SearchCluster defaultCluster() {
    return cluster(DEFAULT);
  }

  default boolean contains(String name) {
    return names().contains(name);
  }

  /** Only the default cluster. */
  static Clusters of(SearchCluster defaultCluster) {
    return of(Map.of(DEFAULT, defaultCluster));
  }

  /** Fixed clusters, already connected; {@code clusters} must contain {@value #DEFAULT}. */
  static Clusters of(Map<String, ? extends SearchCluster> clusters) {
    if (!clusters.containsKey(DEFAULT)) {
      throw new IllegalArgumentException("no '" + DEFAULT + "' cluster in " + clusters.keySet());
    }
    Map<String, SearchCluster> ordered = new LinkedHashMap<>();
    ordered.put(DEFAULT, Objects.requireNonNull(clusters.get(DEFAULT)));
    ordered.putAll(clusters);
    Map<String, SearchCluster> fixed = Collections.unmodifiableMap(ordered);
    return new Clusters() {
      @Override
      public SearchCluster cluster(String name) {
        SearchCluster cluster = fixed.get(name);
        if (cluster == null) {
          throw unknown(name, fixed.keySet());
        }
        return cluster;
      }

      @Override
      public Set<String> names() {
        return fixed.keySet();
      }
    };
  }

  /** The error for a name no cluster has, naming those that exist and where they come from. */
  static MigrationFailedException unknown(String name, Set<String> known) {
    return new MigrationFailedException(
        "no cluster named '"
            + name
            + "'; the functions know "
            + String.join(", ", known.stream().map(n -> "'" + n + "'").toList())
            + " (named clusters come from the template's SourceCluster* parameters, i.e. the"
            + " NAMED_CLUSTERS variable)");
  }
}
