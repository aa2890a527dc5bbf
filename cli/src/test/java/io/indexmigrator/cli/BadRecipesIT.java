package io.indexmigrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad recipes given to {@code migrator init} on the twin: each gets a clear error naming the
 * problem, exit code 2, and changes nothing (no index created, no recipe stored).
 */
class BadRecipesIT {
  static TwinFixture twin;

  @BeforeAll
  static void start() throws Exception {
    twin = TwinFixture.get();
    if (!twin.cluster.exists("bad-src")) {
      twin.cluster.create("bad-src", "bad");
      twin.cluster.load("bad-src", 50, 3);
      twin.cluster.create("bad-taken", "bad-taken-alias");
      twin.cluster.create("badpat-a", "badpat-a-alias");
      twin.cluster.create("badpat-b", "badpat-b-alias");
    }
  }

  static Stream<Arguments> badRecipes() {
    return Stream.of(
        bad("broken YAML", "name: bad-1\nindexes: [ {source: bad\n", "line"),
        bad("missing name", "indexes: [{source: bad}]\n", "name"),
        bad("missing indexes", "name: bad-3\n", "indexes"),
        bad("empty indexes", "name: bad-4\nindexes: []\n", "indexes"),
        bad(
            "negative slices",
            "name: bad-5\nindexes: [{source: bad}]\ncopy: {slices: -2}\n",
            "copy.slices"),
        bad(
            "zero slices",
            "name: bad-6\nindexes: [{source: bad}]\ncopy: {slices: 0}\n",
            "copy.slices"),
        bad("unknown field", "name: bad-7\nindexes: [{source: bad, mapings: {}}]\n", "mapings"),
        bad(
            "a source cluster the functions do not know",
            "name: bad-7c\nsource: {cluster: old-es}\nindexes: [{source: bad}]\n",
            "source.cluster: no cluster named 'old-es'; the functions know 'default'"),
        bad(
            "a destination cluster other than default (not supported yet)",
            "name: bad-7d\ndestination: {cluster: elsewhere}\nindexes: [{source: bad}]\n",
            "destination.cluster: 'elsewhere': only 'default'"),
        bad(
            "copy.mode reindex with a source on another cluster",
            "name: bad-7e\nsource: {cluster: source}\nindexes: [{source: bad}]\n"
                + "copy: {mode: reindex}\n",
            "copy.mode: 'reindex' copies only within one cluster"),
        bad(
            "copy.mode remote-reindex within one cluster",
            "name: bad-7f\nindexes: [{source: bad}]\ncopy: {mode: remote-reindex}\n",
            "'remote-reindex' makes the destination read another cluster"),
        bad("unknown index", "name: bad-8\nindexes: [{source: no-such-index}]\n", "no-such-index"),
        bad("pattern matching nothing", "name: bad-9\nindexes: [{source: zzz-*}]\n", "zzz-*"),
        bad(
            "destination equal to source",
            "name: bad-10\nindexes: [{source: bad-src, destination: bad-src}]\n",
            "must differ from the source"),
        bad(
            "destination exists, not ours",
            "name: bad-11\nindexes: [{source: bad, destination: bad-taken}]\n",
            "bad-taken"),
        bad(
            "invalid mapping type",
            "name: bad-12\nindexes: [{source: bad, mappings: {properties: {title: {type: strnig}}}}]\n",
            "strnig"),
        bad(
            "zero requests per second",
            "name: bad-13\nindexes: [{source: bad}]\ncopy: {requestsPerSecond: 0}\n",
            "requestsPerSecond"),
        bad(
            "unknown sync mode",
            "name: bad-14\nindexes: [{source: bad}]\nsync: {mode: telepathy}\n",
            "sync.mode"),
        bad(
            "unknown verify mode",
            "name: bad-15\nindexes: [{source: bad}]\nrollover: {verify: vibes}\n",
            "rollover.verify"),
        bad("bad name characters", "name: Bad Name!\nindexes: [{source: bad}]\n", "name"),
        bad(
            "settings and settingsFile",
            "name: bad-17\nindexes: [{source: bad, settings: {}, settingsFile: s.json}]\n",
            "settings"),
        bad(
            "missing settingsFile",
            "name: bad-18\nindexes: [{source: bad, settingsFile: nowhere.json}]\n",
            "nowhere.json"),
        bad(
            "destination for a multi-index pattern",
            "name: bad-19\nindexes: [{source: badpat-*, destination: one}]\n",
            "destination"),
        bad(
            "transform with both script and pipeline",
            "name: bad-20\nindexes: [{source: bad, transform: {script: {source: x}, pipeline: p}}]\n",
            "transform"),
        bad(
            "mapping the cluster rejects (keyword with an analyzer), after a valid first index",
            "name: bad-21\nindexes:\n  - {source: bad-taken}\n  - {source: bad, mappings: {properties: {t: {type: keyword, analyzer: standard}}}}\n",
            "analyzer"),
        bad(
            "transform script that does not compile (the engine's reason is shown)",
            "name: bad-22\nindexes: [{source: bad, transform: {script: {source: 'ctx._source.x = ;'}}}]\n",
            "compile error"),
        bad(
            "transform script named in the message",
            "name: bad-23\nindexes: [{source: bad, transform: {script: {source: 'ctx._source.y = ;'}}}]\n",
            "ctx._source.y = ;"),
        bad(
            "transform pipeline that does not exist",
            "name: bad-24\nindexes: [{source: bad, transform: {pipeline: no-such-pipeline}}]\n",
            "pipeline 'no-such-pipeline' does not exist"));
  }

  private static Arguments bad(String what, String yaml, String expected) {
    return Arguments.of(what, yaml, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRecipes")
  void init_rejectsTheRecipe_andChangesNothing(String what, String yaml, String expected)
      throws Exception {
    String name = yaml.startsWith("name: ") ? yaml.substring(6, yaml.indexOf('\n')) : "bad-x";
    Path file = twin.writeRecipe("bad-" + Math.abs(what.hashCode()) + ".yaml", yaml);
    List<String> indexesBefore = twin.indexNames();

    TwinFixture.Run init = twin.cli("init", name, "--file", file.toString());

    // Printed so the report shows what a user would read.
    System.out.println(what + " => " + init.err().trim());
    assertThat(init.exitCode()).as(what + ": " + init.all()).isEqualTo(2);
    assertThat(init.err()).as(what).contains(expected);
    assertThat(twin.indexNames()).as(what + ": indexes after").isEqualTo(indexesBefore);
    try (var dynamo = twin.dynamo()) {
      assertThat(twin.store(dynamo).getRecipe(name)).as(what + ": stored recipe").isEmpty();
    }
  }
}
