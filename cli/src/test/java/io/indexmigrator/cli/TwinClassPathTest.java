package io.indexmigrator.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.indexmigrator.local.aws.LocalSqs;
import org.junit.jupiter.api.Test;

/** The twin that the CLI's tests and benchmarks start in this JVM uses the twin's SQS fix. */
class TwinClassPathTest {
  @Test
  void theTwinsFifoHistoryComesBeforeElasticMqsOnTheTestClassPath() {
    assertTrue(
        LocalSqs.fifoClassesReplaced(),
        "migrator-local must come before elasticmq-core on the class path");
  }
}
