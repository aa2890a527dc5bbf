#!/usr/bin/env bash
# Rollover benchmark on the local twin: the write-blocked window of repeated rollovers of a large
# index while an application writes through the alias, per verify mode, with the per-step
# breakdown and a check of every acknowledged write. Not a test: it measures and reports
# (bench/results/rollover-*.json).
# Usage: bench/run-rollover.sh [docs=1000000] [rounds=10] [modes=count,checksum] [writesPerSecond=500]
# The engine: MIGRATOR_BENCH_ENGINE=opensearch:1 | opensearch:2.19.6 (default) | opensearch:3
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_JAVA_OPTS="-Dmigrator.it.engine=${MIGRATOR_BENCH_ENGINE:-opensearch:2.19.6}" \
  run_benchmark RolloverBenchmark "$@"
