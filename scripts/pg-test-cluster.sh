#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the integration tests of the PostgreSQL
# store backend (src/store/postgres_store_test.cc).
#
#   scripts/pg-test-cluster.sh start DIR   # prints the libpq conninfo line
#   scripts/pg-test-cluster.sh stop DIR
#
#   export KINLINK_TEST_PG="$(scripts/pg-test-cluster.sh start /tmp/kl-pg)"
#   ctest --test-dir build -R Postgres
#   scripts/pg-test-cluster.sh stop /tmp/kl-pg && rm -rf /tmp/kl-pg
#
# `start` runs initdb in DIR/data (unless a cluster is already there) and
# starts the server listening on 127.0.0.1 only, on a random free port, with
# its unix socket in DIR/sock, trust authentication for loopback and
# unix-socket connections only, and fsync off (test data is disposable). The
# superuser is `kinlink`; the tests create and drop their own databases.
# The server log is DIR/server.log.
#
# initdb and postgres refuse to run as root: as root, the server runs as the
# `postgres` system user (override with PG_TEST_OS_USER), and DIR is handed
# to that user, so DIR must be reachable by it (e.g. under /tmp). The
# binaries come from PG_BINDIR, else the newest /usr/lib/postgresql/*/bin.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR | stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
[ -n "$dir" ] || usage

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then
    echo "$PG_BINDIR"
    return
  fi
  local best=""
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && best=$d
  done
  if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
    best=$(pg_config --bindir)
  fi
  if [ -z "$best" ] || [ ! -x "$best/initdb" ]; then
    echo "pg-test-cluster: no PostgreSQL server binaries found (install the postgresql" \
      "package, or set PG_BINDIR)" >&2
    exit 1
  fi
  # Sorted by glob: the last one is the newest major version (single digits
  # of major versions sort correctly from 10 on).
  echo "$best"
}

# Runs a command as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$os_user" -- "$@"
  else
    "$@"
  fi
}

os_user=${PG_TEST_OS_USER:-postgres}
if [ "$(id -u)" -ne 0 ]; then
  os_user=$(id -un)
fi

case "$cmd" in
  start)
    bindir=$(find_bindir)
    case "$dir" in
      *\'* | *\\*) echo "pg-test-cluster: DIR must not contain quotes or backslashes" >&2; exit 1 ;;
    esac
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    data="$dir/data"
    sock="$dir/sock"
    # Unix socket paths are limited to 107 bytes.
    if [ $(( ${#sock} + 20 )) -gt 107 ]; then
      echo "pg-test-cluster: DIR is too long for a unix socket path; use a shorter one" >&2
      exit 1
    fi
    if [ "$(id -u)" -eq 0 ]; then
      if ! id -u "$os_user" >/dev/null 2>&1; then
        echo "pg-test-cluster: running as root needs the '$os_user' system user" \
          "(Debian's postgresql package creates it), or set PG_TEST_OS_USER" >&2
        exit 1
      fi
      chown -R "$os_user" "$dir"
      chmod 700 "$dir"
      if ! runuser -u "$os_user" -- test -w "$dir"; then
        echo "pg-test-cluster: user '$os_user' cannot write to $dir (a parent directory" \
          "is closed to it); use a DIR under /tmp" >&2
        exit 1
      fi
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$data" -U kinlink --auth=trust --encoding=UTF8 \
        --locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
      }
      # Only loopback TCP and the cluster's own unix socket may connect.
      as_owner tee "$data/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    fi
    as_owner mkdir -p "$sock"
    if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      echo "pg-test-cluster: a server is already running in $data; stop it first" >&2
      exit 1
    fi

    # A random port that nothing listens on; the server may still lose a race
    # for it, so starting is retried with another port.
    started=""
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        continue  # something answered: in use
      fi
      as_owner tee "$data/postgresql.auto.conf" >/dev/null <<EOF
# Written by scripts/pg-test-cluster.sh: a disposable test cluster.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
logging_collector = off
EOF
      if as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
        started=1
        break
      fi
    done
    if [ -z "$started" ]; then
      echo "pg-test-cluster: the server did not start; see $dir/server.log" >&2
      tail -n 20 "$dir/server.log" >&2 || true
      exit 1
    fi
    line="host=127.0.0.1 port=$port user=kinlink dbname=postgres"
    as_owner tee "$dir/conninfo" >/dev/null <<<"$line"
    echo "$line"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    dir=$(cd "$dir" && pwd)
    data="$dir/data"
    [ -f "$data/PG_VERSION" ] || exit 0
    bindir=$(find_bindir)
    if [ "$(id -u)" -eq 0 ]; then
      os_user=$(stat -c %U "$data")
    fi
    if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      # The data is disposable: no shutdown checkpoint needed.
      as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null
    fi
    ;;
  *)
    usage
    ;;
esac
