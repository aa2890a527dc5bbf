#!/usr/bin/env bash
# Rollover benchmark on the local twin: the write-blocked window of repeated rollovers of a large
# index while an application writes through the alias, per verify mode, with the per-step
# breakdown and a check of every acknowledged write. Not a test: it measures and reports
# (bench/results/rollover-*.json).
# Usage: bench/run-rollover.sh [docs=1000000] [rounds=10] [modes=count,checksum] [writesPerSecond=500]
# The engine: MIGRATOR_BENCH_ENGINE=opensearch:1 | opensearch:2.19.6 (default) | opensearch:3
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/common.sh"
ensure_build_tools
cd "$MIGRATOR_HOME"
# package, not install: the CLI runs from cli/target, and nothing outside the tree is overwritten.
mvn -B -q -Dstyle.color=never -DskipTests -DskipITs package >&2
cd cli
exec "$JAVA_HOME/bin/java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dmigrator.it.engine="${MIGRATOR_BENCH_ENGINE:-opensearch:2.19.6}" \
  -cp "target/test-classes:target/migrator-cli.jar:target/lib/*" \
  io.indexmigrator.cli.RolloverBenchmark "$@"
