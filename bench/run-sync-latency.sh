#!/usr/bin/env bash
# One write at a time through the whole sync path on the twin (bulk write, change event, SQS,
# event-source mapping, Lambda, destination), nothing queued: the least any sync lag or any
# rollover's wait for the consumer can be. Not a test: it measures and prints.
# Usage: bench/run-sync-latency.sh [writes=50] [pauseMillis=200] [documentsPerBulk=1]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_benchmark SyncLatencyProbe "$@"
