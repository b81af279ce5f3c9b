#!/usr/bin/env bash
# deploy/local/bench.sh (make bench): throughput and latency of the people
# service, directly and through the gateway, against pgbench running the same
# SELECTs on the same database: the floor no service can beat.
#
# A stack of its own in a temp dir (PostgreSQL, people, nginx; never make run's),
# 10,000 people inserted with SQL after the service created its schema, then
#   wrk --latency -t2 -d10s  GET /v1/people/{random id}  and  GET /v1/people?limit=50
#   pgbench -n -M prepared -j2 -T10 with the service's own SELECTs
# at 1, 16 and 64 connections, and SCIM provisioning as an identity provider
# drives it (find by userName, PATCH, POST) at TANDEM_BENCH_SCIM_CONNS
# connections, checked against the 25 requests/s SCIM must sustain.  Prints a
# table; raw output goes to build/bench/.
#
#   TANDEM_BENCH_DURATION   seconds per run (10)
#   TANDEM_BENCH_CONNS      connection counts ("1 16 64")
#   TANDEM_BENCH_PEOPLE     rows to insert (10000)
#   TANDEM_BENCH_SCIM_CONNS connections for the SCIM runs (4)
#   TANDEM_BENCH_LOG_LEVEL  the service's TANDEM_LOG_LEVEL (warn: no line per
#                           request, so the log file does not grow by GBs)
# The service's own tuning variables (TANDEM_THREADS, TANDEM_DB_POOL_SIZE) are
# passed through from the environment.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

DURATION=${TANDEM_BENCH_DURATION:-10}
read -r -a CONNS <<<"${TANDEM_BENCH_CONNS:-1 16 64}"
N_PEOPLE=${TANDEM_BENCH_PEOPLE:-10000}
LIMIT=50
OUT=$TANDEM_ROOT/build/bench
ISSUER=tandem-bench
AUDIENCE=tandem-bench
BIN=$BUILD_DIR/bin/tandem-people
TOKEN_BIN=$BUILD_DIR/bin/tandem-token

for tool in wrk pgbench psql curl; do
        command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[[ -x $BIN && -x $TOKEN_BIN ]] || die "build the service first (make all)"

TANDEM_RUNDIR=$(mktemp -d /tmp/tandem-bench.XXXXXX)
export TANDEM_RUNDIR
chmod 755 "$TANDEM_RUNDIR"
LOGDIR=$TANDEM_RUNDIR/logs
mkdir -p "$LOGDIR" "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.lua "$OUT"/*.sql
cleanup() {
        local rc=$?
        trap - EXIT INT TERM
        stop_all "$TANDEM_RUNDIR" >/dev/null 2>&1 || true
        if ((rc != 0)); then
                cp "$LOGDIR"/* "$OUT"/ 2>/dev/null || true
                echo "bench failed; logs in $OUT" >&2
        fi
        rm -rf "$TANDEM_RUNDIR"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the stack --------------------------------------------------------------------------
step "bench stack in $TANDEM_RUNDIR"
pg_port=$(free_port)
pg_start "$TANDEM_RUNDIR/pg" "$pg_port" throwaway
PG=$TANDEM_RUNDIR/pg
secret=$(rand_hex 48)
scim_token=$(rand_hex 32)
svc_port=$(free_port)
start_service people "$svc_port" "$LOGDIR/people.log" \
        TANDEM_DATABASE_URL="$(pg_url "$PG")" \
        TANDEM_JWT_SECRET="$secret" TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
        TANDEM_SCIM_TOKEN="$scim_token" \
        TANDEM_LOG_LEVEL="${TANDEM_BENCH_LOG_LEVEL:-warn}"
SVC_PID=$STARTED_PID
wait_http "http://127.0.0.1:$svc_port/readyz" 30 "$SVC_PID" || die "people did not become ready"
gw_port=$(free_port)
TANDEM_NGINX_WORKERS=${TANDEM_NGINX_WORKERS:-2} \
        render_nginx_conf "$TANDEM_RUNDIR/gateway" "$gw_port" 65536 "$LOGDIR" "people=127.0.0.1:$svc_port"
# no access log line per request in a benchmark
sed -i 's|^\(\s*access_log\) .*;|\1 off;|' "$TANDEM_RUNDIR/gateway/nginx.conf"
nginx_start "$TANDEM_RUNDIR/gateway"
wait_http "http://127.0.0.1:$gw_port/healthz" 10 || die "the gateway does not answer"
info "PostgreSQL 127.0.0.1:$pg_port, people 127.0.0.1:$svc_port (pid $SVC_PID), gateway 127.0.0.1:$gw_port"

# ---- data -------------------------------------------------------------------------------
step "inserting $N_PEOPLE people"
psql -X -q -v ON_ERROR_STOP=1 "$(pg_url "$PG")" <<SQL
INSERT INTO people.person (external_id, email, display_name, title, business_unit, roles,
                           status, timezone, purpose, vision, mentor_capacity)
SELECT 'bench-' || g, 'bench.person' || g || '@example.com', 'Bench Person ' || g,
       'Partner', (ARRAY['Audit', 'Tax', 'Consulting', 'Deals', 'Legal'])[1 + g % 5],
       CASE WHEN g % 10 = 0 THEN ARRAY['mentor'] ELSE ARRAY['partner'] END,
       'active', (ARRAY['UTC', 'Europe/London', 'America/New_York', 'Asia/Singapore'])[1 + g % 4],
       'Purpose of bench person ' || g, 'Vision of bench person ' || g,
       CASE WHEN g % 10 = 0 THEN 3 ELSE 0 END
FROM generate_series(1, $N_PEOPLE) AS g;
ANALYZE people.person;
SQL
IDS=$TANDEM_RUNDIR/ids.txt
psql -X -qtA "$(pg_url "$PG")" -c "SELECT id FROM people.person ORDER BY seq" >"$IDS"
read -r SEQ_MIN SEQ_MAX < <(psql -X -qtA -F ' ' "$(pg_url "$PG")" -c "SELECT min(seq), max(seq) FROM people.person")
info "$(wc -l <"$IDS") ids, seq $SEQ_MIN..$SEQ_MAX"

TOKEN=$(TANDEM_JWT_SECRET=$secret TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
        "$TOKEN_BIN" --sub bench-admin --roles admin --email bench.admin@example.com --ttl 3600)
export BENCH_TOKEN=$TOKEN BENCH_IDS=$IDS

# the same SELECTs the service runs (services/people/people_db.c: person_get,
# person_list), by seq instead of id so pgbench can pick one at random
if [[ $(psql -X -qtA "$(pg_url "$PG")" -c "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'people' AND p.proname = 'person_json'") != 0 ]]; then
        row='person_json(p)'
else
        row='row_to_json(p)'
fi
cat >"$OUT/pgbench-get.sql" <<SQL
\set n random($SEQ_MIN, $SEQ_MAX)
SELECT p.id, p.version, $row FROM person p WHERE p.seq = :n;
SQL
cat >"$OUT/pgbench-list.sql" <<SQL
SELECT p.seq, $row FROM person p WHERE p.seq > 0 ORDER BY p.seq LIMIT $((LIMIT + 1));
SQL
cat >"$OUT/wrk.lua" <<'LUA'
-- GET /v1/people/{random id} (BENCH_IDS: one id a line), or BENCH_PATH as is
local path = os.getenv("BENCH_PATH")
if path == "" then path = nil end
local ids = {}
if not path then
   for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local f = io.open("/dev/urandom", "rb")
local b = f:read(4)
f:close()
math.randomseed(b:byte(1) + b:byte(2) * 256 + b:byte(3) * 65536 + b:byte(4) * 16777216)
request = function()
   if path then return wrk.format("GET", path) end
   return wrk.format("GET", "/v1/people/" .. ids[math.random(#ids)])
end
LUA

# check both requests answer 200 before measuring anything
for url in "http://127.0.0.1:$svc_port/v1/people/$(head -n1 "$IDS")" \
        "http://127.0.0.1:$gw_port/v1/people?limit=$LIMIT"; do
        code=$(curl -s -o "$TANDEM_RUNDIR/probe" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$url")
        [[ $code == 200 ]] || die "GET $url answered $code: $(head -c 300 "$TANDEM_RUNDIR/probe")"
done

# ---- measuring --------------------------------------------------------------------------
# to_ms VALUE: wrk's "1.23ms" / "456.00us" / "1.02s" in milliseconds
to_ms() {
        awk -v v="$1" 'BEGIN {
                n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
                if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
                printf "%.2f", n }'
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SVC_PID/status" 2>/dev/null || echo 0; }

ROWS=()
declare -A PGB=()

# run_wrk NAME CONNS URL_PATH_OR_EMPTY BASE
run_wrk() {
        local name=$1 c=$2 path=$3 base=$4 file rps p50 p99 errs t
        file=$OUT/wrk-$name-c$c.txt
        t=$((c < 2 ? c : 2))
        BENCH_PATH=$path timeout $((DURATION + 30)) \
                wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 5s --latency -s "$OUT/wrk.lua" "$base/" >"$file" 2>&1 ||
                warn "wrk $name c$c failed (see $file)"
        rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$file")
        p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$file")")
        p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$file")")
        errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
                /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i + 0 }
                END { print n + 0 }' "$file")
        ROW_NAME=$name ROW_C=$c ROW_RPS=${rps:-0} ROW_P50=$p50 ROW_P99=$p99 ROW_ERR=$errs
}

# run_pgbench KIND CONNS
run_pgbench() {
        local kind=$1 c=$2 file prefix tps p50 p99
        file=$OUT/pgbench-$kind-c$c.txt
        prefix=$TANDEM_RUNDIR/pgblog-$kind-$c
        PGOPTIONS='-c search_path=people' timeout $((DURATION + 30)) \
                pgbench -n -M prepared -c "$c" -j $((c < 2 ? c : 2)) -T "$DURATION" \
                --log --log-prefix="$prefix" --sampling-rate=0.1 \
                -f "$OUT/pgbench-$kind.sql" -h "$(pg_sockdir "$PG")" -p "$pg_port" -U tandem tandem \
                >"$file" 2>&1 || warn "pgbench $kind c$c failed (see $file)"
        tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$file")
        # per-transaction log: 3rd field is the latency in microseconds
        read -r p50 p99 < <(cat "$prefix".* 2>/dev/null | awk '{ print $3 }' | sort -n | awk '
                { v[NR] = $1 }
                END { if (NR == 0) { print "0 0"; exit }
                      i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
                      i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
                      printf "%.2f %.2f\n", v[i50] / 1000, v[i99] / 1000 }')
        rm -f "$prefix".*
        ROW_NAME=pgbench-$kind ROW_C=$c ROW_RPS=${tps:-0} ROW_P50=$p50 ROW_P99=$p99 ROW_ERR=0
}

add_row() { # add_row KIND(get|list) IS_SERVICE
        local ratio="-" rss="-"
        if [[ $2 == 1 ]]; then
                if [[ -n ${PGB[$1-$ROW_C]:-} && ${PGB[$1-$ROW_C]} != 0 ]]; then
                        ratio=$(awk -v a="$ROW_RPS" -v b="${PGB[$1-$ROW_C]}" 'BEGIN { printf "%.2f", a / b }')
                fi
                rss="$(($(rss_kb) / 1024)) MiB"
        fi
        ROWS+=("$(printf '%-26s %5s %9s %8s %8s %7s %8s %10s' "$ROW_NAME" "$ROW_C" "$ROW_RPS" \
                "$ROW_P50" "$ROW_P99" "$ratio" "$ROW_ERR" "$rss")")
}

step "warm-up (3 s, not recorded)"
BENCH_PATH="" timeout 20 wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:$svc_port/" >/dev/null 2>&1 || true

for c in "${CONNS[@]}"; do
        step "$c connection(s)"
        # pgbench first, so every service row has its ratio
        for kind in get list; do
                info "pgbench $kind"
                run_pgbench "$kind" "$c"
                PGB[$kind-$c]=$ROW_RPS
                add_row "$kind" 0
        done
        for target in direct:$svc_port gateway:$gw_port; do
                base=http://127.0.0.1:${target#*:}
                info "wrk $target GET /v1/people/{id}"
                run_wrk "${target%%:*}-get" "$c" "" "$base"
                add_row get 1
                info "wrk $target GET /v1/people?limit=$LIMIT"
                run_wrk "${target%%:*}-list" "$c" "/v1/people?limit=$LIMIT" "$base"
                add_row list 1
        done
done

# ---- SCIM: what an identity provider drives ------------------------------------------
cat >"$OUT/scim.lua" <<'LUA'
-- SCIM as Entra ID and Okta drive it (BENCH_SCIM_MODE): find a user by
-- userName, PATCH one (title), or POST a new one (a unique userName each).
local mode = os.getenv("BENCH_SCIM_MODE")
local n = tonumber(os.getenv("BENCH_PEOPLE"))
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_SCIM_TOKEN")
wrk.headers["Content-Type"] = "application/scim+json"
local f = io.open("/dev/urandom", "rb")
local b = f:read(4)
f:close()
local seed = b:byte(1) + b:byte(2) * 256 + b:byte(3) * 65536 + b:byte(4) * 16777216
math.randomseed(seed)
local count = 0
request = function()
   count = count + 1
   if mode == "filter" then
      local q = 'userName eq "bench.person' .. math.random(n) .. '@example.com"'
      return wrk.format("GET", "/scim/v2/Users?filter=" .. q:gsub(" ", "%%20"):gsub('"', "%%22"))
   elseif mode == "patch" then
      local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":' ..
         '[{"op":"Replace","path":"title","value":"Partner ' .. count .. '"}]}'
      return wrk.format("PATCH", "/scim/v2/Users/" .. ids[math.random(#ids)], nil, body)
   end
   local u = "scim." .. seed .. "." .. count .. "@example.com"
   local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. u ..
      '","externalId":"ext-' .. seed .. "-" .. count .. '","name":{"givenName":"Bench",' ..
      '"familyName":"User"},"emails":[{"value":"' .. u .. '","type":"work","primary":true}],' ..
      '"active":true}'
   return wrk.format("POST", "/scim/v2/Users", nil, body)
end
LUA
SCIM_CONNS=${TANDEM_BENCH_SCIM_CONNS:-4}
SCIM_MIN=25
scim_ok=1
step "SCIM at $SCIM_CONNS connections (must sustain $SCIM_MIN req/s)"
for mode in filter patch create; do
        info "wrk SCIM $mode"
        file=$OUT/wrk-scim-$mode.txt
        BENCH_SCIM_MODE=$mode BENCH_SCIM_TOKEN=$scim_token BENCH_PEOPLE=$N_PEOPLE \
                timeout $((DURATION + 30)) wrk -t2 -c"$SCIM_CONNS" -d"${DURATION}s" --timeout 5s \
                --latency -s "$OUT/scim.lua" "http://127.0.0.1:$svc_port/" >"$file" 2>&1 ||
                warn "wrk SCIM $mode failed (see $file)"
        rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$file")
        errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } END { print n + 0 }' "$file")
        ROW_NAME=scim-$mode ROW_C=$SCIM_CONNS ROW_RPS=${rps:-0} ROW_ERR=$errs
        ROW_P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$file")")
        ROW_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$file")")
        add_row scim 1
        if ((${rps:-0} < SCIM_MIN || errs > 0)); then scim_ok=0; fi
done
SCIM_VERDICT="SCIM: every run sustained >= $SCIM_MIN req/s with no error: $([[ $scim_ok == 1 ]] && echo yes || echo NO)"

peak=$(awk '/^VmHWM:/ { printf "%d MiB", $2 / 1024 }' "/proc/$SVC_PID/status" 2>/dev/null || echo "?")
{
        echo "Tandem bench $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, ${DURATION}s a run, $N_PEOPLE people"
        echo "direct = people service (127.0.0.1, unix-socket libpq); gateway = through nginx;"
        echo "pgbench = the same SELECT over the same socket (get: one person by seq; list: $((LIMIT + 1)) rows)."
        echo "ratio = req/s divided by pgbench's tps for the same query and connections; rss = the service's VmRSS after the run."
        echo
        printf '%-26s %5s %9s %8s %8s %7s %8s %10s\n' target conns "req/s" "p50 ms" "p99 ms" ratio errors rss
        printf '%s\n' "${ROWS[@]}"
        echo
        echo "$SCIM_VERDICT"
        echo "people service peak RSS (VmHWM): $peak"
} | tee "$OUT/summary.txt"
echo "raw output: $OUT"
[[ $scim_ok == 1 ]] || die "SCIM did not sustain $SCIM_MIN requests/s without errors"
