#!/usr/bin/env bash
# What the twin's SQS stand-in (ElasticMQ) can carry on its own: FIFO sends and receive+delete
# per second with the consumer's message groups, nothing else running. The sync benchmarks cannot
# exceed it. Not a test: it measures and reports (bench/results/queue-*.json).
# Usage: bench/run-queue-ceiling.sh [events=10000] [receivers=5]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/common.sh"
ensure_build_tools
cd "$MIGRATOR_HOME"
# package, not install: the CLI runs from cli/target, and nothing outside the tree is overwritten.
mvn -B -q -Dstyle.color=never -DskipTests -DskipITs package >&2
cd cli
exec "$JAVA_HOME/bin/java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/migrator-cli.jar:target/lib/*" \
  io.indexmigrator.cli.QueueCeilingBenchmark "$@"
