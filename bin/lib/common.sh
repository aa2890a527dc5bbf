# Shared by bin/* scripts. Sourced, not executed.
# Finds a JDK that can build and run the project (>= 21), installs missing build tools when allowed,
# and builds the reactor when its outputs are missing or older than the sources.

MIGRATOR_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

die() { echo "migrator: $*" >&2; exit 2; }

# Prints the major version of the java binary at $1, or nothing.
java_major() {
  local v
  v="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)"
  case "$v" in 1.*) echo "${v#1.}" ;; *) echo "$v" ;; esac
}

# Sets JAVA_HOME to a JDK whose major version is >= $1 (default 21). Order: MIGRATOR_JAVA_HOME,
# JAVA_HOME, the java on PATH, then every JDK under MIGRATOR_JDK_DIRS (default: /usr/lib/jvm
# /opt/java), newest first.
find_jdk() {
  local min="${1:-21}" candidates=() c bin major
  [ -n "${MIGRATOR_JAVA_HOME:-}" ] && candidates+=("$MIGRATOR_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local dirs="${MIGRATOR_JDK_DIRS:-/usr/lib/jvm /opt/java}" d
  for d in $dirs; do
    for c in $(ls -d "$d"/* 2>/dev/null | sort -rV); do candidates+=("$c"); done
  done
  for c in "${candidates[@]}"; do
    bin="$c/bin/java"
    [ -x "$bin" ] && [ -x "$c/bin/javac" ] || continue
    major="$(java_major "$bin")"
    if [ -n "$major" ] && [ "$major" -ge "$min" ] 2>/dev/null; then
      export JAVA_HOME="$c"
      # Maven's bundled Guava touches sun.misc.Unsafe; JDK 24+ warns about it on every run.
      if [ "$major" -ge 24 ]; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
      fi
      return 0
    fi
  done
  die "no JDK >= $min found (looked at MIGRATOR_JAVA_HOME, JAVA_HOME, PATH and under: $dirs).
Install one (for example Temurin 21 or 25) and set MIGRATOR_JAVA_HOME to its directory."
}

# Installs a Debian package when its command is missing and we are allowed to (root).
ensure_command() {
  local cmd="$1" pkg="$2"
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "migrator: installing $pkg (for $cmd)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg") >&2 \
      || die "could not install $pkg"
  else
    die "'$cmd' is required: install the '$pkg' package"
  fi
}

# Prints the first source, pom or resource newer than file $1 (then the build is stale), or nothing.
# Generated files belong under target/ or .migrator/ (node_modules, which node needs beside the
# code that imports it, is skipped too): a file written there by a build or the twin would make
# every later call rebuild.
newer_source() {
  find "$MIGRATOR_HOME/pom.xml" "$MIGRATOR_HOME/functions" "$MIGRATOR_HOME/infra" "$MIGRATOR_HOME/cli" \
    \( -name target -o -name node_modules \) -prune -o -type f -newer "$1" -print -quit
}

ensure_build_tools() {
  find_jdk 21
  ensure_command mvn maven
  ensure_command node nodejs
  ensure_command npm npm
}
