package io.indexmigrator.core.search;

import java.util.List;

/**
 * Whether new mappings can be applied to an existing index with a put-mapping call.
 *
 * @param addedFields dotted paths of fields the new mappings add
 * @param conflicts one sentence per change the cluster would refuse (type changes, changed
 *     analysis, ...); empty when the change is additive
 */
public record MappingCompatibility(List<String> addedFields, List<String> conflicts) {

  public MappingCompatibility {
    addedFields = List.copyOf(addedFields);
    conflicts = List.copyOf(conflicts);
  }

  /** True when only new fields or updatable parameters are involved. */
  public boolean additive() {
    return conflicts.isEmpty();
  }
}
