#!/usr/bin/env bash
# Configures and builds Kinlink into build/ (Ninja, ccache when present).
# Extra arguments go to CMake, e.g. scripts/build.sh -DKINLINK_WERROR=ON
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j"$jobs"
