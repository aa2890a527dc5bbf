#!/usr/bin/env bash
# One write at a time through the whole sync path on the twin (bulk write, change event, SQS,
# event-source mapping, Lambda, destination), nothing queued: the least any sync lag or any
# rollover's wait for the consumer can be. Not a test: it measures and prints.
# Usage: bench/run-sync-latency.sh [writes=50] [pauseMillis=200] [documentsPerBulk=1]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/common.sh"
ensure_build_tools
cd "$MIGRATOR_HOME"
# package, not install: the CLI runs from cli/target, and nothing outside the tree is overwritten.
mvn -B -q -Dstyle.color=never -DskipTests -DskipITs package >&2
cd cli
exec "$JAVA_HOME/bin/java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/migrator-cli.jar:target/lib/*" \
  io.indexmigrator.cli.SyncLatencyProbe "$@"
