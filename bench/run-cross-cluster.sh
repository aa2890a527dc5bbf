#!/usr/bin/env bash
# Cross-cluster copy benchmark on a twin with a second cluster (Elasticsearch 7.10.2 -> OpenSearch
# 2.19.6): the product's reader engine against one remote-reindex task, elasticdump and, as the
# ceiling, the destination's own _reindex?slices=auto, on the same 4-shard source. Not a test: it
# measures and reports (bench/results/cross-*.json).
# Usage: bench/run-cross-cluster.sh [documents=1000000] [--repeats=N]
#          [--elasticdump-limits=1000,5000,10000] [--remote-sizes=1000,5000]
#          [--variants=product,product-remote,remote,elasticdump] [--shards=4] [--batch-sizes=default,5000]
#          [--partitions=0,4] [--settle=90] [--settle-load=2.0]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# elasticdump from npm, in the build tree only (never global); pinned so runs compare.
ELASTICDUMP_VERSION="${ELASTICDUMP_VERSION:-6.125.1}"
dump_dir="$MIGRATOR_HOME/cli/target/elasticdump"
if [[ ! -x "$dump_dir/node_modules/.bin/elasticdump" ]]; then
  mkdir -p "$dump_dir"
  npm install --prefix "$dump_dir" --no-audit --no-fund "elasticdump@$ELASTICDUMP_VERSION" >&2
fi
run_benchmark CrossClusterCopyBenchmark "$@"
