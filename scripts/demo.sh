#!/usr/bin/env bash
# Kinlink's main job on the embedded default: builds the `kinlink` command,
# creates a demo registry (SQLite, passphrase-wrapped key) in out/demo/,
# imports the invented people of data/demo/ (Latin, Arabic, Cyrillic and
# Ethiopic script) — each import is matched against the registry — shows
# the potential matches and a search across scripts, adds two demo staff
# accounts, and then serves the registry's JSON API (docs/api/openapi.yaml)
# with its web UI on 127.0.0.1 until Ctrl-C.
# KINLINK_DEMO_PORT chooses the port (default 8080; 0 picks a free one).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

kinlink=build/kinlink
port=${KINLINK_DEMO_PORT:-8080}
export KINLINK_DATA=out/demo/registry
# Demo secrets for invented people. Real registries take the passphrase
# from a prompt, a file (--passphrase-file) or a key file kept elsewhere,
# and staff type their own passwords at a prompt.
export KINLINK_PASSPHRASE="demo only: invented people"
caseworker_password="demo caseworker password"
officer_password="demo officer password"
rm -rf out/demo && mkdir -p out/demo

step() {
  printf '\n\033[1m$'
  printf ' %q' "$@"
  printf '\033[0m\n'
  "$@"
}
step "$kinlink" init
step "$kinlink" import --kind person --office demo data/demo/persons.csv
step "$kinlink" import --kind request --office demo data/demo/requests.csv
step "$kinlink" matches
step "$kinlink" search --name "Mohamad Alhasan" --born 1988 --kind person
KINLINK_USER_PASSWORD=$caseworker_password \
  step "$kinlink" user add demo.caseworker --office demo --role caseworker
KINLINK_USER_PASSWORD=$officer_password \
  step "$kinlink" user add demo.officer --office demo --role officer
step "$kinlink" audit verify

cat <<END

Open http://127.0.0.1:$port/ in a browser for the web UI (English, French,
Arabic, Ukrainian). Demo logins (invented accounts; the officer also needs
the 6-digit code of the TOTP secret above, from an authenticator app):
  caseworker  user demo.caseworker  password "$caseworker_password"
  officer     user demo.officer     password "$officer_password" + TOTP code
Or try the JSON API from another terminal (docs/api/openapi.yaml):
  curl -c jar -H 'Content-Type: application/json' \\
       -d '{"user":"demo.caseworker","password":"$caseworker_password"}' \\
       http://127.0.0.1:$port/api/v1/login
  curl -b jar http://127.0.0.1:$port/api/v1/me
Calls other than GET also need -H 'X-CSRF-Token: <csrf_token of the login>'.
Ctrl-C stops the server.
END
step "$kinlink" serve --port "$port"
