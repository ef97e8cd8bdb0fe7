#!/usr/bin/env bash
# Benchmark: generate a data set with `xunshi generate`, serve it on 127.0.0.1, and measure the
# main reads and the log-in with wrk. Writes the figures to bench/RESULTS.md. Targets only
# 127.0.0.1 and stops by itself.
#
#   bench/run.sh [UNITS] [USERS] [INSPECTIONS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
UNITS=${1:-300}; USERS=${2:-600}; INSPECTIONS=${3:-200}; SECONDS_EACH=${4:-10}

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release -q
BIN=target/release/xunshi
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT

start=$(date +%s.%N)
"$BIN" --data-dir "$DATA" generate --units "$UNITS" --users "$USERS" --inspections "$INSPECTIONS" >/dev/null
gen=$(python3 -c "print(f'{$(date +%s.%N)-$start:.1f}')")
"$BIN" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done

TOKEN=$(curl -fs -X POST "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"bench.office","password":"Bench-Password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
INSPECTION=$(curl -fs "$BASE/api/v1/inspections?limit=1" -H "Authorization: Bearer $TOKEN" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
# A page session: the log-in form's CSRF cookie and token, then the session cookie.
JAR=$(mktemp)
CSRF=$(curl -fs -c "$JAR" "$BASE/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -b "$JAR" -c "$JAR" -o /dev/null -d "_csrf=$CSRF&username=bench.office&password=Bench-Password-1&next=/" "$BASE/login"
SESSION=$(awk '$6=="xunshi_session"{print $7}' "$JAR")

LUA=$(mktemp --suffix .lua)
cat > "$LUA" <<'LUA'
wrk.method = "POST"
wrk.body = '{"username":"bench.office","password":"Bench-Password-1"}'
wrk.headers["Content-Type"] = "application/json"
LUA

run() { # name, then wrk arguments
  local name=$1; shift
  local out; out=$(wrk -t2 -c16 -d"${SECONDS_EACH}s" --latency "$@")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  printf '| %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99"
}

{
  echo "# Benchmark figures"
  echo
  echo "Measured by \`bench/run.sh $UNITS $USERS $INSPECTIONS $SECONDS_EACH\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
  echo "$(free -g | awk '/Mem:/{print $2}') GiB, release build, SQLite, wrk with 2 threads and 16 connections, ${SECONDS_EACH} s per line,"
  echo "load generator and server on the same machine. Data: $UNITS units, $USERS accounts, $INSPECTIONS inspections"
  echo "(generated in ${gen} s through the services, audit trail included)."
  echo
  echo "| request | requests/s | p50 | p99 |"
  echo "|---|---|---|---|"
  run "GET /healthz" "$BASE/healthz"
  run "GET /api/v1/units?limit=50" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/units?limit=50"
  run "GET /api/v1/inspections?limit=50" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/inspections?limit=50"
  run "GET /api/v1/inspections/{id}" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/inspections/$INSPECTION"
  run "GET /inspections (page)" -H "Cookie: xunshi_session=$SESSION" "$BASE/inspections"
  run "GET /units (tree page)" -H "Cookie: xunshi_session=$SESSION" "$BASE/units"
  run "POST /api/v1/auth/token (Argon2id)" -s "$LUA" "$BASE/api/v1/auth/token"
} > bench/RESULTS.md
rm -f "$JAR" "$LUA"
cat bench/RESULTS.md
