#!/usr/bin/env bash
# Installs what is needed, builds Kinlink with warnings as errors, and runs
# every test (unit, integration and the slow crash test). Pass ctest
# options to narrow it, e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DKINLINK_WERROR=ON
ctest --test-dir build --output-on-failure -j"$(nproc 2>/dev/null || echo 2)" "$@"
