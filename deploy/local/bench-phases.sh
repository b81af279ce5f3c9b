#!/usr/bin/env bash
# deploy/local/bench-phases.sh (make bench, after bench.sh): throughput and latency of the people and
# phases services, directly and through the gateway, against pgbench running
# the same SELECTs on the same database: the floor no service can beat.
#
# A stack of its own in a temp dir (PostgreSQL, people, phases, nginx; never
# make run's), 10,000 people and 10,000 enrolments (with their phases, and
# baseline and later self-assessments for a fifth of them) inserted with SQL
# after the services created their schemas, then
#   wrk --latency -t2 -d10s  GET /v1/people/{random id}, GET /v1/people?limit=50,
#                            GET /v1/enrolments/{random id}, GET /v1/stats/phases
#   pgbench -n -M prepared -j2 -T10 with the services' own SELECTs
# at 1, 16 and 64 connections.  Prints a table; raw output goes to build/bench/.
#
#   TANDEM_BENCH_DURATION   seconds per run (10)
#   TANDEM_BENCH_CONNS      connection counts ("1 16 64")
#   TANDEM_BENCH_PEOPLE     rows to insert (10000), one enrolment each
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
PHASES_BIN=$BUILD_DIR/bin/tandem-phases
TOKEN_BIN=$BUILD_DIR/bin/tandem-token

for tool in wrk pgbench psql curl; do
        command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[[ -x $BIN && -x $PHASES_BIN && -x $TOKEN_BIN ]] || die "build the services first (make all)"

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
svc_port=$(free_port)
start_service people "$svc_port" "$LOGDIR/people.log" \
        TANDEM_DATABASE_URL="$(pg_url "$PG")" \
        TANDEM_JWT_SECRET="$secret" TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
        TANDEM_LOG_LEVEL="${TANDEM_BENCH_LOG_LEVEL:-warn}"
SVC_PID=$STARTED_PID
wait_http "http://127.0.0.1:$svc_port/readyz" 30 "$SVC_PID" || die "people did not become ready"
ph_port=$(free_port)
start_service phases "$ph_port" "$LOGDIR/phases.log" \
        TANDEM_DATABASE_URL="$(pg_url "$PG")" TANDEM_PEOPLE_URL="http://127.0.0.1:$svc_port" \
        TANDEM_JWT_SECRET="$secret" TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
        TANDEM_LOG_LEVEL="${TANDEM_BENCH_LOG_LEVEL:-warn}"
PH_PID=$STARTED_PID
wait_http "http://127.0.0.1:$ph_port/readyz" 30 "$PH_PID" || die "phases did not become ready"
gw_port=$(free_port)
TANDEM_NGINX_WORKERS=${TANDEM_NGINX_WORKERS:-2} \
        render_nginx_conf "$TANDEM_RUNDIR/gateway" "$gw_port" 65536 "$LOGDIR" \
        "people=127.0.0.1:$svc_port" "phases=127.0.0.1:$ph_port"
# no access log line per request in a benchmark
sed -i 's|^\(\s*access_log\) .*;|\1 off;|' "$TANDEM_RUNDIR/gateway/nginx.conf"
nginx_start "$TANDEM_RUNDIR/gateway"
wait_http "http://127.0.0.1:$gw_port/healthz" 10 || die "the gateway does not answer"
info "PostgreSQL 127.0.0.1:$pg_port, people 127.0.0.1:$svc_port (pid $SVC_PID),"
info "phases 127.0.0.1:$ph_port (pid $PH_PID), gateway 127.0.0.1:$gw_port"

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

# One enrolment per person in the default programme, spread over the five
# phases and every status, each phase's times spaced by about its guide
# duration; a fifth of the partners with a baseline and a later
# self-assessment.  The rows are what the service itself writes.
step "inserting $N_PEOPLE enrolments"
psql -X -q -v ON_ERROR_STOP=1 "$(pg_url "$PG")" <<'SQL'
SET search_path = phases;
CREATE TEMP TABLE b AS
SELECT p.id AS person_id, p.seq::int AS g, p.business_unit,
       CASE WHEN p.seq % 25 = 1 THEN 'operational' WHEN p.seq % 20 = 0 THEN 'paused'
            WHEN p.seq % 33 = 2 THEN 'withdrawn' ELSE 'active' END AS status,
       CASE WHEN p.seq % 25 = 1 THEN 5 ELSE 1 + (p.seq % 5)::int END AS pos
  FROM people.person p;
INSERT INTO enrolment (person_id, programme_id, programme_version, business_unit, status,
                       current_position, enrolled_at, last_progress_at, paused_at, ended_at)
SELECT person_id, 'de0fa017-0000-4000-8000-000000000001', 1, business_unit, status, pos,
       now() - make_interval(days => pos * 40 + g % 17),
       now() - make_interval(days => g % 45),
       CASE WHEN status = 'paused' THEN now() - interval '3 days' END,
       CASE WHEN status IN ('operational', 'withdrawn') THEN now() - interval '1 day' END
  FROM b;
INSERT INTO enrolment_phase (enrolment_id, position, key, name, guide_days, stall_days, status,
                             entered_at, completed_at, target_date)
SELECT e.id, x.position, x.key, x.name, x.guide_days, x.stall_days,
       CASE WHEN x.position < e.current_position OR e.status = 'operational' THEN 'completed'
            WHEN x.position = e.current_position THEN 'in_progress' ELSE 'not_started' END,
       CASE WHEN x.position <= e.current_position
            THEN e.enrolled_at + make_interval(days => (x.position - 1) * 40) END,
       CASE WHEN x.position < e.current_position OR e.status = 'operational'
            THEN e.enrolled_at + make_interval(days => (x.position - 1) * 40
                                                      + 10 + (e.seq % 29)::int) END,
       CASE WHEN e.seq % 3 = 0 THEN (now() + make_interval(days => (x.position * 30
                                                                   - (e.seq % 50)::int)))::date END
  FROM enrolment e
  CROSS JOIN LATERAL (SELECT (v->>'position')::int AS position, v->>'key' AS key,
                             v->>'name' AS name, (v->>'guide_days')::int AS guide_days,
                             (v->>'stall_days')::int AS stall_days
                        FROM programme_version pv, jsonb_array_elements(pv.phases) AS v
                       WHERE pv.programme_id = e.programme_id
                         AND pv.version = e.programme_version) AS x;
INSERT INTO assessment (person_id, kind, rated_by, template_id, enrolment_id, phase, baseline,
                        submitted_at)
SELECT e.person_id, 'self', e.person_id, 'de0fa017-0000-4000-8000-000000000002', e.id, k.phase,
       k.baseline, e.enrolled_at + make_interval(days => k.n)
  FROM enrolment e
  CROSS JOIN (VALUES (1, 'research', true), (60, 'workshops', false)) AS k (n, phase, baseline)
 WHERE e.seq % 5 = 0;
INSERT INTO assessment_answer (assessment_id, position, platform, skill, confidence, capability)
SELECT a.id, i.n, i.item->>'platform', i.item->>'skill',
       CASE WHEN a.baseline THEN 1 + a.seq % 3 ELSE 2 + a.seq % 4 END,
       CASE WHEN a.baseline THEN 1 + a.seq % 2 ELSE 2 + a.seq % 3 END
  FROM assessment a, assessment_template t,
       jsonb_array_elements(t.items) WITH ORDINALITY AS i (item, n)
 WHERE t.id = a.template_id;
ANALYZE enrolment;
ANALYZE enrolment_phase;
ANALYZE assessment;
ANALYZE assessment_answer;
SQL
EIDS=$TANDEM_RUNDIR/enrolment-ids.txt
psql -X -qtA "$(pg_url "$PG")" -c "SELECT id FROM phases.enrolment ORDER BY seq" >"$EIDS"
read -r ESEQ_MIN ESEQ_MAX < <(psql -X -qtA -F ' ' "$(pg_url "$PG")" -c "SELECT min(seq), max(seq) FROM phases.enrolment")
info "$(wc -l <"$EIDS") enrolments, seq $ESEQ_MIN..$ESEQ_MAX"

TOKEN=$(TANDEM_JWT_SECRET=$secret TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
        "$TOKEN_BIN" --sub bench-admin --roles admin --email bench.admin@example.com --ttl 3600)
export BENCH_TOKEN=$TOKEN

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
# the phases service's own SELECTs (services/phases/phases_db.c: enrolment_get,
# and the four statements of GET /v1/stats/phases without filters, one
# transaction of pgbench); keep them in step with that file
cat >"$OUT/pgbench-enrolment.sql" <<SQL
\set n random($ESEQ_MIN, $ESEQ_MAX)
SELECT e.id, e.version, enrolment_json(e), e.person_id FROM enrolment e WHERE e.seq = :n;
SQL
cat >"$OUT/pgbench-stats.sql" <<'SQL'
SELECT count(*) FILTER (WHERE e.status = 'active'), count(*) FILTER (WHERE e.status = 'paused'), count(*) FILTER (WHERE e.status = 'withdrawn'), count(*) FILTER (WHERE e.status = 'operational') FROM enrolment e WHERE (NULL::uuid IS NULL OR e.programme_id = NULL::uuid) AND (NULL::text IS NULL OR e.business_unit = NULL::text);
SELECT e.status, ph.key, ph.target_date - date '1970-01-01', extract(epoch FROM e.last_progress_at)::bigint, ph.stall_days FROM enrolment e JOIN enrolment_phase ph ON ph.enrolment_id = e.id AND ph.position = e.current_position WHERE e.status IN ('active', 'paused') AND (NULL::uuid IS NULL OR e.programme_id = NULL::uuid) AND (NULL::text IS NULL OR e.business_unit = NULL::text);
SELECT k.key, k.name, k.position, coalesce(d.n, 0), d.median, d.p90 FROM (SELECT ph.key, min(ph.name) AS name, min(ph.position) AS position FROM enrolment e JOIN enrolment_phase ph ON ph.enrolment_id = e.id WHERE (NULL::uuid IS NULL OR e.programme_id = NULL::uuid) AND (NULL::text IS NULL OR e.business_unit = NULL::text) GROUP BY ph.key) AS k LEFT JOIN (SELECT c.key, count(*) AS n, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c.d)::numeric, 2) AS median, round(percentile_cont(0.9) WITHIN GROUP (ORDER BY c.d)::numeric, 2) AS p90 FROM (SELECT ph.key, extract(epoch FROM ph.completed_at - ph.entered_at) / 86400 AS d FROM enrolment e JOIN enrolment_phase ph ON ph.enrolment_id = e.id WHERE ph.status = 'completed' AND (NULL::uuid IS NULL OR e.programme_id = NULL::uuid) AND (NULL::text IS NULL OR e.business_unit = NULL::text)) AS c GROUP BY c.key) AS d ON d.key = k.key ORDER BY k.position, k.key;
WITH scope AS (SELECT DISTINCT e.person_id FROM enrolment e WHERE (NULL::uuid IS NULL OR e.programme_id = NULL::uuid) AND (NULL::text IS NULL OR e.business_unit = NULL::text)), pairs AS MATERIALIZED (SELECT b.person_id, b.id AS base_id, (SELECT l.id FROM assessment l WHERE l.person_id = b.person_id AND l.kind = 'self' ORDER BY l.seq DESC LIMIT 1) AS last_id FROM assessment b WHERE b.kind = 'self' AND b.baseline AND ((NULL::uuid IS NULL AND NULL::text IS NULL) OR b.person_id IN (SELECT person_id FROM scope))), diffs AS (SELECT p.person_id, ba.platform, avg(la.confidence - ba.confidence) AS dc, avg(la.capability - ba.capability) AS dk FROM pairs p JOIN assessment_answer ba ON ba.assessment_id = p.base_id JOIN assessment_answer la ON la.assessment_id = p.last_id AND la.platform = ba.platform AND la.skill = ba.skill WHERE p.last_id <> p.base_id GROUP BY p.person_id, ba.platform) SELECT platform, count(*), round(avg(dc), 2), round(avg(dk), 2) FROM diffs GROUP BY platform ORDER BY platform;
SQL
cat >"$OUT/wrk.lua" <<'LUA'
-- GET BENCH_PREFIX{random id} (BENCH_IDS: one id a line), or BENCH_PATH as is
local path = os.getenv("BENCH_PATH")
local prefix = os.getenv("BENCH_PREFIX") or "/v1/people/"
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
   return wrk.format("GET", prefix .. ids[math.random(#ids)])
end
LUA

# check every request answers 200 before measuring anything
for url in "http://127.0.0.1:$svc_port/v1/people/$(head -n1 "$IDS")" \
        "http://127.0.0.1:$gw_port/v1/people?limit=$LIMIT" \
        "http://127.0.0.1:$ph_port/v1/enrolments/$(head -n1 "$EIDS")" \
        "http://127.0.0.1:$gw_port/v1/stats/phases"; do
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

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

ROWS=()
declare -A PGB=()

# run_wrk NAME CONNS URL_PATH_OR_EMPTY BASE [IDS PREFIX]
run_wrk() {
        local name=$1 c=$2 path=$3 base=$4 ids=${5:-$IDS} prefix=${6:-/v1/people/}
        local file rps p50 p99 errs t
        file=$OUT/wrk-$name-c$c.txt
        t=$((c < 2 ? c : 2))
        BENCH_PATH=$path BENCH_IDS=$ids BENCH_PREFIX=$prefix timeout $((DURATION + 30)) \
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

# run_pgbench KIND CONNS [SCHEMA]
run_pgbench() {
        local kind=$1 c=$2 schema=${3:-people} file prefix tps p50 p99
        file=$OUT/pgbench-$kind-c$c.txt
        prefix=$TANDEM_RUNDIR/pgblog-$kind-$c
        PGOPTIONS="-c search_path=$schema -c TimeZone=UTC" timeout $((DURATION + 30)) \
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

add_row() { # add_row KIND(get|list|enrolment|stats) SERVICE_PID_OR_0
        local ratio="-" rss="-"
        if [[ $2 != 0 ]]; then
                if [[ -n ${PGB[$1-$ROW_C]:-} && ${PGB[$1-$ROW_C]} != 0 ]]; then
                        ratio=$(awk -v a="$ROW_RPS" -v b="${PGB[$1-$ROW_C]}" 'BEGIN { printf "%.2f", a / b }')
                fi
                rss="$(($(rss_kb "$2") / 1024)) MiB"
        fi
        ROWS+=("$(printf '%-26s %5s %9s %8s %8s %7s %8s %10s' "$ROW_NAME" "$ROW_C" "$ROW_RPS" \
                "$ROW_P50" "$ROW_P99" "$ratio" "$ROW_ERR" "$rss")")
}

step "warm-up (3 s, not recorded)"
BENCH_PATH="" BENCH_IDS=$IDS timeout 20 wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:$svc_port/" >/dev/null 2>&1 || true
BENCH_PATH="" BENCH_IDS=$EIDS BENCH_PREFIX=/v1/enrolments/ timeout 20 \
        wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:$ph_port/" >/dev/null 2>&1 || true

for c in "${CONNS[@]}"; do
        step "$c connection(s)"
        # pgbench first, so every service row has its ratio
        for kind in get:people list:people enrolment:phases stats:phases; do
                info "pgbench ${kind%%:*}"
                run_pgbench "${kind%%:*}" "$c" "${kind#*:}"
                PGB[${kind%%:*}-$c]=$ROW_RPS
                add_row "${kind%%:*}" 0
        done
        for target in direct:$svc_port gateway:$gw_port; do
                base=http://127.0.0.1:${target#*:}
                info "wrk $target GET /v1/people/{id}"
                run_wrk "${target%%:*}-get" "$c" "" "$base"
                add_row get "$SVC_PID"
                info "wrk $target GET /v1/people?limit=$LIMIT"
                run_wrk "${target%%:*}-list" "$c" "/v1/people?limit=$LIMIT" "$base"
                add_row list "$SVC_PID"
        done
        for target in direct:$ph_port gateway:$gw_port; do
                base=http://127.0.0.1:${target#*:}
                info "wrk $target GET /v1/enrolments/{id}"
                run_wrk "${target%%:*}-enrolment" "$c" "" "$base" "$EIDS" /v1/enrolments/
                add_row enrolment "$PH_PID"
                info "wrk $target GET /v1/stats/phases"
                run_wrk "${target%%:*}-stats" "$c" /v1/stats/phases "$base"
                add_row stats "$PH_PID"
        done
done

peak=$(awk '/^VmHWM:/ { printf "%d MiB", $2 / 1024 }' "/proc/$SVC_PID/status" 2>/dev/null || echo "?")
ph_peak=$(awk '/^VmHWM:/ { printf "%d MiB", $2 / 1024 }' "/proc/$PH_PID/status" 2>/dev/null || echo "?")
{
        echo "Tandem bench $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, ${DURATION}s a run, $N_PEOPLE people, $N_PEOPLE enrolments"
        echo "direct = the service (127.0.0.1, unix-socket libpq); gateway = through nginx;"
        echo "pgbench = the same SELECTs over the same socket (get: one person by seq; list: $((LIMIT + 1)) rows;"
        echo "enrolment: one enrolment with its phases by seq; stats: the 4 statements of GET /v1/stats/phases)."
        echo "enrolment and stats rows are the phases service, which also computes each pace in C."
        echo "ratio = req/s divided by pgbench's tps for the same query and connections; rss = the service's VmRSS after the run."
        echo
        printf '%-26s %5s %9s %8s %8s %7s %8s %10s\n' target conns "req/s" "p50 ms" "p99 ms" ratio errors rss
        printf '%s\n' "${ROWS[@]}"
        echo
        echo "people service peak RSS (VmHWM): $peak; phases service: $ph_peak"
} | tee "$OUT/summary.txt"
echo "raw output: $OUT"
