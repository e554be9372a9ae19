#!/usr/bin/env bash
# Browser tests of the web UI (tests/e2e/*.test.mjs): a real `kinlink serve`
# on 127.0.0.1, driven in Debian's headless chromium by playwright-core (npm,
# pinned in tests/e2e/package-lock.json; it downloads no browser). Each test
# file starts its own node(s). Screenshots go to build/e2e-artifacts/ (or
# KINLINK_E2E_ARTIFACTS). Pass test files to run only those, e.g.
#   bash scripts/e2e.sh flow.test.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ -x build/kinlink ] || bash scripts/build.sh
if ! command -v chromium >/dev/null || ! command -v node >/dev/null; then
  bash scripts/install-deps.sh
fi
export KINLINK_BIN=${KINLINK_BIN:-$root/build/kinlink}
export KINLINK_E2E_ARTIFACTS=${KINLINK_E2E_ARTIFACTS:-$root/build/e2e-artifacts}
cd tests/e2e
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(*.test.mjs)
failed=0
for f in "${files[@]}"; do
  echo "== e2e: $f"
  node --test --test-reporter=spec "$f" || failed=1
done
echo "== e2e screenshots: $KINLINK_E2E_ARTIFACTS"
exit $failed
