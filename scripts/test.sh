#!/usr/bin/env bash
# Installs what is needed, builds Kinlink with warnings as errors, and runs
# every test (unit, integration, the slow crash test, and the web UI's
# browser tests of scripts/e2e.sh). Pass ctest options to narrow it (this
# also skips the browser tests), e.g. scripts/test.sh -L unit
# In CI (CI=true) it also builds with AddressSanitizer and UBSan into
# build-asan/ and runs the unit and integration tests there.
# The PostgreSQL store tests run against a throwaway server that this script
# starts (scripts/pg-test-cluster.sh) and stops on exit, unless
# KINLINK_TEST_PG already names one; KINLINK_SKIP_PG=1 skips them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
bash scripts/install-deps.sh
bash scripts/build.sh -DKINLINK_WERROR=ON

pg_dir=""
stop_pg() {
  if [ -n "$pg_dir" ]; then
    bash scripts/pg-test-cluster.sh stop "$pg_dir" || true
    rm -rf "$pg_dir"
  fi
}
trap stop_pg EXIT
trap 'exit 130' INT TERM
if [ -z "${KINLINK_TEST_PG:-}" ] && [ "${KINLINK_SKIP_PG:-}" != "1" ]; then
  # Under /tmp: the server may run as another user (root cannot run it).
  pg_dir=$(mktemp -d /tmp/kinlink-pg.XXXXXX)
  KINLINK_TEST_PG=$(bash scripts/pg-test-cluster.sh start "$pg_dir")
  export KINLINK_TEST_PG
  echo "== PostgreSQL test server: $KINLINK_TEST_PG"
fi

ctest --test-dir build --output-on-failure -j"$jobs" "$@"

# The web UI in a real browser (skipped when ctest was narrowed, or with
# KINLINK_SKIP_E2E=1).
if [ $# -eq 0 ] && [ "${KINLINK_SKIP_E2E:-}" != "1" ]; then
  bash scripts/e2e.sh
fi

if [ "${CI:-}" = "true" ]; then
  echo "== AddressSanitizer + UBSan build"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKINLINK_SANITIZE=ON \
    -DKINLINK_WERROR=ON -DKINLINK_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j"$jobs" -L 'unit|integration'
fi
