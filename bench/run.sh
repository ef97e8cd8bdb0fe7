#!/usr/bin/env bash
# The benchmark (see bench/README.md): a generated data set of a chosen size, served by the
# release binary on 127.0.0.1, loaded with wrk over the ledger, one task, the dashboard, the
# home page, search, the recurring problems and the progress write, beside /healthz of the
# same process (the recurring problems worked out once per data set, timed); RSS sampled
# throughout. Prints one table per backend and appends it to bench/RESULTS.md. Targets only
# 127.0.0.1 and stops by itself.
#
#   bench/run.sh [--tasks N] [--seed S] [--today YYYY-MM-DD] [--seconds S]
#                [--connections "16 64"] [--backends "sqlite postgres"] [--no-results]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TASKS=1000000; SEED=1; TODAY=""; SECONDS_EACH=10; CONNECTIONS="16 64"
BACKENDS="sqlite postgres"; WRITE_RESULTS=1
PG_SERVER=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
while [ $# -gt 0 ]; do
  case $1 in
    --tasks) TASKS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --today) TODAY=$2; shift 2 ;;
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --backends) BACKENDS=$2; shift 2 ;;
    --no-results) WRITE_RESULTS=0; shift ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$TODAY" ] || TODAY=$(TZ=Asia/Shanghai date +%F)

need() { command -v "$1" >/dev/null; }
if ! need wrk || ! need psql || ! need curl || ! need python3; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk postgresql-client curl python3 >/dev/null
fi

# XUNSHI_BIN names a binary already built (CI proves the script with its debug build), and
# BENCH_COMMIT the commit it was built from, for the results' heading.
if [ -n "${XUNSHI_BIN:-}" ]; then
  BIN=$(realpath "$XUNSHI_BIN"); BUILD="the binary $XUNSHI_BIN"
else
  cargo build --release -q -p xunshi
  BIN=$ROOT/target/release/xunshi; BUILD="release build"
fi
KEY="t${TASKS}-s${SEED}-d${TODAY}"
CACHE=$ROOT/bench/.cache
mkdir -p "$CACHE"
WORK=$(mktemp -d)
SERVER=""; RUN_DB=""; SAMPLER=""
# Asks the server to stop and waits for it, then kills it: a graceful shutdown can wait on
# connections wrk left open, and the benchmark must stop by itself.
stop_server() {
  [ -n "$SERVER" ] || return 0
  kill "$SERVER" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
  # A server still running 10 s after SIGTERM has a fault of its own (it once waited for ever
  # on a write batch nobody committed): said, not hidden by the kill.
  if kill -0 "$SERVER" 2>/dev/null; then
    echo "the server did not stop within 10 s of SIGTERM: killed" >&2
    kill -9 "$SERVER" 2>/dev/null || true
  fi
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}
cleanup() {
  local status=$?
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  stop_server
  # A run that failed says what its server said last: the log goes with the work folder.
  if [ "$status" -ne 0 ] && [ -s "$WORK/server.log" ]; then
    echo "the server's log, last lines:" >&2
    tail -n 40 "$WORK/server.log" >&2
  fi
  [ -n "$RUN_DB" ] && psql -q "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS $RUN_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms() { python3 -c "import sys; print(f'{(float(sys.argv[2])-float(sys.argv[1]))*1000:.0f}')" "$1" "$2"; }

# --- data sets -------------------------------------------------------------------------------
# SQLite: generated once per size, seed and day into bench/.cache/KEY/, copied for each run
# (the write path adds rows). PostgreSQL: generated once into the database xunshi_bench_KEY,
# kept as a template; each run works on a copy made with CREATE DATABASE … TEMPLATE.
note() { printf '%s' "$1" >>"$WORK/gen_note"; }
gen_args=(generate --tasks "$TASKS" --seed "$SEED" --today "$TODAY" --quiet)
timed_generate() { # label, then the xunshi arguments before `generate`
  local label=$1; shift
  RUST_LOG=error /usr/bin/time -v "$BIN" "$@" "${gen_args[@]}" >"$WORK/gen.out" 2>"$WORK/gen.time"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$WORK/gen.time")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$WORK/gen.time")
  note "- $label: generated in $wall (m:ss), peak RSS $rss MB. $(tail -2 "$WORK/gen.out" | head -1)"$'\n'
}
reindex_note() { # label, the time -v output, the command's output, the index folder
  local wall rss size
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$2")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$2")
  size=$(du -sh "$4" 2>/dev/null | cut -f1)
  note "  $1 search index (\`xunshi search reindex\`): built in $wall (m:ss), peak RSS $rss MB, $size on disk. $(tail -1 "$3")"$'\n'
}
timed_reindex() { # label, then the xunshi arguments before `search reindex`
  local label=$1; shift
  echo "building the search index ($label) …" >&2
  RUST_LOG=error /usr/bin/time -v "$BIN" "$@" search reindex --quiet >"$WORK/reindex.out" 2>"$WORK/reindex.time"
  local dir; dir=$(awk '{for(i=1;i<NF;i++) if($i=="--data-dir") print $(i+1)}' <<<"$*")
  reindex_note "$label" "$WORK/reindex.time" "$WORK/reindex.out" "$dir/search"
}
patterns_note() { # label, the time -v output, the command's output
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$2")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$2")
  note "  $1 recurring problems (\`xunshi patterns build\`, the nightly job's run): worked out in $wall (m:ss), peak RSS $rss MB. $(tail -1 "$3")"$'\n'
}
timed_patterns() { # label, then the xunshi arguments before `patterns build`
  local label=$1; shift
  echo "working out the recurring problems ($label) …" >&2
  RUST_LOG=error /usr/bin/time -v "$BIN" "$@" patterns build >"$WORK/patterns.out" 2>"$WORK/patterns.time"
  patterns_note "$label" "$WORK/patterns.time" "$WORK/patterns.out"
}
need time 2>/dev/null || [ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }

sqlite_data() {
  local dir=$CACHE/sqlite-$KEY
  if [ ! -f "$dir/done" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    echo "generating $TASKS tasks on SQLite into $dir …" >&2
    timed_generate "SQLite" --data-dir "$dir"
    cp "$WORK/gen.out" "$dir/generate.out"; cp "$WORK/gen.time" "$dir/generate.time"; touch "$dir/done"
  else
    note "- SQLite: data set reused from bench/.cache/sqlite-$KEY"
    if [ -f "$dir/generate.time" ]; then
      note ", generated in $(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$dir/generate.time") (m:ss), peak RSS $(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$dir/generate.time") MB"
    fi
    note ". $(tail -2 "$dir/generate.out" | head -1)"$'\n'
  fi
  local size; size=$(du -sh "$dir/xunshi.db" | cut -f1)
  note "  SQLite file: $size."$'\n'
  # The search index is built once with the data set, and copied with it.
  if [ ! -f "$dir/search.done" ]; then
    timed_reindex "SQLite" --data-dir "$dir"
    cp "$WORK/reindex.time" "$dir/reindex.time"; cp "$WORK/reindex.out" "$dir/reindex.out"; touch "$dir/search.done"
  else
    reindex_note "SQLite (reused)" "$dir/reindex.time" "$dir/reindex.out" "$dir/search"
  fi
  # So are the recurring problems the server's nightly job works out, stored in the database.
  if [ ! -f "$dir/patterns.done" ]; then
    timed_patterns "SQLite" --data-dir "$dir"
    cp "$WORK/patterns.time" "$dir/patterns.time"; cp "$WORK/patterns.out" "$dir/patterns.out"; touch "$dir/patterns.done"
  else
    patterns_note "SQLite (reused)" "$dir/patterns.time" "$dir/patterns.out"
  fi
  mkdir -p "$WORK/sqlite"
  cp --reflink=auto "$dir/xunshi.db" "$WORK/sqlite/xunshi.db"
  cp -r "$dir/search" "$WORK/sqlite/search"
  echo "--data-dir $WORK/sqlite"
}

postgres_data() {
  local template="xunshi_bench_${KEY//-/_}"
  if ! psql -qtA "$PG_SERVER/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$template'" | grep -q 1; then
    echo "generating $TASKS tasks on PostgreSQL into $template …" >&2
    psql -q "$PG_SERVER/postgres" -c "CREATE DATABASE $template" >/dev/null
    if ! timed_generate "PostgreSQL" --database-url "$PG_SERVER/$template"; then
      psql -q "$PG_SERVER/postgres" -c "DROP DATABASE $template WITH (FORCE)" >/dev/null; return 1
    fi
  else
    note "- PostgreSQL: data set reused from the database $template"$'\n'
  fi
  local size; size=$(psql -qtA "$PG_SERVER/postgres" -c "SELECT pg_size_pretty(pg_database_size('$template'))")
  note "  PostgreSQL database: $size."$'\n'
  # RUN_DB is named by the caller: this runs in a subshell, whose variables do not come back.
  psql -q "$PG_SERVER/postgres" -c "CREATE DATABASE $RUN_DB TEMPLATE $template" >/dev/null
  # The run's copy is a database of the same trail, so the index built over it serves it.
  mkdir -p "$WORK/pg"
  timed_reindex "PostgreSQL" --database-url "$PG_SERVER/$RUN_DB" --data-dir "$WORK/pg"
  timed_patterns "PostgreSQL" --database-url "$PG_SERVER/$RUN_DB" --data-dir "$WORK/pg"
  echo "--database-url $PG_SERVER/$RUN_DB --data-dir $WORK/pg"
}

# --- wrk scripts -----------------------------------------------------------------------------
cat >"$WORK/progress.lua" <<'LUA'
-- A progress report per request, rotating over the open tasks of the liaison's unit; each
-- thread owns its own tasks and keeps their versions from the answers.
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local tasks, versions, idx = {}, {}, 0
function init(args)
  local n = tonumber(os.getenv("BENCH_THREADS"))
  local i = 0
  for line in io.lines(os.getenv("BENCH_TASKS")) do
    local id, v = line:match("(%S+) (%d+)")
    if id and i % n == tid then
      tasks[#tasks + 1] = id
      versions[id] = tonumber(v)
    end
    i = i + 1
  end
end
function request()
  idx = idx % #tasks + 1
  local id = tasks[idx]
  local body = string.format('{"version":%d,"text":"按计划推进整改（基准测试）","progress":50}', versions[id])
  return wrk.format("POST", "/api/v1/tasks/" .. id .. "/progress",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }, body)
end
function response(status, headers, body)
  local id, v = body:match('"id":"([^"]+)".-"version":(%d+)')
  if id and versions[id] then versions[id] = tonumber(v) end
end
LUA

# --- one backend -----------------------------------------------------------------------------
bench_backend() {
  local name=$1 target=$2
  local port; port=$(free_port)
  local base="http://127.0.0.1:$port"
  local t0 t1
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  RUST_LOG=warn,sqlx=error "$BIN" $target serve --listen "127.0.0.1:$port" >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
  t1=$(date +%s.%N)
  local cold; cold=$(ms "$t0" "$t1")

  token() { curl -fs -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Bench-Password-1\",\"name\":\"bench\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
  session() { # a page session's cookie value
    local jar="$WORK/jar.$1" csrf
    csrf=$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
    curl -fs -b "$jar" -c "$jar" -o /dev/null -d "_csrf=$csrf&username=$1&password=Bench-Password-1&next=/" "$base/login"
    awk '$6=="xunshi_session"{print $7}' "$jar"
  }
  local T_OFFICE T_LEADER T_LIAISON S_OFFICE S_LEADER S_LIAISON
  T_OFFICE=$(token bench.office); T_LEADER=$(token bench.leader); T_LIAISON=$(token bench.liaison)
  S_OFFICE=$(session bench.office); S_LEADER=$(session bench.leader); S_LIAISON=$(session bench.liaison)
  # Filter values from the data: the liaison's unit, a category, a task with its history.
  local UNIT CATEGORY TASK
  read -r UNIT TASK < <(curl -fs "$base/api/v1/tasks?limit=50&status=closed" -H "Authorization: Bearer $T_LIAISON" \
    | python3 -c 'import json,sys; i=json.load(sys.stdin)["items"]; t=i[0]["task"]; print(t["unit_id"], t["id"])')
  CATEGORY=$(python3 - "$base" "$T_OFFICE" "$TASK" <<'PY'
import json, sys, urllib.request
base, tok, task = sys.argv[1:]
req = urllib.request.Request(f"{base}/api/v1/tasks/{task}", headers={"Authorization": f"Bearer {tok}"})
d = json.load(urllib.request.urlopen(req))
pid = d["entry"]["task"]["problem_id"]
req = urllib.request.Request(f"{base}/api/v1/problems/{pid}", headers={"Authorization": f"Bearer {tok}"})
try:
    print(json.load(urllib.request.urlopen(req))["problem"]["category_id"])
except Exception:
    print("00000000-0000-7000-8001-000000202002")
PY
)
  fetch_open_tasks() { # the liaison's tasks under way, with their versions, for the write path
    # (not those of archived inspections, whose records are read-only)
    python3 - "$base" "$T_LIAISON" >"$WORK/tasks.txt" <<'PY'
import json, sys, urllib.request
base, tok = sys.argv[1:]
def pages(path):
    cursor = None
    while True:
        url = f"{base}{path}&limit=200" + (f"&cursor={cursor}" if cursor else "")
        d = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {tok}"})))
        yield from d["items"]
        cursor = d.get("next_cursor")
        if not cursor:
            return
archived = {i["id"] for i in pages("/api/v1/inspections?stage=archived")}
n = 0
for e in pages("/api/v1/tasks?status=in_progress"):
    if e["task"]["inspection_id"] in archived:
        continue
    print(e["task"]["id"], e["task"]["version"]); n += 1
    if n >= 2000:
        break
PY
  }

  # The index is built beside the data set; whatever the server applies at start (its own
  # log-ins) is done before the lines are measured.
  for _ in $(seq 1 1200); do
    [ "$(curl -fs "$base/api/v1/search?q=%E6%95%B4%E6%94%B9&limit=1" -H "Authorization: Bearer $T_OFFICE" \
      | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' 2>/dev/null)" = 1 ] && break
    sleep 0.5
  done
  local PROBLEM
  PROBLEM=$(curl -fs "$base/api/v1/tasks/$TASK" -H "Authorization: Bearer $T_OFFICE" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["entry"]["task"]["problem_id"])')
  # The committee that sent the task's inspection: the figures by level open its ledger.
  local DISPATCHER
  DISPATCHER=$(python3 - "$base" "$T_OFFICE" "$TASK" <<'PY'
import json, sys, urllib.request
base, tok, task = sys.argv[1:]
def get(path):
    req = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {tok}"})
    return json.load(urllib.request.urlopen(req))
insp = get(f"/api/v1/tasks/{task}")["entry"]["task"]["inspection_id"]
print(get(f"/api/v1/inspections/{insp}")["dispatcher_id"])
PY
)
  local -a LINES=()
  local healthz_rps=""
  sample_rss() { # peak VmRSS (kB) of the server until killed, written to $1
    local out=$1 peak=0 v
    while kill -0 "$SERVER" 2>/dev/null; do
      v=$(awk '/VmRSS/{print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0)
      [ "${v:-0}" -gt "$peak" ] && peak=$v && echo "$peak" >"$out"
      sleep 0.1
    done
  }
  run() { # label, connections, then wrk arguments
    local label=$1 conns=$2; shift 2
    local threads=2; [ "$conns" -lt 2 ] && threads=1
    echo 0 >"$WORK/rss"
    sample_rss "$WORK/rss" & SAMPLER=$!
    local out
    out=$(BENCH_THREADS=$threads wrk -t"$threads" -c"$conns" -d"${SECONDS_EACH}s" --timeout 30s --latency "$@" 2>&1 || true)
    kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
    local rps p50 p99 errs rss
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
    p50=$(awk '$1=="50%"{print $2}' <<<"$out")
    p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    errs=$(awk '/Non-2xx or 3xx/{print $NF}' <<<"$out"); errs=${errs:-0}
    local timeouts; timeouts=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' <<<"$out"); [ -n "$timeouts" ] && [ "$timeouts" != 0 ] && errs="$errs (+$timeouts timeouts)"
    rss=$(awk '{printf "%.0f", $1/1024}' "$WORK/rss")
    [ -z "$rps" ] && rps=0
    if [ "$label" = "GET /healthz" ]; then healthz_rps=$rps; fi
    local ratio
    ratio=$(python3 -c "import sys; h=float(sys.argv[2] or 0); print(f'{100*float(sys.argv[1])/h:.1f} %' if h else '—')" "$rps" "${healthz_rps:-0}")
    LINES+=("| $label | $conns | $rps | $ratio | $p50 | $p99 | $errs | $rss MB |")
    printf '%s\n' "${LINES[-1]}" >&2
  }
  probe() { # seconds one request takes
    curl -s -o /dev/null -w '%{time_total}' "$@"
  }
  H_PAGE_OFFICE=(-H "Cookie: xunshi_session=$S_OFFICE")
  H_PAGE_LEADER=(-H "Cookie: xunshi_session=$S_LEADER")
  H_PAGE_LIAISON=(-H "Cookie: xunshi_session=$S_LIAISON")
  H_API_OFFICE=(-H "Authorization: Bearer $T_OFFICE")
  H_API_LEADER=(-H "Authorization: Bearer $T_LEADER")
  H_API_LIAISON=(-H "Authorization: Bearer $T_LIAISON")
  local -a PATHS=(
    "GET /healthz|healthz|/healthz"
    "GET /rectification/tasks (office)|page_office|/rectification/tasks"
    "GET /rectification/tasks?unit_id (office)|page_office|/rectification/tasks?unit_id=$UNIT"
    "GET /rectification/tasks?status=in_progress (office)|page_office|/rectification/tasks?status=in_progress"
    "GET /rectification/tasks?colour=red (office)|page_office|/rectification/tasks?colour=red"
    "GET /rectification/tasks?category_id (office)|page_office|/rectification/tasks?category_id=$CATEGORY"
    "GET /rectification/tasks (liaison)|page_liaison|/rectification/tasks"
    "GET /api/v1/tasks?limit=50 (office)|api_office|/api/v1/tasks?limit=50"
    "GET /api/v1/tasks?limit=50&unit_id (office)|api_office|/api/v1/tasks?limit=50&unit_id=$UNIT"
    "GET /api/v1/tasks?limit=50&status=in_progress (office)|api_office|/api/v1/tasks?limit=50&status=in_progress"
    "GET /api/v1/tasks?limit=50&colour=red (office)|api_office|/api/v1/tasks?limit=50&colour=red"
    "GET /api/v1/tasks?limit=50&category_id (office)|api_office|/api/v1/tasks?limit=50&category_id=$CATEGORY"
    "GET /api/v1/tasks?limit=50 (liaison)|api_liaison|/api/v1/tasks?limit=50"
    "GET /rectification/tasks?q=谈话提醒 (office)|page_office|/rectification/tasks?q=%E8%B0%88%E8%AF%9D%E6%8F%90%E9%86%92"
    "GET /rectification/tasks?q=谈话提醒 (liaison)|page_liaison|/rectification/tasks?q=%E8%B0%88%E8%AF%9D%E6%8F%90%E9%86%92"
    "GET /api/v1/tasks?limit=50&q=无此内容 (office)|api_office|/api/v1/tasks?limit=50&q=%E6%97%A0%E6%AD%A4%E5%86%85%E5%AE%B9"
    "GET /rectification/tasks/{id} (office)|page_office|/rectification/tasks/$TASK"
    "GET /api/v1/tasks/{id} (office)|api_office|/api/v1/tasks/$TASK"
    "GET /dashboard (office)|page_office|/dashboard"
    "GET /dashboard (leadership)|page_leader|/dashboard"
    "GET /api/v1/dashboard (office)|api_office|/api/v1/dashboard"
    "GET /api/v1/dashboard (leadership)|api_leader|/api/v1/dashboard"
    "GET /api/v1/levels (office)|api_office|/api/v1/levels"
    "GET /levels (office)|page_office|/levels"
    "GET /rectification/tasks?dispatcher_id (office)|page_office|/rectification/tasks?dispatcher_id=$DISPATCHER"
    "GET /api/v1/tasks?limit=50&dispatcher_id&colour=red (office)|api_office|/api/v1/tasks?limit=50&dispatcher_id=$DISPATCHER&colour=red"
    "GET / (office)|page_office|/"
    "GET / (leadership)|page_leader|/"
    "GET /api/v1/search?q=整改 (office)|api_office|/api/v1/search?q=%E6%95%B4%E6%94%B9"
    "GET /api/v1/search?q=谈话提醒 (office)|api_office|/api/v1/search?q=%E8%B0%88%E8%AF%9D%E6%8F%90%E9%86%92"
    "GET /api/v1/search?q=整改 (liaison)|api_liaison|/api/v1/search?q=%E6%95%B4%E6%94%B9"
    "GET /search?q=整改 (office)|page_office|/search?q=%E6%95%B4%E6%94%B9"
    "GET /api/v1/problems/{id}/similar (office)|api_office|/api/v1/problems/$PROBLEM/similar"
    "GET /api/v1/patterns/recurrences (office)|api_office|/api/v1/patterns/recurrences"
    "GET /api/v1/patterns/trends (office)|api_office|/api/v1/patterns/trends"
    "GET /patterns (office)|page_office|/patterns"
  )
  for conns in $CONNECTIONS; do
    healthz_rps=""
    for entry in "${PATHS[@]}"; do
      IFS='|' read -r label who path <<<"$entry"
      local -a hdr=()
      case $who in
        page_office) hdr=("${H_PAGE_OFFICE[@]}") ;; page_leader) hdr=("${H_PAGE_LEADER[@]}") ;;
        page_liaison) hdr=("${H_PAGE_LIAISON[@]}") ;; api_office) hdr=("${H_API_OFFICE[@]}") ;;
        api_leader) hdr=("${H_API_LEADER[@]}") ;; api_liaison) hdr=("${H_API_LIAISON[@]}") ;;
      esac
      # A request so slow that one round of the connections' requests would not fit in the
      # line's time would only queue (no answer inside the line, or a figure of a few) and pile
      # up memory on a shared machine: such a path is measured with one connection instead.
      local t; t=$(probe "${hdr[@]}" "$base$path")
      if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) * int(sys.argv[2]) > float(sys.argv[3]) / 2 else 1)" "$t" "$conns" "$SECONDS_EACH"; then
        run "$label (one request took ${t}s; 1 connection)" 1 "${hdr[@]}" "$base$path"
      else
        run "$label" "$conns" "${hdr[@]}" "$base$path"
      fi
    done
    fetch_open_tasks
    if [ -s "$WORK/tasks.txt" ]; then
      BENCH_TASKS="$WORK/tasks.txt" BENCH_TOKEN=$T_LIAISON \
        run "POST /api/v1/tasks/{id}/progress (liaison, $(wc -l <"$WORK/tasks.txt") tasks)" "$conns" -s "$WORK/progress.lua" "$base"
    else
      LINES+=("| POST /api/v1/tasks/{id}/progress | $conns | — (no open task) | | | | | |")
    fi
  done
  local peak anon file
  peak=$(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$SERVER/status")
  # What the resident memory is made of at the end: the heap, and the pages of mapped files
  # (the search index, the binary), which the kernel may drop and read again.
  anon=$(awk '/RssAnon/{printf "%.0f", $2/1024}' "/proc/$SERVER/status")
  file=$(awk '/RssFile/{printf "%.0f", $2/1024}' "/proc/$SERVER/status")
  stop_server
  {
    echo "### $name"
    echo
    echo "Cold start (process start → /healthz answers): $cold ms. Peak RSS of the server over the whole run (VmHWM): $peak MB; at its end $anon MB anonymous (RssAnon) and $file MB of mapped files (RssFile)."
    echo
    echo "| path | connections | req/s | of /healthz | p50 | p99 | non-2xx | peak RSS |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${LINES[@]}"
    echo
  } >>"$WORK/report.md"
}

for b in $BACKENDS; do
  case $b in
    sqlite) target=$(sqlite_data); bench_backend "SQLite" "$target" ;;
    postgres)
      if ! psql -qtA "$PG_SERVER/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
        echo "PostgreSQL at $PG_SERVER does not answer: skipped" >&2; continue
      fi
      RUN_DB="xunshi_bench_run_$$"
      target=$(postgres_data); bench_backend "PostgreSQL" "$target"
      psql -q "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS $RUN_DB WITH (FORCE)" >/dev/null; RUN_DB="" ;;
    *) echo "unknown backend $b" >&2; exit 2 ;;
  esac
done

HEADER="## $(date -u +%F): \`bench/run.sh --tasks $TASKS --seed $SEED --seconds $SECONDS_EACH\`"
MACHINE="$(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr); $BUILD; wrk with 2 threads on the same machine, ${SECONDS_EACH} s per line; today $TODAY; commit ${BENCH_COMMIT:-$(git rev-parse --short HEAD)}."
{
  echo "$HEADER"
  echo
  echo "$MACHINE"
  echo
  cat "$WORK/gen_note" 2>/dev/null || true
  echo
  cat "$WORK/report.md"
} >"$WORK/section.md"
cat "$WORK/section.md"

if [ "$WRITE_RESULTS" = 1 ]; then
  # The newest run goes first; the one that was newest moves to the history, which keeps
  # every earlier figure.
  python3 - "$ROOT/bench/RESULTS.md" "$WORK/section.md" <<'PY'
import sys, re
path, new = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read() if __import__("os").path.exists(path) else "# Benchmark figures\n"
title = "# Benchmark figures\n\nThe newest run first; every earlier run is kept under History.\n\n"
body = text.split("\n", 1)[1] if text.startswith("# ") else text
if "\n## History\n" in "\n" + body:
    current, history = ("\n" + body).split("\n## History\n", 1)
else:
    current, history = body, ""
current = current.replace("The newest run first; every earlier run is kept under History.", "").strip()
demoted = re.sub(r"^## ", "### ", current, flags=re.M)
demoted = re.sub(r"^### (SQLite|PostgreSQL)$", r"#### \1", demoted, flags=re.M)
new_hist = (demoted + "\n\n" if demoted else "") + history.strip()
open(path, "w").write(title + new.strip() + "\n\n## History\n\n" + new_hist.strip() + "\n")
PY
fi
