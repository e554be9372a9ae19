#!/usr/bin/env bash
# Builds the optional CUDA Dice join (-DKINLINK_CUDA=ON) and checks it on an
# NVIDIA GPU: the GPU's pairs against the CPU join's (DiceJoin), whole joins
# at 3,000 x 50,000 for t = 0.7 and 0.9, then the issue's size, 65,536 x
# 1,048,576 at t = 0.7 (its first 2,048 rows of A checked against the CPU),
# printing comparisons/s. Exit status 0 only when every check matched.
#
# UNCHECKED: written on a machine without nvcc or a GPU. The device code has
# only been run under a CPU emulation of the few CUDA features it uses;
# this script is its first real build and run.
#
# Needs nvcc (CUDA 12), an NVIDIA GPU with its driver, CMake ≥ 3.25 and the
# Debian build dependencies of scripts/install-deps.sh (libsodium, ...).
#   bash scripts/cuda-check.sh            # build in build-cuda/
#   BUILD_DIR=/tmp/b bash scripts/cuda-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-cuda}

if ! command -v nvcc >/dev/null; then
  echo "cuda-check: nvcc is not on PATH (try PATH=/usr/local/cuda/bin:\$PATH)" >&2
  exit 1
fi
if ! nvidia-smi -L; then
  echo "cuda-check: no NVIDIA GPU visible (nvidia-smi failed)" >&2
  exit 1
fi
nvcc --version | tail -n 2

generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
# Only the modules the join needs; no tests (no GoogleTest needed).
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DKINLINK_CUDA=ON \
  -DKINLINK_BUILD_TESTS=OFF "-DKINLINK_PARTIAL=src/record;src/crypto;src/match"
cmake --build "$build" -j "$(nproc)" --target dice_join_cuda_bench
bench="$build/src/match/dice_join_cuda_bench"

status=0
"$bench" --na 3000 --nb 50000 --t 0.7 --check-rows 3000 || status=1
"$bench" --na 3000 --nb 50000 --t 0.9 --check-rows 3000 || status=1
"$bench" --na 65536 --nb 1048576 --t 0.7 --check-rows 2048 || status=1
if [ "$status" -eq 0 ]; then
  echo "cuda-check: every GPU result matched the CPU join"
else
  echo "cuda-check: FAILED (see MISMATCH or error above)" >&2
fi
exit "$status"
