#!/usr/bin/env bash
# What the twin's SQS stand-in (ElasticMQ) can carry on its own: FIFO sends and receive+delete
# per second with the consumer's message groups, nothing else running. The sync benchmarks cannot
# exceed it. Not a test: it measures and reports (bench/results/queue-*.json).
# Usage: bench/run-queue-ceiling.sh [events=10000] [receivers=5]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_benchmark QueueCeilingBenchmark "$@"
