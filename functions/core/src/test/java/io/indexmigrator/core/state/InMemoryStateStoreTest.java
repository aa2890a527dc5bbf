package io.indexmigrator.core.state;

/** The state store contract on the in-memory store. */
class InMemoryStateStoreTest extends StateStoreContract {
  @Override
  protected StateStore newStore(MutableClock clock) {
    return new InMemoryStateStore(clock);
  }
}
