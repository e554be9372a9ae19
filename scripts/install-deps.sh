#!/usr/bin/env bash
# Installs every Debian 12 package that Kinlink's build, tests and benchmarks
# need. Idempotent: when everything is present it prints nothing and exits 0.
# Run as root (or it re-runs itself with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libsodium-dev libssl-dev libsqlite3-dev sqlite3 libicu-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev wrk curl
  libpq-dev postgresql
  libcpp-httplib-dev
  chromium
)
# Node.js runs the browser tests (npm: playwright-core); Debian's when the
# machine has none of its own.
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
