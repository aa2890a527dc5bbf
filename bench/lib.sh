# Shared by the bench/run-*.sh scripts: builds the tree and runs one benchmark class from the CLI
# module's test classes. Extra JVM flags (e.g. -Dmigrator.it.engine=...) go in BENCH_JAVA_OPTS.
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/common.sh"

# run_benchmark <simple class name in io.indexmigrator.cli> [arguments...]
run_benchmark() {
  local main="$1"
  shift
  ensure_build_tools
  cd "$MIGRATOR_HOME"
  # package, not install: the CLI runs from cli/target, and nothing outside the tree is overwritten.
  mvn -B -q -Dstyle.color=never -DskipTests -DskipITs package >&2
  cd cli
  # The twin's jar first: it replaces two FIFO classes of ElasticMQ's (see bin/migrator).
  local twin_jars=(target/lib/migrator-local-*.jar)
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS holds several flags on purpose
  exec "$JAVA_HOME/bin/java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_JAVA_OPTS:-} \
    -cp "target/test-classes:target/migrator-cli.jar:${twin_jars[0]}:target/lib/*" \
    "io.indexmigrator.cli.$main" "$@"
}
