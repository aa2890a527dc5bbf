package io.indexmigrator.core.copy;

import io.indexmigrator.core.search.SearchClusterException;
import io.indexmigrator.core.search.ShardPages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A source cluster in memory that behaves like a real one where a copy can go wrong: a scroll moves
 * forward when it answers (an answer lost is a page skipped), a point in time repeats a page when
 * asked again, both change their ids between pages, and contexts can vanish.
 *
 * <p>Only the latest id of a scroll is accepted, so a copy that keeps a stale one fails loudly; a
 * point in time accepts its earlier ids too, as OpenSearch does ({@link #idsUsed()} shows which).
 */
final class FakeShardPages implements ShardPages {

  private final Map<String, List<SourceDocument>> shards = new HashMap<>();
  private final Map<String, Context> contexts = new HashMap<>();
  private final Map<String, List<Consumer<String>>> hooks = new HashMap<>();
  private final List<String> calls = new ArrayList<>();
  private final java.util.Set<String> answersToLose = new java.util.HashSet<>();
  private final List<String> idsUsed = new ArrayList<>();
  private int opened;
  private int closed;
  private boolean pointInTime = true;

  /** A scroll position or a frozen point in time over one shard's documents as they were. */
  private static final class Context {
    final boolean scroll;
    final List<SourceDocument> documents;
    int position;
    int generation;
    String latestId;

    Context(boolean scroll, List<SourceDocument> documents) {
      this.scroll = scroll;
      this.documents = documents;
    }
  }

  FakeShardPages withDocuments(String index, int shard, List<SourceDocument> documents) {
    shards.computeIfAbsent(index + "/" + shard, k -> new ArrayList<>()).addAll(documents);
    return this;
  }

  FakeShardPages withoutPointInTime() {
    pointInTime = false;
    return this;
  }

  /**
   * Runs {@code action} with the context id on every call of {@code operation} (a method name), at
   * the start, before anything else: to move a clock, kill contexts, or fail the call.
   */
  FakeShardPages on(String operation, Consumer<String> action) {
    hooks.computeIfAbsent(operation, o -> new ArrayList<>()).add(action);
    return this;
  }

  /**
   * Makes the next call of {@code operation} do its work and then fail as if its answer had been
   * lost on the way: a scroll has moved on by then.
   */
  FakeShardPages loseNextAnswerOf(String operation) {
    answersToLose.add(operation);
    return this;
  }

  /** The context ids page calls were made with, in order. */
  List<String> idsUsed() {
    return List.copyOf(idsUsed);
  }

  /** Makes every scroll and point in time vanish, as a node restart does. */
  void killContexts() {
    contexts.clear();
  }

  int openContexts() {
    return contexts.size();
  }

  int opened() {
    return opened;
  }

  int closed() {
    return closed;
  }

  List<String> calls() {
    return List.copyOf(calls);
  }

  private void call(String operation, String id) {
    calls.add(operation);
    if (id != null) {
      idsUsed.add(id);
    }
    for (Consumer<String> hook : List.copyOf(hooks.getOrDefault(operation, List.of()))) {
      hook.accept(id);
    }
  }

  @Override
  public ShardPage openScroll(
      String index,
      int shard,
      com.fasterxml.jackson.databind.node.ObjectNode query,
      int size,
      Duration keepAlive) {
    call("openScroll", null);
    Context context = open(true, index, shard);
    return answer("openScroll", page(context, size));
  }

  @Override
  public ShardPage nextScroll(String scrollId, Duration keepAlive) {
    call("nextScroll", scrollId);
    Context context = live(scrollId, true);
    return answer("nextScroll", page(context, sizeOfLastPage(context)));
  }

  @Override
  public void clearScroll(String scrollId) {
    call("clearScroll", scrollId);
    remove(scrollId);
  }

  @Override
  public String openPointInTime(String index, Duration keepAlive) {
    throw new UnsupportedOperationException("the copy opens one point in time per shard");
  }

  @Override
  public String openPointInTime(String index, int shard, Duration keepAlive) {
    call("openPointInTime", null);
    return open(false, index, shard).latestId;
  }

  @Override
  public ShardPage pointInTimePage(
      String pitId,
      int slice,
      int sliceMax,
      com.fasterxml.jackson.databind.node.ObjectNode query,
      String searchAfterJson,
      int size,
      Duration keepAlive) {
    call("pointInTimePage", pitId);
    if (slice != 0 || sliceMax != 1) {
      throw new IllegalArgumentException("a per-shard point in time is read whole");
    }
    Context context = live(pitId, false);
    context.position =
        searchAfterJson == null
            ? 0
            : Integer.parseInt(searchAfterJson.substring(1, searchAfterJson.length() - 1)) + 1;
    return answer("pointInTimePage", page(context, size));
  }

  @Override
  public void closePointInTime(String pitId) {
    call("closePointInTime", pitId);
    remove(pitId);
  }

  @Override
  public boolean supportsPointInTime() {
    return pointInTime;
  }

  @Override
  public int primaryShardCount(String index) {
    return (int) shards.keySet().stream().filter(k -> k.startsWith(index + "/")).count();
  }

  private ShardPage answer(String operation, ShardPage page) {
    if (answersToLose.remove(operation)) {
      throw new SearchClusterException(
          operation, SearchClusterException.NO_RESPONSE, "connection_error", "connection reset");
    }
    return page;
  }

  private Context open(boolean scroll, String index, int shard) {
    Context context =
        new Context(scroll, List.copyOf(shards.getOrDefault(index + "/" + shard, List.of())));
    context.latestId = (scroll ? "scroll-" : "pit-") + (++opened) + ".0";
    contexts.put(base(context.latestId), context);
    return context;
  }

  private final Map<Context, Integer> pageSizes = new HashMap<>();

  private int sizeOfLastPage(Context context) {
    return pageSizes.get(context);
  }

  private ShardPage page(Context context, int size) {
    pageSizes.put(context, size);
    int from = Math.min(context.position, context.documents.size());
    int to = Math.min(from + size, context.documents.size());
    List<SourceDocument> documents = context.documents.subList(from, to);
    if (context.scroll) {
      context.position = to;
    }
    context.generation++;
    context.latestId = base(context.latestId) + "." + context.generation;
    return new ShardPage(
        context.latestId, documents, documents.isEmpty() ? null : "[" + (to - 1) + "]");
  }

  private Context live(String id, boolean scroll) {
    Context context = contexts.get(base(id));
    if (context == null) {
      throw new SearchClusterException(
          "read a page",
          404,
          "search_phase_execution_exception",
          "all shards failed (search_context_missing_exception: No search context found)",
          true,
          null);
    }
    if (context.scroll != scroll) {
      throw new IllegalStateException(id + " is not a " + (scroll ? "scroll" : "point in time"));
    }
    if (scroll && !context.latestId.equals(id)) {
      throw new IllegalStateException("stale id " + id + ", latest is " + context.latestId);
    }
    return context;
  }

  private void remove(String id) {
    if (contexts.remove(base(id)) != null) {
      closed++;
    }
  }

  private static String base(String id) {
    return id.substring(0, id.lastIndexOf('.'));
  }
}
