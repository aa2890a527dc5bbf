package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.indexmigrator.core.lifecycle.StatusReport;
import io.indexmigrator.core.lifecycle.StatusReporter;
import io.indexmigrator.core.state.DynamoStateStore;
import io.indexmigrator.core.sync.poll.DynamoPollCheckpoints;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code migrator status <name> [--json] [--watch]}. */
@Command(
    name = "status",
    description = "Progress per index: phase, documents, rate, ETA, failures.")
final class StatusCommand implements Callable<Integer> {
  /** States after which nothing changes without a new command. */
  static final Set<String> SETTLED =
      Set.of("INITIALIZED", "COPIED", "ROLLED_OVER", "CANCELLED", "FAILED");

  @Spec CommandSpec spec;
  @Mixin Deployment.Options deployment;

  @Parameters(index = "0", description = "Recipe name.")
  String name;

  @Option(names = "--json", description = "Print JSON (field names documented in docs/status.md).")
  boolean json;

  @Option(
      names = "--watch",
      description =
          "Print the status as it changes until the recipe settles (read every 0.5 s; the"
              + " state every 0.1 s while a copy runs).")
  boolean watch;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Deployment target = deployment.resolve();
    Watcher watcher = new Watcher(target, name, out);
    if (watch) {
      return watcher.watchUntilSettled();
    }
    StatusReport report = watcher.read();
    if (json) {
      out.println(ControlCall.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    } else {
      print(out, report);
    }
    return "FAILED".equals(report.state()) ? 1 : 0;
  }

  static void print(PrintWriter out, StatusReport r) {
    out.printf(
        "recipe %s (generation %d): %s%s%n",
        r.recipe(),
        r.generation(),
        r.state(),
        r.execution() == null ? "" : ", execution " + r.execution().status());
    if (r.failure() != null) {
      out.println("  failure: " + r.failure());
    }
    StatusReport.Clusters clusters = r.clusters();
    if (clusters != null && !clusters.source().name().equals(clusters.destination().name())) {
      out.printf(
          "  from cluster %s (%s) to %s (%s)%n",
          clusters.source().name(),
          clusters.source().engine() == null ? "engine unknown" : clusters.source().engine(),
          clusters.destination().name(),
          clusters.destination().engine() == null
              ? "engine unknown"
              : clusters.destination().engine());
    }
    for (StatusReport.IndexStatus i : r.indexes()) {
      out.printf(
          "  %-28s -> %-34s %-8s %s %,d / %,d docs  %d/%d slices  %s%s%s%n",
          i.source(),
          i.destination(),
          i.phase(),
          bar(i.docsCopied(), i.docsTotal()),
          i.docsCopied(),
          i.docsTotal(),
          i.slicesDone(),
          i.slices(),
          i.ratePerSecond() > 0 ? String.format("%,.0f docs/s", i.ratePerSecond()) : "",
          i.etaSeconds() != null && i.etaSeconds() > 0 ? ", ETA " + duration(i.etaSeconds()) : "",
          i.failures() > 0 ? ", " + i.failures() + " failures: " + i.failureReasons() : "");
    }
    if (r.sync() != null && !"none".equals(r.sync().mode())) {
      out.printf(
          "  sync (%s): %,d events applied (%.1f/s), lag %s, queue %s, dead letters %s%s%n",
          r.sync().mode(),
          r.sync().applied(),
          r.sync().appliedPerSecond(),
          r.sync().lagMillis() == null ? "-" : r.sync().lagMillis() + " ms",
          r.sync().queueDepth() == null ? "-" : r.sync().queueDepth(),
          r.sync().deadLetterDepth() == null ? "-" : r.sync().deadLetterDepth(),
          r.sync().rejected() > 0 ? ", " + r.sync().rejected() + " rejected" : "");
    }
    if (r.sync() != null && r.sync().pollCheckpoints() != null) {
      r.sync()
          .pollCheckpoints()
          .forEach((index, shards) -> out.println("  poll checkpoints " + index + ": " + shards));
    }
    if (r.rollover() != null) {
      out.printf(
          "  rollover: %s%s%s%n",
          r.rollover().phase(),
          r.rollover().writeBlockedMillis() == null
              ? ""
              : ", writes blocked " + r.rollover().writeBlockedMillis() + " ms",
          r.rollover().failure() == null ? "" : ", " + r.rollover().failure());
      var published = r.rollover().endpointSwitch();
      if (published != null) {
        out.printf(
            "  switch: %s cluster '%s' (%s) from '%s' (%s) at %s%s%n",
            "SWITCHED".equals(r.rollover().phase()) ? "applications use" : "published",
            published.cluster(),
            published.endpoint(),
            published.previousCluster(),
            published.previousEndpoint(),
            published.at(),
            "SWITCHED".equals(r.rollover().phase())
                ? "; the source stays write-blocked until 'migrator commit "
                    + r.recipe()
                    + "' (or 'migrator rollback "
                    + r.recipe()
                    + "')"
                : "");
      }
    }
  }

  static String bar(long done, long total) {
    int width = 20;
    int filled = total <= 0 ? (done > 0 ? width : 0) : (int) Math.min(width, done * width / total);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
  }

  static String duration(long seconds) {
    return seconds >= 3600
        ? String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60)
        : seconds >= 60 ? String.format("%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
  }

  /** Reads a recipe's status, with its execution's state from Step Functions. */
  static final class Watcher {
    static final Duration COPYING_PAUSE = Duration.ofMillis(500);
    static final Duration FINISHING_PAUSE = Duration.ofMillis(100);

    /** How often {@link #awaitChange} looks at the recipe's status between full reads. */
    static final Duration CHECK_EVERY = Duration.ofMillis(100);

    /** States in which a copy runs, so that a change of state is expected at any moment. */
    static final Set<String> COPYING = Set.of("INITIALIZED", "RUNNING");

    private final Deployment target;
    private final String name;
    private final PrintWriter out;

    Watcher(Deployment target, String name, PrintWriter out) {
      this.target = target;
      this.name = name;
      this.out = out;
    }

    StatusReport read() {
      try (var dynamo = target.dynamo();
          var sfn = target.sfn();
          var sqs = target.sqs()) {
        return read(dynamo, sfn, sqs);
      }
    }

    /** One status read with clients the caller keeps: a watch reads many times. */
    StatusReport read(DynamoDbClient dynamo, SfnClient sfn, SqsClient sqs) {
      StatusReport report =
          new StatusReporter(new DynamoStateStore(dynamo, target.tableName("StateTable")))
              .status(name)
              .orElseThrow(() -> new UserError("no recipe named '" + name + "'"));
      if (report.sync() != null && "events".equals(report.sync().mode())) {
        report =
            report.withSync(
                report
                    .sync()
                    .withQueues(
                        depth(sqs, target.queueUrl("SyncQueue")),
                        depth(sqs, target.queueUrl("SyncDeadLetterQueue"))));
      }
      if (report.sync() != null && "poll".equals(report.sync().mode())) {
        var checkpoints = new DynamoPollCheckpoints(dynamo, target.tableName("StateTable"));
        Map<String, Map<Integer, Long>> byIndex = new TreeMap<>();
        for (var index : report.indexes()) {
          byIndex.put(
              index.source(),
              new TreeMap<>(
                  checkpoints.load(report.recipe(), report.generation(), index.source())));
        }
        report = report.withSync(report.sync().withPollCheckpoints(byIndex));
      }
      report = report.withClusters(engines(report.clusters()));
      final StatusReport withSync = report;
      if (withSync.execution() != null) {
        String status;
        try {
          status =
              sfn.describeExecution(r -> r.executionArn(withSync.execution().arn()))
                  .statusAsString();
        } catch (RuntimeException e) {
          status = "UNKNOWN";
        }
        return withSync.withExecution(
            new StatusReport.Execution(withSync.execution().arn(), status));
      }
      return withSync;
    }

    private StatusReport.Clusters engines;

    /**
     * The recipe's clusters with their engines, asked once per watch through the control function
     * (which reaches the clusters where this machine may not); without engines if that fails.
     */
    private StatusReport.Clusters engines(StatusReport.Clusters clusters) {
      if (engines == null) {
        try {
          JsonNode answer =
              ControlCall.invoke(
                  target,
                  ControlCall.JSON.createObjectNode().put("action", "engines").put("recipe", name));
          engines =
              clusters.withEngines(
                  answer.at("/source/engine").textValue(),
                  answer.at("/destination/engine").textValue());
        } catch (UserError unreachable) {
          return clusters;
        }
      }
      return engines;
    }

    /** Messages in the queue, visible or in flight; null when the queue cannot be read. */
    static Long depth(SqsClient sqs, String url) {
      try {
        return sqs
            .getQueueAttributes(
                r ->
                    r.queueUrl(url)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
            .attributes()
            .values()
            .stream()
            .mapToLong(Long::parseLong)
            .sum();
      } catch (RuntimeException unreadable) {
        return null;
      }
    }

    /** Prints the status until the recipe settles ({@link #pause}); exit code 1 if it failed. */
    int watchUntilSettled() throws InterruptedException {
      return watch(null);
    }

    /**
     * Prints the status ({@link #pause}) until the copy that {@code startedArn} began has ended:
     * the recipe left RUNNING and no execution (the started one or one it continued as) is running.
     * An execution that failed before it recorded anything also ends the wait.
     */
    int watchRun(String startedArn) throws InterruptedException {
      return watch(startedArn);
    }

    private int watch(String startedArn) throws InterruptedException {
      // Built once per watch: building clients for every read cost more than the read itself.
      try (var dynamo = target.dynamo();
          var sfn = target.sfn();
          var sqs = target.sqs()) {
        return watch(startedArn, dynamo, sfn, sqs);
      }
    }

    private int watch(String startedArn, DynamoDbClient dynamo, SfnClient sfn, SqsClient sqs)
        throws InterruptedException {
      var store = new DynamoStateStore(dynamo, target.tableName("StateTable"));
      String last = "";
      while (true) {
        StatusReport report = read(dynamo, sfn, sqs);
        StringWriter buffer = new StringWriter();
        print(new PrintWriter(buffer), report);
        if (!last.equals(buffer.toString())) {
          out.print(buffer);
          out.flush();
          last = buffer.toString();
        }
        boolean executionDone =
            report.execution() == null || !"RUNNING".equals(report.execution().status());
        if (startedArn == null) {
          if (SETTLED.contains(report.state()) && executionDone) {
            return "FAILED".equals(report.state()) ? 1 : 0;
          }
        } else {
          // Until its plan step runs, the recipe still names the execution before this one (a
          // failed run being run again): that one's end is not this run's.
          boolean adopted =
              report.execution() != null && startedArn.equals(report.execution().arn());
          boolean copyOver =
              !"RUNNING".equals(report.state()) && !"INITIALIZED".equals(report.state());
          // With sync: poll the execution keeps polling after the copy: SYNCING ends the wait.
          if (adopted && copyOver && (executionDone || "SYNCING".equals(report.state()))) {
            return "FAILED".equals(report.state()) ? 1 : 0;
          }
          if (!adopted) {
            String started = executionStatus(sfn, startedArn);
            if (!"RUNNING".equals(started)) {
              out.println(
                  "execution " + startedArn + " ended " + started + " before it started the copy");
              return 1;
            }
          }
        }
        BooleanSupplier changed =
            () ->
                store
                    .getRecipe(name)
                    .map(r -> !r.status().name().equals(report.state()))
                    .orElse(true);
        awaitChange(
            pause(report),
            COPYING.contains(report.state()) ? changed : () -> false,
            System::nanoTime,
            d -> Thread.sleep(d.toMillis()));
      }
    }

    /** Sleeps; in tests, moves a fake clock. */
    interface Sleeper {
      void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * Waits {@code pause}, but looks at the recipe's status every {@link #CHECK_EVERY} and returns
     * as soon as it changed: the end of a copy is the recipe leaving RUNNING, and one item read
     * tells it, where a full status read costs several queries. The copy's last step is short
     * (about 0.1 s after 1M documents), so a 0.5 s pace alone would mostly notice it only at the
     * next full read.
     */
    static void awaitChange(
        Duration pause, BooleanSupplier changed, LongSupplier nanoTime, Sleeper sleeper)
        throws InterruptedException {
      long end = nanoTime.getAsLong() + pause.toNanos();
      while (true) {
        long left = end - nanoTime.getAsLong();
        if (left <= 0) {
          return;
        }
        sleeper.sleep(Duration.ofNanos(Math.min(left, CHECK_EVERY.toNanos())));
        if (changed.getAsBoolean()) {
          return;
        }
      }
    }

    /**
     * How long to wait before the next read. Half a second while slices copy: short enough that a
     * copy of a few seconds is not prolonged by the wait, and one read is only a few DynamoDB, SQS
     * and Step Functions calls. Once every slice is done only the copy's last step (settings
     * restored, a refresh the task mostly did already) remains, and once the recipe is COPIED only
     * its execution's last transition: {@code run --wait} returns at the first read after them, so
     * it reads five times as often then.
     */
    static Duration pause(StatusReport report) {
      boolean finishing =
          "RUNNING".equals(report.state())
              && !report.indexes().isEmpty()
              && report.indexes().stream()
                  .allMatch(i -> i.slices() > 0 && i.slicesDone() >= i.slices());
      // The recipe is COPIED a moment before its execution succeeds; the wait ends with both.
      boolean executionEnding =
          "COPIED".equals(report.state())
              && report.execution() != null
              && "RUNNING".equals(report.execution().status());
      return finishing || executionEnding ? FINISHING_PAUSE : COPYING_PAUSE;
    }

    private static String executionStatus(SfnClient sfn, String arn) {
      try {
        var execution = sfn.describeExecution(r -> r.executionArn(arn));
        return execution.statusAsString()
            + (execution.error() == null
                ? ""
                : " (" + execution.error() + ": " + execution.cause() + ")");
      } catch (RuntimeException e) {
        return "UNKNOWN";
      }
    }
  }
}
