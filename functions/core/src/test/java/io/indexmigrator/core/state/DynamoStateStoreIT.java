package io.indexmigrator.core.state;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The state store contract on DynamoDB Local, started in this JVM. Each test gets its own table,
 * created with the key schema of template.yaml's StateTable.
 */
class DynamoStateStoreIT extends StateStoreContract {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static LocalDynamo dynamo;

  @BeforeAll
  static void startDynamo() throws Exception {
    dynamo = LocalDynamo.start();
  }

  @AfterAll
  static void stopDynamo() {
    if (dynamo != null) {
      dynamo.close();
    }
  }

  @Override
  protected StateStore newStore(MutableClock clock) {
    String table = "state-" + TABLES.incrementAndGet();
    dynamo.createStateTable(table);
    return new DynamoStateStore(dynamo.client(), table, clock);
  }
}
