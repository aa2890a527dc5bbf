#!/usr/bin/env bash
# Sync benchmark on the local twin: lag p50/p99 at a steady write rate, then the write-blocked
# window of a rollover under load. Not a test: it measures and reports (bench/results/*.json).
# Usage: bench/run-sync.sh [writesPerSecond=1000] [seconds=30] [rolloverWritesPerSecond=500] [writers=4] [drainRounds=5]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_benchmark SyncBenchmark "$@"
