#!/usr/bin/env bash
# Load benchmark of the node server (`kinlink serve`): POST /api/v1/search
# under wrk, once alone and once while another process imports into the
# same registry. See bench/server/README.md for the numbers and how to
# read them.
#
# Builds nothing: it runs an existing binary, build/kinlink by default
# (cmake --build build), or the one named by KINLINK_BIN. Installs nothing:
# it needs wrk and curl (scripts/install-deps.sh installs wrk).
#
# Usage: bench/server/load.sh
# Environment (all optional):
#   KINLINK_BIN            the kinlink binary (default: build/kinlink)
#   LOAD_RECORDS           persons imported first (default 100000)
#   LOAD_EXTRA_RECORDS     persons imported during the second run (default 50000)
#   LOAD_DURATION          each wrk run (default 30s)
#   LOAD_CONNECTIONS       wrk connections (default 32)
#   LOAD_MAX_CONNECTIONS   serve --max-connections (default 64; the default of
#                          16 leaves half of 32 wrk connections waiting in
#                          the accept queue, see the README)
# Everything lives in a temporary directory that is removed at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${KINLINK_BIN:-$root/build/kinlink}
records=${LOAD_RECORDS:-100000}
extra=${LOAD_EXTRA_RECORDS:-50000}
duration=${LOAD_DURATION:-30s}
connections=${LOAD_CONNECTIONS:-32}
max_connections=${LOAD_MAX_CONNECTIONS:-64}
password='load benchmark password 1'

die() {
  echo "load.sh: $*" >&2
  exit 1
}
[ -x "$bin" ] || die "no kinlink binary at $bin: build it first (cmake --build build) or set KINLINK_BIN"
command -v wrk >/dev/null || die "wrk is not installed (scripts/install-deps.sh installs it)"
command -v curl >/dev/null || die "curl is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/kinlink-load.XXXXXX")
server_pid=""
import_pid=""
cleanup() {
  if [ -n "$import_pid" ]; then kill "$import_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

unset KINLINK_PASSPHRASE KINLINK_NEW_PASSPHRASE KINLINK_USER_PASSWORD
export KINLINK_DATA="$work/registry"
export KINLINK_KEY_FILE="$work/key.hex"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# A JSON member of a one-line object: number or string.
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$2"; }
# VmRSS / VmHWM of the server in MiB.
mem() { awk -v k="$1:" '$1 == k { printf "%.0f MiB", $2 / 1024 }' "/proc/$server_pid/status"; }
# Resets the server's VmHWM to its current RSS (Linux 4.0+); "peak" is then
# the peak of the run. Falls back to the peak since start.
peak_scope="run"
reset_peak() { echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || peak_scope="since start"; }

echo "kinlink load benchmark: $bin"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"

"$bin" init --json >/dev/null
"$bin" generate --count "$records" --seed 1 --kind person --out "$work/persons.csv"
t0=$(now)
import1=$("$bin" import --kind person --office load --json "$work/persons.csv")
import1_s=$(since "$t0")
echo "import of $records persons: ${import1_s} s (store $(json_field store_seconds "$import1" | cut -c1-5) s, index $(json_field index_seconds "$import1" | cut -c1-5) s)"

KINLINK_USER_PASSWORD="$password" "$bin" user add bench --office load --role caseworker >/dev/null

# A few hundred different names to search for, from the generated file:
# rows that start with an id (the notes column spans lines), names with no
# quote or backslash (safe inside a JSON string as they are).
awk -F, -v every=$((records / 300 > 0 ? records / 300 : 1)) \
  '/^S[0-9]+,/ && $2 != "" && $2 !~ /["\\]/ { if (n++ % every == 0) print $2 }' \
  "$work/persons.csv" >"$work/names.txt"
echo "search names: $(wc -l <"$work/names.txt")"

# The second run's records, made now so that making them is not measured.
# Same generator, another seed; ids renamed (ids are unique per kind).
"$bin" generate --count "$extra" --seed 2 --kind person --out - |
  sed -E 's/^S([0-9]+),/L\1,/' >"$work/extra.csv"

"$bin" serve --port 0 --max-connections "$max_connections" >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
port=""
for _ in $(seq 600); do
  port=$(sed -n 's|^Kinlink is serving on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/serve.out")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || die "kinlink serve exited: $(tail -3 "$work/serve.log")"
  sleep 0.1
done
[ -n "$port" ] || die "kinlink serve did not start"
url="http://127.0.0.1:$port"

# One sign-in for all of wrk's connections (they share the session): the
# sign-in rate limit (20 a minute per address) is not touched.
login=$(curl -sS -c "$work/cookies" -H 'Content-Type: application/json' \
  --data "{\"user\":\"bench\",\"password\":\"$password\"}" "$url/api/v1/login")
KL_CSRF=$(json_field csrf_token "$login")
KL_COOKIE=$(awk '$6 == "kl_session" { print $7 }' "$work/cookies")
[ -n "$KL_CSRF" ] && [ -n "$KL_COOKIE" ] || die "sign-in failed: $login"
export KL_CSRF KL_COOKIE KL_NAMES="$work/names.txt"

# Warm-up, and a check that a search answers 200.
for name in $(head -5 "$work/names.txt" | tr ' ' '_'); do
  status=$(curl -sS -o /dev/null -w '%{http_code}' -b "$work/cookies" -H "X-CSRF-Token: $KL_CSRF" \
    -H 'Content-Type: application/json' \
    --data "{\"fields\":{\"full_name\":\"${name//_/ }\"},\"kind\":\"person\",\"top\":10}" \
    "$url/api/v1/search")
  [ "$status" = 200 ] || die "warm-up search answered $status"
done

# wrk's default timeout (2 s) would drop slow answers from the latency
# figures and count them as socket errors; 15 s is above the registry's
# SQLite busy timeout (10 s).
wrk_cmd=(wrk -t2 "-c$connections" "-d$duration" --latency --timeout 15s -s "$here/search.lua" "$url")

declare -A result
run() {  # run NAME: one wrk run, its numbers into result[NAME,...]
  local name=$1 out log_from
  log_from=$(($(wc -l <"$work/serve.log") + 1))
  reset_peak
  result[$name, rss_before]=$(mem VmRSS)
  out=$("${wrk_cmd[@]}")
  result[$name, rss_after]=$(mem VmRSS)
  result[$name, rss_peak]=$(mem VmHWM)
  echo "---- wrk, $name"
  echo "$out"
  result[$name, rps]=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  for p in 50 90 99; do
    result[$name, p$p]=$(awk -v p="$p%" '$1 == p { print $2 }' <<<"$out")
  done
  result[$name, non2xx]=$(awk '$1 == "non_2xx" { print $2 }' <<<"$out")
  result[$name, errors]=$(awk '/Socket errors:/ { gsub(",", ""); print $4 "/" $6 "/" $8 "/" $10 }' <<<"$out")
  [ -n "${result[$name, errors]}" ] || result[$name, errors]="0/0/0/0"
  result[$name, requests]=$(awk '/requests in/ { print $1 }' <<<"$out")
  # The server's own count, from its access log (one line per request).
  result[$name, server_statuses]=$(tail -n "+$log_from" "$work/serve.log" |
    sed -n 's/.*"status":\([0-9]*\).*/\1/p' | sort | uniq -c |
    awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
}

echo "wrk: ${wrk_cmd[*]}"
echo "serve: --max-connections $max_connections"
run search

# Second run: the same load while `kinlink import` adds persons to the same
# registry from another process.
t0=$(now)
("$bin" import --kind person --office load --json "$work/extra.csv" >"$work/import2.json" \
  2>"$work/import2.err"; echo $? >"$work/import2.rc"; since "$t0" >"$work/import2.s") &
import_pid=$!
run import
wait "$import_pid" || true
import_pid=""
import2=$(cat "$work/import2.json")
import2_rc=$(cat "$work/import2.rc")
import2_indexed=$(json_field indexed "$import2")

echo
echo "---- summary ($records persons; wrk -t2 -c$connections -d$duration, serve --max-connections $max_connections)"
row() { printf '%-34s %-20s %-20s\n' "$1" "$2" "$3"; }
row "" "search" "search + import"
row "requests/s" "${result[search, rps]}" "${result[import, rps]}"
row "requests" "${result[search, requests]}" "${result[import, requests]}"
row "latency p50" "${result[search, p50]}" "${result[import, p50]}"
row "latency p90" "${result[search, p90]}" "${result[import, p90]}"
row "latency p99" "${result[search, p99]}" "${result[import, p99]}"
row "non-2xx responses" "${result[search, non2xx]}" "${result[import, non2xx]}"
row "socket errors conn/read/write/tmo" "${result[search, errors]}" "${result[import, errors]}"
row "server RSS before" "${result[search, rss_before]}" "${result[import, rss_before]}"
row "server RSS after" "${result[search, rss_after]}" "${result[import, rss_after]}"
row "server RSS peak ($peak_scope)" "${result[search, rss_peak]}" "${result[import, rss_peak]}"
echo "server access log, search:          ${result[search, server_statuses]}"
echo "server access log, search + import: ${result[import, server_statuses]}"
echo "concurrent import of $extra persons: exit $import2_rc, $(cat "$work/import2.s") s," \
  "accepted $(json_field accepted "$import2"), indexed by the importer ${import2_indexed:-?}" \
  "(the rest by the server, inside search requests)"
if [ "$import2_rc" != 0 ]; then
  echo "import stderr: $(head -c 500 "$work/import2.err")"
fi
