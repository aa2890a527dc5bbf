package io.indexmigrator.core.sync.poll;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * {@link PollCheckpoints} in the state table, one item per shard: {@code pk = recipe#<recipe>},
 * {@code sk = g<generation, 4 digits>#poll#<index>#<shard, 4 digits>}, the checkpoint in {@code
 * seqNo}. Living under the generation's prefix, they go away with the generation's other records.
 *
 * <p>{@link #advance} is one conditional update that only ever raises {@code seqNo}, so overlapping
 * polls cannot move a checkpoint backwards. Reads are strongly consistent.
 */
public final class DynamoPollCheckpoints implements PollCheckpoints {
  private static final String PK = "pk";
  private static final String SK = "sk";
  private static final String SEQ_NO = "seqNo";
  private static final String TYPE = "type";
  private static final String ITEM_TYPE = "pollCheckpoint";

  private final DynamoDbClient dynamo;
  private final String table;

  public DynamoPollCheckpoints(DynamoDbClient dynamo, String table) {
    this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public Map<Integer, Long> load(String recipe, int generation, String index) {
    String prefix = indexPrefix(generation, index);
    Map<Integer, Long> checkpoints = new TreeMap<>();
    Map<String, AttributeValue> startKey = null;
    do {
      Map<String, AttributeValue> from = startKey;
      QueryResponse page =
          dynamo.query(
              r ->
                  r.tableName(table)
                      .consistentRead(true)
                      .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                      .expressionAttributeNames(Map.of("#pk", PK, "#sk", SK))
                      .expressionAttributeValues(
                          Map.of(
                              ":pk", AttributeValue.fromS(recipePk(recipe)),
                              ":prefix", AttributeValue.fromS(prefix)))
                      .exclusiveStartKey(from));
      for (Map<String, AttributeValue> item : page.items()) {
        int shard = Integer.parseInt(item.get(SK).s().substring(prefix.length()));
        checkpoints.put(shard, Long.parseLong(item.get(SEQ_NO).n()));
      }
      startKey = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (startKey != null);
    return checkpoints;
  }

  @Override
  public void advance(String recipe, int generation, String index, int shard, long seqNo) {
    Map<String, AttributeValue> key = new HashMap<>();
    key.put(PK, AttributeValue.fromS(recipePk(recipe)));
    key.put(
        SK, AttributeValue.fromS(indexPrefix(generation, index) + String.format("%04d", shard)));
    try {
      dynamo.updateItem(
          r ->
              r.tableName(table)
                  .key(key)
                  .updateExpression("SET #seqNo = :seqNo, #type = :type")
                  .conditionExpression("attribute_not_exists(#seqNo) OR #seqNo < :seqNo")
                  .expressionAttributeNames(Map.of("#seqNo", SEQ_NO, "#type", TYPE))
                  .expressionAttributeValues(
                      Map.of(
                          ":seqNo", AttributeValue.fromN(Long.toString(seqNo)),
                          ":type", AttributeValue.fromS(ITEM_TYPE))));
    } catch (ConditionalCheckFailedException alreadyAtOrAbove) {
      // Another poll got further: the stored checkpoint already covers seqNo.
    }
  }

  private static String recipePk(String recipe) {
    return "recipe#" + recipe;
  }

  /** Index names cannot contain '#', so this prefix never matches another index's items. */
  private static String indexPrefix(int generation, String index) {
    if (index.contains("#")) {
      throw new IllegalArgumentException("'" + index + "' is not an index name: it contains '#'");
    }
    return String.format("g%04d#poll#%s#", generation, index);
  }
}
