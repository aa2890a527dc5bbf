#!/usr/bin/env bash
# Copy benchmark on the local twin: the product's init + run --wait against the engine's own
# _reindex?slices=auto on the same 4-shard source, per size. Not a test: it measures and reports
# (bench/results/copy-*.json).
# Usage: bench/run-copy.sh [documents...] [--repeats=N]   (default: 40000 100000 1000000 5000000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/common.sh"
ensure_build_tools
cd "$MIGRATOR_HOME"
# package, not install: the CLI runs from cli/target, and nothing outside the tree is overwritten.
mvn -B -q -Dstyle.color=never -DskipTests -DskipITs package >&2
cd cli
exec "$JAVA_HOME/bin/java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/migrator-cli.jar:target/lib/*" \
  io.indexmigrator.cli.CopyBenchmark "$@"
