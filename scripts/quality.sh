#!/usr/bin/env bash
# Matching quality on the third-party evaluation data in ../shared/eval-data
# (never shipped with Kinlink): FEBRL4 link, FEBRL3 and historical_50k
# dedupe, and the cross-script name-token pairs, in encoded and plaintext
# mode; and FEBRL4 through `kinlink encode` -> `kinlink pprl-link`
# (docs/pprl.md). Usage: scripts/quality.sh [EVAL_DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/eval-data}
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
echo "== Record linkage and deduplication"
build/bench/quality/quality_bench --data "$data" --repo .
echo
echo "== Cross-organisation linkage (encode -> pprl-link) against plaintext, FEBRL4"
build/bench/quality/pprl_quality_bench --data "$data" --repo .
echo
echo "== Cross-script name tokens"
build/bench/crossscript/crossscript_bench "$data"
