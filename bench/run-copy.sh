#!/usr/bin/env bash
# Copy benchmark on the local twin: the product's init + run --wait against the engine's own
# _reindex?slices=auto on the same 4-shard source, per size. Not a test: it measures and reports
# (bench/results/copy-*.json).
# Usage: bench/run-copy.sh [documents...] [--repeats=N] [--raw-sizes=2000,5000] [--product-batch=N]
#   (default sizes: 40000 100000 1000000 5000000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_benchmark CopyBenchmark "$@"
