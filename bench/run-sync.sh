#!/usr/bin/env bash
# Sync benchmark on the local twin: lag p50/p99 at a steady write rate, then the write-blocked
# window of a rollover under load. Not a test: it measures and reports (bench/results/*.json).
# Usage: bench/run-sync.sh [writesPerSecond=1000] [seconds=30] [rolloverWritesPerSecond=500]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/common.sh"
ensure_build_tools
cd "$MIGRATOR_HOME"
# package, not install: the CLI runs from cli/target, and nothing outside the tree is overwritten.
mvn -B -q -Dstyle.color=never -DskipTests -DskipITs package >&2
cd cli
exec "$JAVA_HOME/bin/java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/migrator-cli.jar:target/lib/*" \
  io.indexmigrator.cli.SyncBenchmark "$@"
