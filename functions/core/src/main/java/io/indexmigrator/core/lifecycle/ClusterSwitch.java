package io.indexmigrator.core.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.indexmigrator.core.MigrationFailedException;
import io.indexmigrator.core.publish.EndpointSwitch;
import io.indexmigrator.core.publish.SwitchPublisher;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.SyncOptions;
import io.indexmigrator.core.search.AliasAction;
import io.indexmigrator.core.search.AliasInfo;
import io.indexmigrator.core.search.ResolvedExpression;
import io.indexmigrator.core.search.SearchCluster;
import io.indexmigrator.core.state.ConflictException;
import io.indexmigrator.core.state.IndexRecord;
import io.indexmigrator.core.state.RecipeRecord;
import io.indexmigrator.core.state.RecipeRef;
import io.indexmigrator.core.state.RecipeStatus;
import io.indexmigrator.core.state.RolloverPhase;
import io.indexmigrator.core.state.RolloverRecord;
import io.indexmigrator.core.verify.VerificationResult;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a cross-cluster cut-over, and what may follow it: {@code commit} or {@code rollback}.
 *
 * <p>Once the destinations are proven equal under the source's write block, the aliases the sources
 * carry are created on the destination cluster (so applications change only the endpoint), and the
 * switch is published. Publishing is the point of no return: before it nobody was told, so a
 * failure removes those aliases and lifts the block; after it the source stays blocked, frozen as
 * the rollback point. Whether it was published is read back from the publisher after a crash,
 * whatever the state table says.
 */
final class ClusterSwitch {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSwitch.class);
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
          .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final Lifecycle lifecycle;
  private final SwitchPublisher publisher;
  private final RolloverCoordinator coordinator;

  ClusterSwitch(Lifecycle lifecycle, SwitchPublisher publisher, RolloverCoordinator coordinator) {
    this.lifecycle = lifecycle;
    this.publisher = publisher;
    this.coordinator = coordinator;
  }

  /**
   * What the rollover record keeps of a switch: what was (or is about to be) published, the aliases
   * created for it on the destination cluster, and each destination shard's checkpoint at the
   * switch, against which a rollback counts the writes made since.
   */
  record SwitchState(
      EndpointSwitch published,
      Map<String, List<String>> aliasesAdded,
      Map<String, Map<Integer, Long>> checkpoints,
      String rollbackId,
      List<String> held) {

    SwitchState {
      held = held == null ? List.of() : List.copyOf(held);
    }

    SwitchState holding(List<String> indexes) {
      return new SwitchState(published, aliasesAdded, checkpoints, rollbackId, indexes);
    }

    String toJson() {
      try {
        return JSON.writeValueAsString(this);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static SwitchState parse(String json) {
      try {
        return JSON.readValue(json, SwitchState.class);
      } catch (IOException e) {
        throw new MigrationFailedException("the rollover's switch record is unreadable: " + e, e);
      }
    }
  }

  /** Creates the aliases on the destination cluster and publishes the switch. */
  RolloverReport switchOver(
      RecipeRef ref,
      Recipe parsed,
      RolloverRecord record,
      List<IndexRecord> indexes,
      List<VerificationResult> results,
      RolloverCoordinator.BlockedWindow window,
      long backlogAtBlock,
      long blockedAtNanos,
      String mode) {
    SearchCluster source = lifecycle.sourceOf(parsed);
    SearchCluster destination = lifecycle.destinationOf(parsed);
    Map<String, String> aliasMap = new LinkedHashMap<>();
    Map<String, List<String>> added = new LinkedHashMap<>();
    Map<String, String> indexMap = new LinkedHashMap<>();
    List<AliasAction> actions = new ArrayList<>();
    for (IndexRecord index : indexes) {
      indexMap.put(index.source(), index.destination());
      for (AliasInfo alias : sourceAliases(source, index, parsed.rollover().moveAliases())) {
        actions.add(new AliasAction.Add(alias.onIndex(index.destination())));
        added.computeIfAbsent(index.destination(), d -> new ArrayList<>()).add(alias.alias());
        aliasMap.put(alias.alias(), index.destination());
      }
      // An application that names the index itself finds it under the same name on the new
      // cluster, unless that cluster already has something of that name.
      if (!index.source().equals(index.destination())
          && !aliasMap.containsKey(index.source())
          && !destination.indexExists(index.source())) {
        actions.add(new AliasAction.Add(AliasInfo.plain(index.source(), index.destination())));
        added.computeIfAbsent(index.destination(), d -> new ArrayList<>()).add(index.source());
        aliasMap.put(index.source(), index.destination());
      }
    }
    Map<String, Map<Integer, Long>> checkpoints = new LinkedHashMap<>();
    for (IndexRecord index : indexes) {
      checkpoints.put(index.destination(), destination.shardCheckpoints(index.destination()));
    }
    Instant now = lifecycle.clock().instant();
    EndpointSwitch change =
        new EndpointSwitch(
            ref.name(),
            newId(ref),
            EndpointSwitch.SWITCHED,
            parsed.destination().cluster(),
            publisher.endpointOf(parsed.destination().cluster()).toString(),
            parsed.source().cluster(),
            publisher.endpointOf(parsed.source().cluster()).toString(),
            aliasMap,
            indexMap,
            now);
    SwitchState state = new SwitchState(change, added, checkpoints, null, List.of());
    // The intent first: a crash after the aliases exist must know which to remove.
    record = lifecycle.store().saveRollover(record.withSwitch(state.toJson()));
    if (!actions.isEmpty()) {
      destination.updateAliases(actions);
    }
    record = lifecycle.store().saveRollover(record.withPhase(RolloverPhase.SWAPPED));
    window.step("aliases");
    SwitchPublisher.Publication publication = publisher.publish(change);
    window.step("publish");
    long blockedUntilSwitch = (System.nanoTime() - blockedAtNanos) / 1_000_000;
    coordinator.finish(
        ref,
        lifecycle
            .store()
            .saveRollover(
                record
                    .withPhase(RolloverPhase.SWITCHED)
                    .withVerification(RolloverCoordinator.toJson(results))
                    .withDrained(backlogAtBlock)
                    .withWriteBlockedMillis(blockedUntilSwitch)),
        RecipeStatus.SWITCHED);
    List<String> described = new ArrayList<>();
    aliasMap.forEach((alias, target) -> described.add(alias + " -> " + target));
    String message =
        "verified and switched to cluster '"
            + change.cluster()
            + "' ("
            + change.endpoint()
            + "): published "
            + publication.parameter()
            + " version "
            + publication.parameterVersion()
            + (publication.eventId() != null ? " and event " + publication.eventId() : "")
            + "; "
            + blockedUntilSwitch
            + " ms from the write block to the switch. The source stays write-blocked as the"
            + " rollback point: 'migrator commit "
            + ref.name()
            + "' releases it, 'migrator rollback "
            + ref.name()
            + "' switches back";
    LOG.info("rollover of {}: {}", ref.name(), message);
    return new RolloverReport(
        ref.name(),
        true,
        mode,
        results,
        blockedUntilSwitch,
        described,
        backlogAtBlock,
        window.steps(),
        message);
  }

  /**
   * Settles a cross-cluster rollover that stopped half-way: finished if its switch was published
   * (the publisher says so), otherwise undone: our aliases removed, our blocks lifted.
   *
   * @throws RuntimeException when the publisher cannot be asked: then nobody knows whether
   *     applications were told, and the source stays blocked (the safe side) until asked again
   */
  RolloverCoordinator.Settled settle(RecipeRef ref, Recipe parsed, String cause) {
    List<IndexRecord> indexes = lifecycle.store().listIndexes(ref);
    RolloverRecord record = lifecycle.store().getRollover(ref).orElseThrow();
    SwitchState state = record.switchJson() == null ? null : SwitchState.parse(record.switchJson());
    boolean published =
        record.phase() == RolloverPhase.SWITCHED
            || (state != null
                && publisher
                    .current(ref.name())
                    .map(current -> current.id().equals(state.published().id()))
                    .orElse(false));
    if (!published) {
      record = coordinator.unfence(record, "stopped before the switch was published: " + cause);
      if (state != null) {
        removeAliases(lifecycle.destinationOf(parsed), state);
      }
      RolloverCoordinator.liftBlocks(lifecycle.sourceOf(parsed), indexes);
      coordinator.forgetBlocks(indexes);
      return new RolloverCoordinator.Settled(false, record, null);
    }
    if (record.phase() != RolloverPhase.SWITCHED) {
      // The parameter holds the switch; its event may not have gone out. Same id: harmless twice.
      publisher.publish(state.published());
    }
    coordinator.finish(
        ref,
        lifecycle.store().saveRollover(record.withPhase(RolloverPhase.SWITCHED)),
        RecipeStatus.SWITCHED);
    RolloverRecord finished = lifecycle.store().getRollover(ref).orElseThrow();
    LOG.warn(
        "rollover of {} had published its switch before it stopped ({}): finished it", ref, cause);
    return new RolloverCoordinator.Settled(
        true,
        finished,
        new RolloverReport(
            ref.name(),
            true,
            null,
            List.of(),
            RolloverCoordinator.valueOr(finished.writeBlockedMillis()),
            List.of(),
            RolloverCoordinator.valueOr(finished.drainedBacklog()),
            Map.of(),
            "the switch to cluster '"
                + state.published().cluster()
                + "' had been published before the rollover stopped ("
                + cause
                + "): finished it; the source stays write-blocked until commit or rollback"));
  }

  /**
   * Switches back to the source cluster, unless the destination has been written since the switch:
   * those writes would be lost.
   */
  RolloverReport rollback(String name, String owner) {
    RecipeRecord recipe = switched(name, "rollback");
    RecipeRef ref = recipe.ref();
    Recipe parsed = lifecycle.parsedRecipe(recipe);
    RolloverRecord record = lease(ref, owner, "rollback");
    SwitchState state = SwitchState.parse(record.switchJson());
    SearchCluster source = lifecycle.sourceOf(parsed);
    SearchCluster destination = lifecycle.destinationOf(parsed);
    List<IndexRecord> indexes = lifecycle.store().listIndexes(ref);
    // The destinations are held while counting their writes, so that none slips in between the
    // count and the switch back; an application already on the new cluster sees a short block.
    // A rollback that died while holding left its holds recorded: they are ours to lift, not an
    // operator's block to keep.
    List<String> heldHere = new ArrayList<>(state.held());
    for (IndexRecord index : indexes) {
      if (!heldHere.contains(index.destination())
          && !RolloverCoordinator.isWriteBlocked(destination, index.destination())) {
        heldHere.add(index.destination());
      }
    }
    // Recorded before any is set, so that a crash between the two leaves nothing unaccounted.
    record = lifecycle.store().saveRollover(record.withSwitch(state.holding(heldHere).toJson()));
    boolean done = false;
    try {
      for (String index : heldHere) {
        destination.setWriteBlock(index, true);
      }
      Map<String, Long> written = new LinkedHashMap<>();
      long total = 0;
      for (IndexRecord index : indexes) {
        Map<Integer, Long> then = state.checkpoints().getOrDefault(index.destination(), Map.of());
        long since = 0;
        for (Map.Entry<Integer, Long> shard :
            destination.shardCheckpoints(index.destination()).entrySet()) {
          since += Math.max(0, shard.getValue() - then.getOrDefault(shard.getKey(), -1L));
        }
        if (since > 0) {
          written.put(index.destination(), since);
          total += since;
        }
      }
      if (total > 0) {
        List<String> where = new ArrayList<>();
        written.forEach((index, n) -> where.add("'" + index + "': " + n));
        throw new RolloverRefusedException(
            "recipe '"
                + name
                + "': the destination cluster '"
                + parsed.destination().cluster()
                + "' has been written since the switch: "
                + total
                + " writes (documents indexed, updated or deleted) in "
                + String.join(", ", where)
                + ". Rolling back would lose them, so nothing was changed; keep the switch with"
                + " 'migrator commit "
                + name
                + "'");
      }
      Instant now = lifecycle.clock().instant();
      String rollbackId = state.rollbackId() != null ? state.rollbackId() : newId(ref);
      EndpointSwitch back = state.published().then(EndpointSwitch.ROLLED_BACK, rollbackId, now);
      SwitchState rolledBackState =
          new SwitchState(
              state.published(), state.aliasesAdded(), state.checkpoints(), rollbackId, heldHere);
      record = lifecycle.store().saveRollover(record.withSwitch(rolledBackState.toJson()));
      // Published first: until then nothing changed, so a failure here leaves the switch whole.
      SwitchPublisher.Publication publication = publisher.publish(back);
      removeAliases(destination, state);
      // Unfenced (ROLLED_BACK) before unblocked: the sync applies the application's writes again.
      record =
          lifecycle
              .store()
              .saveRollover(record.withPhase(RolloverPhase.ROLLED_BACK).withLease(null, null));
      RolloverCoordinator.liftBlocks(source, indexes);
      coordinator.forgetBlocks(indexes);
      RecipeStatus back2 =
          parsed.sync().mode() == SyncOptions.SyncMode.NONE
              ? RecipeStatus.COPIED
              : RecipeStatus.SYNCING;
      lifecycle.store().transition(name, Set.of(RecipeStatus.SWITCHED), back2);
      String message =
          "rolled back to cluster '"
              + back.cluster()
              + "' ("
              + back.endpoint()
              + "): published "
              + publication.parameter()
              + " version "
              + publication.parameterVersion()
              + ", removed "
              + state.aliasesAdded().values().stream().mapToInt(List::size).sum()
              + " aliases from the destination cluster and lifted the source's write block; the"
              + " recipe is "
              + back2
              + " again (rollover may be run again)"
              + (parsed.sync().mode() == SyncOptions.SyncMode.POLL
                  ? "; polling stopped at the switch: 'migrator run "
                      + name
                      + "' resumes it from its checkpoints"
                  : "");
      LOG.info("rollback of {}: {}", name, message);
      done = true;
      return new RolloverReport(name, true, null, List.of(), 0, List.of(), 0, Map.of(), message);
    } finally {
      liftHolds(name, destination, heldHere, ref);
      if (!done) {
        // Failed, not died: the next rollback or commit need not wait for the lease to expire.
        try {
          release(ref);
        } catch (RuntimeException e) {
          LOG.warn("rollback of {}: could not release its lease: {}", name, e.toString());
        }
      }
    }
  }

  /** Lifts the destination holds of a rollback and, once all are lifted, forgets them. */
  private void liftHolds(String name, SearchCluster destination, List<String> held, RecipeRef ref) {
    boolean all = true;
    for (String index : held) {
      try {
        destination.setWriteBlock(index, false);
      } catch (RuntimeException e) {
        all = false;
        LOG.error("rollback of {}: could not lift the hold on '{}'", name, index, e);
      }
    }
    if (all && ref != null && !held.isEmpty()) {
      try {
        lifecycle
            .store()
            .getRollover(ref)
            .filter(r -> r.switchJson() != null)
            .ifPresent(
                r ->
                    lifecycle
                        .store()
                        .saveRollover(
                            r.withSwitch(
                                SwitchState.parse(r.switchJson()).holding(List.of()).toJson())));
      } catch (RuntimeException e) {
        // The next rollback or commit lifts them again, which is harmless.
        LOG.warn("rollback of {}: could not forget its lifted holds: {}", name, e.toString());
      }
    }
  }

  /**
   * Keeps the switch: the source is released (its write block lifted, unless {@code
   * keepSourceBlocked}), the recipe finished. The source's indexes are never deleted.
   */
  RolloverReport commit(String name, boolean keepSourceBlocked, String owner) {
    RecipeRecord recipe = switched(name, "commit");
    RecipeRef ref = recipe.ref();
    Recipe parsed = lifecycle.parsedRecipe(recipe);
    RolloverRecord record = lease(ref, owner, "commit");
    SwitchState state = SwitchState.parse(record.switchJson());
    List<IndexRecord> indexes = lifecycle.store().listIndexes(ref);
    Instant now = lifecycle.clock().instant();
    SwitchPublisher.Publication publication =
        publisher.publish(state.published().then(EndpointSwitch.COMMITTED, newId(ref), now));
    if (!keepSourceBlocked) {
      RolloverCoordinator.liftBlocks(lifecycle.sourceOf(parsed), indexes);
    }

    coordinator.forgetBlocks(indexes);
    lifecycle
        .store()
        .saveRollover(
            record
                .withPhase(RolloverPhase.UNBLOCKED)
                .withUnblocked(now, RolloverCoordinator.valueOr(record.drainedBacklog()))
                .withWriteBlockedMillis(RolloverCoordinator.valueOr(record.writeBlockedMillis()))
                .withLease(null, null));
    lifecycle.store().transition(name, Set.of(RecipeStatus.SWITCHED), RecipeStatus.ROLLED_OVER);
    // A rollback that died may have left its holds on the now live destination.
    liftHolds(name, lifecycle.destinationOf(parsed), state.held(), ref);
    String message =
        "committed the switch to cluster '"
            + state.published().cluster()
            + "' (published "
            + publication.parameter()
            + " version "
            + publication.parameterVersion()
            + "); "
            + (keepSourceBlocked
                ? "the source indexes on '"
                    + parsed.source().cluster()
                    + "' keep their write block, which is no longer the migration's"
                : "lifted the write block of the source indexes on '"
                    + parsed.source().cluster()
                    + "'")
            + "; they were not deleted";
    LOG.info("commit of {}: {}", name, message);
    return new RolloverReport(name, true, null, List.of(), 0, List.of(), 0, Map.of(), message);
  }

  private RecipeRecord switched(String name, String command) {
    RecipeRecord recipe = lifecycle.recipe(name);
    if (recipe.status() != RecipeStatus.SWITCHED) {
      throw new RolloverRefusedException(
          "recipe '"
              + name
              + "' is "
              + recipe.status()
              + ": "
              + command
              + " applies to a cross-cluster migration whose rollover switched the application to"
              + " the new cluster (status SWITCHED)"
              + (recipe.status() == RecipeStatus.ROLLED_OVER ? "; it was committed already" : ""));
    }
    return recipe;
  }

  /** The rollover record, leased to {@code owner}: one commit or rollback at a time. */
  private RolloverRecord lease(RecipeRef ref, String owner, String command) {
    RolloverRecord record =
        lifecycle
            .store()
            .getRollover(ref)
            .orElseThrow(() -> new MigrationFailedException("no rollover record of " + ref));
    Instant now = lifecycle.clock().instant();
    if (record.leaseHeld(now) && !owner.equals(record.owner())) {
      throw new RolloverRefusedException(RolloverCoordinator.runningMessage(ref.name(), record));
    }
    if (record.switchJson() == null) {
      throw new MigrationFailedException("the rollover of " + ref + " recorded no switch");
    }
    try {
      return lifecycle
          .store()
          .saveRollover(record.withLease(owner, now.plus(RolloverCoordinator.LEASE)));
    } catch (ConflictException e) {
      throw new RolloverRefusedException(
          "another " + command + " or rollback of '" + ref.name() + "' started at the same time",
          e);
    }
  }

  private void release(RecipeRef ref) {
    lifecycle
        .store()
        .getRollover(ref)
        .ifPresent(r -> lifecycle.store().saveRollover(r.withLease(null, null)));
  }

  /** Removes the aliases the switch created, those still there (repeating it is harmless). */
  private static void removeAliases(SearchCluster destination, SwitchState state) {
    List<AliasAction> removals = new ArrayList<>();
    state
        .aliasesAdded()
        .forEach(
            (index, aliases) -> {
              if (!destination.indexExists(index)) {
                return;
              }
              Set<String> present = new HashSet<>();
              for (ResolvedExpression.ConcreteIndex concrete :
                  destination.resolve(index).indexes()) {
                if (concrete.name().equals(index)) {
                  concrete.aliases().forEach(a -> present.add(a.alias()));
                }
              }
              for (String alias : aliases) {
                if (present.contains(alias)) {
                  removals.add(new AliasAction.Remove(index, alias));
                }
              }
            });
    if (!removals.isEmpty()) {
      destination.updateAliases(removals);
    }
  }

  /** The aliases a source index carries now (all, or those the recipe named). */
  private static List<AliasInfo> sourceAliases(
      SearchCluster source, IndexRecord index, boolean moveAll) {
    List<AliasInfo> aliases = new ArrayList<>();
    for (ResolvedExpression.ConcreteIndex concrete : source.resolve(index.source()).indexes()) {
      if (!concrete.name().equals(index.source())) {
        continue;
      }
      for (AliasInfo alias : concrete.aliases()) {
        if (moveAll || index.aliases().stream().anyMatch(a -> a.name().equals(alias.alias()))) {
          aliases.add(alias);
        }
      }
    }
    return aliases;
  }

  private static String newId(RecipeRef ref) {
    return ref.name() + "-" + ref.generation() + "-" + UUID.randomUUID();
  }
}
