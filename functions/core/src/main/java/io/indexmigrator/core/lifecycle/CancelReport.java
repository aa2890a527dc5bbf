package io.indexmigrator.core.lifecycle;

import java.util.List;

/** What {@code cancel} did. */
public record CancelReport(
    String recipe,
    String previousStatus,
    boolean executionStopped,
    List<String> tasksCancelled,
    List<String> blocksLifted,
    List<String> indexesDeleted,
    List<String> indexesKept) {}
