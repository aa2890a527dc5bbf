package io.indexmigrator.core.state;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Records to DynamoDB items and back. Attribute names are part of the stored format (see
 * docs/state-table.md): renaming one strands existing tables. Null fields are left out of the item
 * rather than stored as NULL.
 */
final class DynamoItems {
  static final String PK = "pk";
  static final String SK = "sk";
  static final String TYPE = "type";
  static final String VERSION = "version";
  static final String STATUS = "status";
  static final String EXPIRES_AT = "expiresAt";

  private DynamoItems() {}

  // ---- recipe ----

  static Map<String, AttributeValue> recipeItem(RecipeRecord r) {
    Map<String, AttributeValue> item =
        keyed(StateKeys.recipePk(r.name()), StateKeys.META, "recipe");
    put(item, "name", r.name());
    item.put("generation", n(r.generation()));
    put(item, "document", r.document());
    put(item, STATUS, r.status().name());
    put(item, "executionArn", r.executionArn());
    put(item, "failure", r.failure());
    put(item, "createdAt", r.createdAt());
    put(item, "updatedAt", r.updatedAt());
    item.put(VERSION, n(r.version()));
    return item;
  }

  static RecipeRecord recipe(Map<String, AttributeValue> item) {
    return new RecipeRecord(
        str(item, "name"),
        integer(item, "generation"),
        str(item, "document"),
        RecipeStatus.valueOf(str(item, STATUS)),
        str(item, "executionArn"),
        str(item, "failure"),
        instant(item, "createdAt"),
        instant(item, "updatedAt"),
        number(item, VERSION));
  }

  // ---- index ----

  static Map<String, AttributeValue> indexItem(IndexRecord r) {
    Map<String, AttributeValue> item =
        keyed(
            StateKeys.recipePk(r.recipeName()), StateKeys.indexSk(r.recipe(), r.source()), "index");
    put(item, "recipeName", r.recipeName());
    item.put("generation", n(r.generation()));
    put(item, "source", r.source());
    put(item, "destination", r.destination());
    item.put(
        "aliases", AttributeValue.fromL(r.aliases().stream().map(DynamoItems::aliasItem).toList()));
    item.put("createdByUs", AttributeValue.fromBool(r.createdByUs()));
    put(item, "recipeEntry", r.recipeEntry());
    put(item, "restoreSettings", r.restoreSettingsJson());
    item.put("writeBlockSetByUs", AttributeValue.fromBool(r.writeBlockSetByUs()));
    put(item, "phase", r.phase().name());
    item.put("sliceCount", n(r.sliceCount()));
    item.put("docsTotal", n(r.docsTotal()));
    put(item, "partition", r.partitionJson());
    item.put(VERSION, n(r.version()));
    return item;
  }

  static IndexRecord index(Map<String, AttributeValue> item) {
    return new IndexRecord(
        str(item, "recipeName"),
        integer(item, "generation"),
        str(item, "source"),
        str(item, "destination"),
        item.containsKey("aliases")
            ? item.get("aliases").l().stream().map(a -> alias(a.m())).toList()
            : List.of(),
        bool(item, "createdByUs"),
        str(item, "recipeEntry"),
        str(item, "restoreSettings"),
        bool(item, "writeBlockSetByUs"),
        IndexPhase.valueOf(str(item, "phase")),
        integer(item, "sliceCount"),
        number(item, "docsTotal"),
        str(item, "partition"),
        number(item, VERSION));
  }

  private static AttributeValue aliasItem(AliasSpec a) {
    Map<String, AttributeValue> m = new HashMap<>();
    put(m, "name", a.name());
    put(m, "filter", a.filterJson());
    put(m, "routing", a.routing());
    put(m, "indexRouting", a.indexRouting());
    put(m, "searchRouting", a.searchRouting());
    if (a.isWriteIndex() != null) {
      m.put("isWriteIndex", AttributeValue.fromBool(a.isWriteIndex()));
    }
    return AttributeValue.fromM(m);
  }

  private static AliasSpec alias(Map<String, AttributeValue> m) {
    return new AliasSpec(
        str(m, "name"),
        str(m, "filter"),
        str(m, "routing"),
        str(m, "indexRouting"),
        str(m, "searchRouting"),
        m.containsKey("isWriteIndex") ? m.get("isWriteIndex").bool() : null);
  }

  // ---- slice ----

  static Map<String, AttributeValue> sliceItem(SliceRecord r) {
    Map<String, AttributeValue> item =
        keyed(StateKeys.recipePk(r.recipeName()), StateKeys.sliceSk(r.key()), "slice");
    put(item, "recipeName", r.recipeName());
    item.put("generation", n(r.generation()));
    put(item, "source", r.source());
    item.put("sliceId", n(r.sliceId()));
    item.put("sliceCount", n(r.sliceCount()));
    put(item, "taskId", r.taskId());
    put(item, STATUS, r.status().name());
    item.putAll(progressAttributes(r.progress()));
    item.put("attempts", n(r.attempts()));
    put(item, "startedAt", r.startedAt());
    put(item, "lastPolledAt", r.lastPolledAt());
    put(item, "finishedAt", r.finishedAt());
    put(item, "lastError", r.lastError());
    put(item, "cursor", r.cursor());
    item.put(VERSION, n(r.version()));
    return item;
  }

  /** The counter attributes; slice items always carry all of them, so conditions can compare. */
  static Map<String, AttributeValue> progressAttributes(SliceProgress p) {
    Map<String, AttributeValue> m = counterAttributes(p);
    m.put(
        "failureReasons",
        AttributeValue.fromL(p.failureReasons().stream().map(AttributeValue::fromS).toList()));
    return m;
  }

  /** The counters that only grow while one task runs. */
  static Map<String, AttributeValue> counterAttributes(SliceProgress p) {
    Map<String, AttributeValue> m = new HashMap<>();
    m.put("total", n(p.total()));
    m.put("created", n(p.created()));
    m.put("updated", n(p.updated()));
    m.put("deleted", n(p.deleted()));
    m.put("versionConflicts", n(p.versionConflicts()));
    m.put("batches", n(p.batches()));
    m.put("failures", n(p.failures()));
    return m;
  }

  static SliceRecord slice(Map<String, AttributeValue> item) {
    return new SliceRecord(
        str(item, "recipeName"),
        integer(item, "generation"),
        str(item, "source"),
        integer(item, "sliceId"),
        integer(item, "sliceCount"),
        str(item, "taskId"),
        SliceStatus.valueOf(str(item, STATUS)),
        new SliceProgress(
            number(item, "total"),
            number(item, "created"),
            number(item, "updated"),
            number(item, "deleted"),
            number(item, "versionConflicts"),
            number(item, "batches"),
            number(item, "failures"),
            item.containsKey("failureReasons")
                ? item.get("failureReasons").l().stream().map(AttributeValue::s).toList()
                : List.of()),
        integer(item, "attempts"),
        instant(item, "startedAt"),
        instant(item, "lastPolledAt"),
        instant(item, "finishedAt"),
        str(item, "lastError"),
        str(item, "cursor"),
        number(item, VERSION));
  }

  // ---- rollover ----

  static Map<String, AttributeValue> rolloverItem(RolloverRecord r) {
    Map<String, AttributeValue> item =
        keyed(StateKeys.recipePk(r.recipeName()), StateKeys.rolloverSk(r.recipe()), "rollover");
    put(item, "recipeName", r.recipeName());
    item.put("generation", n(r.generation()));
    put(item, "phase", r.phase().name());
    put(item, "blockedAt", r.blockedAt());
    put(item, "unblockedAt", r.unblockedAt());
    if (r.writeBlockedMillis() != null) {
      item.put("writeBlockedMillis", n(r.writeBlockedMillis()));
    }
    put(item, "verification", r.verificationJson());
    if (r.drainedBacklog() != null) {
      item.put("drainedBacklog", n(r.drainedBacklog()));
    }
    put(item, "failure", r.failure());
    put(item, "switch", r.switchJson());
    put(item, "owner", r.owner());
    put(item, "leaseUntil", r.leaseUntil());
    item.put(VERSION, n(r.version()));
    return item;
  }

  static RolloverRecord rollover(Map<String, AttributeValue> item) {
    return new RolloverRecord(
        str(item, "recipeName"),
        integer(item, "generation"),
        RolloverPhase.valueOf(str(item, "phase")),
        instant(item, "blockedAt"),
        instant(item, "unblockedAt"),
        item.containsKey("writeBlockedMillis") ? number(item, "writeBlockedMillis") : null,
        str(item, "verification"),
        item.containsKey("drainedBacklog") ? number(item, "drainedBacklog") : null,
        str(item, "failure"),
        str(item, "switch"),
        str(item, "owner"),
        instant(item, "leaseUntil"),
        number(item, VERSION));
  }

  // ---- idempotency ----

  static Map<String, AttributeValue> idempotencyItem(IdempotencyRecord r) {
    Map<String, AttributeValue> item =
        keyed(StateKeys.idempotencyPk(r.key()), StateKeys.IDEMPOTENCY_SK, "idempotency");
    put(item, "key", r.key());
    put(item, STATUS, r.status().name());
    put(item, "leaseId", r.leaseId());
    item.put("leaseUntil", n(r.leaseUntil().toEpochMilli()));
    item.put(EXPIRES_AT, n(r.expiresAt().getEpochSecond()));
    put(item, "result", r.resultJson());
    return item;
  }

  static IdempotencyRecord idempotency(Map<String, AttributeValue> item) {
    return new IdempotencyRecord(
        str(item, "key"),
        IdempotencyRecord.Status.valueOf(str(item, STATUS)),
        str(item, "leaseId"),
        Instant.ofEpochMilli(number(item, "leaseUntil")),
        Instant.ofEpochSecond(number(item, EXPIRES_AT)),
        str(item, "result"));
  }

  // ---- attribute helpers ----

  static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of(PK, AttributeValue.fromS(pk), SK, AttributeValue.fromS(sk));
  }

  static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }

  static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  static AttributeValue s(Instant value) {
    return AttributeValue.fromS(value.toString());
  }

  private static Map<String, AttributeValue> keyed(String pk, String sk, String type) {
    Map<String, AttributeValue> item = new HashMap<>(key(pk, sk));
    item.put(TYPE, AttributeValue.fromS(type));
    return item;
  }

  private static void put(Map<String, AttributeValue> item, String name, String value) {
    if (value != null) {
      item.put(name, AttributeValue.fromS(value));
    }
  }

  private static void put(Map<String, AttributeValue> item, String name, Instant value) {
    if (value != null) {
      item.put(name, AttributeValue.fromS(value.toString()));
    }
  }

  private static String str(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null ? null : v.s();
  }

  private static long number(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    if (v == null || v.n() == null) {
      throw new IllegalStateException(
          "state item " + item.get(PK) + "/" + item.get(SK) + " has no number '" + name + "'");
    }
    return Long.parseLong(v.n());
  }

  private static int integer(Map<String, AttributeValue> item, String name) {
    return Math.toIntExact(number(item, name));
  }

  private static boolean bool(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v != null && Boolean.TRUE.equals(v.bool());
  }

  private static Instant instant(Map<String, AttributeValue> item, String name) {
    String v = str(item, name);
    return v == null ? null : Instant.parse(v);
  }
}
