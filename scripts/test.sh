#!/usr/bin/env bash
# Installs what is needed, builds Kinlink with warnings as errors, and runs
# every test (unit, integration and the slow crash test). Pass ctest
# options to narrow it, e.g. scripts/test.sh -L unit
# In CI (CI=true) it also builds with AddressSanitizer and UBSan into
# build-asan/ and runs the unit and integration tests there.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
bash scripts/install-deps.sh
bash scripts/build.sh -DKINLINK_WERROR=ON
ctest --test-dir build --output-on-failure -j"$jobs" "$@"

if [ "${CI:-}" = "true" ]; then
  echo "== AddressSanitizer + UBSan build"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKINLINK_SANITIZE=ON \
    -DKINLINK_WERROR=ON -DKINLINK_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j"$jobs" -L 'unit|integration'
fi
