#!/usr/bin/env bash
# deploy/local/bench-mentoring.sh (make bench, after bench.sh): throughput and latency of the services,
# directly and through the gateway, against pgbench running the same SELECTs
# on the same database: the floor no service can beat.
#
# A stack of its own in a temp dir (PostgreSQL, people, mentoring, nginx; never
# make run's), data inserted with SQL after the services created their schemas:
#   people     10,000 people; GET /v1/people/{random id} and GET /v1/people?limit=50
#   mentoring  every partner among the first TANDEM_BENCH_PARTNERS gets a checklist of
#              6 items (2 daily, 2 weekly, fortnightly, monthly) started a year ago
#              with a year of completions (~800 each); GET /v1/checklists/{partner}
#              ?weeks=12 (every item's regularity over the year) as the partner
#              (one call to people for /v1/me) and as admin (none)
#   wrk --latency -t2 -d10s against those, and
#   pgbench -n -M prepared -j2 -T10 with the services' own SELECTs
# at 1, 16 and 64 connections.  Prints a table; raw output goes to build/bench/.
#
#   TANDEM_BENCH_DURATION   seconds per run (10)
#   TANDEM_BENCH_CONNS      connection counts ("1 16 64")
#   TANDEM_BENCH_PEOPLE     rows to insert (10000)
#   TANDEM_BENCH_PARTNERS   partners with a year of checklist (200)
#   TANDEM_BENCH_ONLY       people or mentoring: run only that service's rows
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
N_PARTNERS=${TANDEM_BENCH_PARTNERS:-200}
ONLY=${TANDEM_BENCH_ONLY:-all}
case $ONLY in all | people | mentoring) ;; *) die "TANDEM_BENCH_ONLY: people or mentoring" ;; esac
want() { [[ $ONLY == all || $ONLY == "$1" ]]; }
LIMIT=50
OUT=$TANDEM_ROOT/build/bench
ISSUER=tandem-bench
AUDIENCE=tandem-bench
BIN=$BUILD_DIR/bin/tandem-people
MBIN=$BUILD_DIR/bin/tandem-mentoring
TOKEN_BIN=$BUILD_DIR/bin/tandem-token

for tool in wrk pgbench psql curl; do
        command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[[ -x $BIN && -x $MBIN && -x $TOKEN_BIN ]] || die "build the services first (make all)"

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
m_port=$(free_port)
for s in people:$svc_port mentoring:$m_port; do
        start_service "${s%%:*}" "${s##*:}" "$LOGDIR/${s%%:*}.log" \
                TANDEM_DATABASE_URL="$(pg_url "$PG")" \
                TANDEM_JWT_SECRET="$secret" TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
                TANDEM_PEOPLE_URL="http://127.0.0.1:$svc_port" \
                TANDEM_MENTORING_URL="http://127.0.0.1:$m_port" \
                TANDEM_LOG_LEVEL="${TANDEM_BENCH_LOG_LEVEL:-warn}"
        wait_http "http://127.0.0.1:${s##*:}/readyz" 30 "$STARTED_PID" || die "${s%%:*} did not become ready"
        [[ ${s%%:*} == people ]] && SVC_PID=$STARTED_PID || M_PID=$STARTED_PID
done
gw_port=$(free_port)
TANDEM_NGINX_WORKERS=${TANDEM_NGINX_WORKERS:-2} \
        render_nginx_conf "$TANDEM_RUNDIR/gateway" "$gw_port" 65536 "$LOGDIR" "people=127.0.0.1:$svc_port" \
        "mentoring=127.0.0.1:$m_port"
# no access log line per request in a benchmark
sed -i 's|^\(\s*access_log\) .*;|\1 off;|' "$TANDEM_RUNDIR/gateway/nginx.conf"
nginx_start "$TANDEM_RUNDIR/gateway"
wait_http "http://127.0.0.1:$gw_port/healthz" 10 || die "the gateway does not answer"
info "PostgreSQL 127.0.0.1:$pg_port, people 127.0.0.1:$svc_port (pid $SVC_PID)," \
        "mentoring 127.0.0.1:$m_port (pid $M_PID), gateway 127.0.0.1:$gw_port"

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

step "a year of checklists for $N_PARTNERS partners"
psql -X -q -v ON_ERROR_STOP=1 "$(pg_url "$PG")" <<SQL
SELECT setseed(0.42);
INSERT INTO mentoring.checklist_item (partner_id, title, platform, skill, cadence_kind,
                                      cadence_days, started_on)
SELECT p.id, c.title, c.platform, c.skill, c.kind, c.days, current_date - 365
FROM (SELECT id FROM people.person WHERE 'partner' = ANY (roles) ORDER BY seq LIMIT $N_PARTNERS) p
CROSS JOIN (VALUES ('Comment on three posts', 'linkedin', 'engaging', 'daily', 1),
                   ('Share one article', 'linkedin', 'curating', 'daily', 1),
                   ('Write a post of your own', 'linkedin', 'writing', 'weekly', 7),
                   ('Reply to every comment', 'x', 'engaging', 'weekly', 7),
                   ('Record a short video', 'youtube', 'video', 'fortnightly', 14),
                   ('Publish a long-form article', 'blog', 'writing', 'monthly', 0))
           AS c(title, platform, skill, kind, days);
INSERT INTO mentoring.completion (item_id, partner_id, done_at, evidence_url)
SELECT i.id, i.partner_id,
       (current_date - 365 + d)::timestamp + time '07:00' + random() * interval '10 hours',
       'https://www.linkedin.com/posts/bench-' || d
FROM mentoring.checklist_item i, generate_series(0, 364) AS d
WHERE random() < CASE i.cadence_kind WHEN 'daily' THEN 0.85 WHEN 'weekly' THEN 0.2
                                     WHEN 'fortnightly' THEN 0.09 ELSE 0.04 END;
VACUUM ANALYZE mentoring.checklist_item;
VACUUM ANALYZE mentoring.completion;
SQL
CHECK_PARTNER=$(psql -X -qtA "$(pg_url "$PG")" -c "SELECT id FROM people.person WHERE external_id = 'bench-1'")
read -r N_ITEMS N_DONE < <(psql -X -qtA -F ' ' "$(pg_url "$PG")" -c "SELECT
        (SELECT count(*) FROM mentoring.checklist_item WHERE partner_id = '$CHECK_PARTNER'),
        (SELECT count(*) FROM mentoring.completion WHERE partner_id = '$CHECK_PARTNER')")
info "partner bench-1 ($CHECK_PARTNER): $N_ITEMS items, $N_DONE completions;" \
        "$(psql -X -qtA "$(pg_url "$PG")" -c "SELECT count(*) FROM mentoring.completion") in all"
CHECKLIST=/v1/checklists/$CHECK_PARTNER?weeks=12

TOKEN=$(TANDEM_JWT_SECRET=$secret TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
        "$TOKEN_BIN" --sub bench-admin --roles admin --email bench.admin@example.com --ttl 3600)
PARTNER_TOKEN=$(TANDEM_JWT_SECRET=$secret TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
        "$TOKEN_BIN" --sub bench-1 --roles partner --email bench.person1@example.com --ttl 3600)
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
# the service's item_read_partner (services/mentoring/mentoring_db.c) for one partner
cat >"$OUT/pgbench-checklist.sql" <<SQL
SELECT i.id, item_json(i), i.cadence_kind, i.cadence_days, i.started_on - DATE '1970-01-01',
 i.status = 'active',
 ARRAY(SELECT (p->>'from')::date - DATE '1970-01-01' FROM jsonb_array_elements(i.pauses) p),
 ARRAY(SELECT coalesce((p->>'to')::date - DATE '1970-01-01', 2147483647)
       FROM jsonb_array_elements(i.pauses) p),
 floor(extract(epoch FROM now()))::bigint, i.partner_id, i.version,
 ARRAY(SELECT floor(date_part('epoch', c.done_at))::bigint FROM completion c
       WHERE c.item_id = i.id ORDER BY c.done_at)
FROM checklist_item i WHERE i.partner_id = '$CHECK_PARTNER' ORDER BY i.seq;
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

# check every request answers 200 before measuring anything
for probe in "$TOKEN http://127.0.0.1:$svc_port/v1/people/$(head -n1 "$IDS")" \
        "$TOKEN http://127.0.0.1:$gw_port/v1/people?limit=$LIMIT" \
        "$PARTNER_TOKEN http://127.0.0.1:$m_port$CHECKLIST" \
        "$PARTNER_TOKEN http://127.0.0.1:$gw_port$CHECKLIST" \
        "$TOKEN http://127.0.0.1:$m_port$CHECKLIST"; do
        url=${probe#* }
        code=$(curl -s -o "$TANDEM_RUNDIR/probe" -w '%{http_code}' -H "Authorization: Bearer ${probe%% *}" "$url")
        [[ $code == 200 ]] || die "GET $url answered $code: $(head -c 300 "$TANDEM_RUNDIR/probe")"
done
info "checklist answer: $(wc -c <"$TANDEM_RUNDIR/probe") bytes"

# ---- measuring --------------------------------------------------------------------------
# to_ms VALUE: wrk's "1.23ms" / "456.00us" / "1.02s" in milliseconds
to_ms() {
        awk -v v="$1" 'BEGIN {
                n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
                if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
                printf "%.2f", n }'
}

RSS_PID=$SVC_PID   # the service whose rows are being measured
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$RSS_PID/status" 2>/dev/null || echo 0; }

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
        PGOPTIONS="-c search_path=$([[ $kind == checklist ]] && echo mentoring || echo people)" \
                timeout $((DURATION + 30)) \
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
        kinds=()
        want people && kinds+=(get list)
        want mentoring && kinds+=(checklist)
        for kind in "${kinds[@]}"; do
                info "pgbench $kind"
                run_pgbench "$kind" "$c"
                PGB[$kind-$c]=$ROW_RPS
                add_row "$kind" 0
        done
        RSS_PID=$M_PID
        for target in direct-partner:$m_port:$PARTNER_TOKEN gateway-partner:$gw_port:$PARTNER_TOKEN \
                direct-admin:$m_port:$TOKEN; do
                want mentoring || break
                IFS=: read -r tname tport ttoken <<<"$target"
                info "wrk $tname GET /v1/checklists/{partner}?weeks=12"
                BENCH_TOKEN=$ttoken run_wrk "$tname-checklist" "$c" "$CHECKLIST" "http://127.0.0.1:$tport"
                add_row checklist 1
        done
        RSS_PID=$SVC_PID
        for target in direct:$svc_port gateway:$gw_port; do
                want people || break
                base=http://127.0.0.1:${target#*:}
                info "wrk $target GET /v1/people/{id}"
                run_wrk "${target%%:*}-get" "$c" "" "$base"
                add_row get 1
                info "wrk $target GET /v1/people?limit=$LIMIT"
                run_wrk "${target%%:*}-list" "$c" "/v1/people?limit=$LIMIT" "$base"
                add_row list 1
        done
done

peak=$(awk '/^VmHWM:/ { printf "%d MiB", $2 / 1024 }' "/proc/$SVC_PID/status" 2>/dev/null || echo "?")
mpeak=$(awk '/^VmHWM:/ { printf "%d MiB", $2 / 1024 }' "/proc/$M_PID/status" 2>/dev/null || echo "?")
{
        echo "Tandem bench $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, ${DURATION}s a run, $N_PEOPLE people"
        echo "direct = the service (127.0.0.1, unix-socket libpq); gateway = through nginx;"
        echo "pgbench = the same SELECT over the same socket (get: one person by seq; list: $((LIMIT + 1)) rows;"
        echo "  checklist: one partner's $N_ITEMS items with their $N_DONE completions of a year)."
        echo "*-checklist = GET /v1/checklists/{partner}?weeks=12 (regularity computed in the service)"
        echo "  as the partner (-partner: one call to people for /v1/me) or as admin (-admin: none)."
        echo "ratio = req/s divided by pgbench's tps for the same query and connections; rss = the service's VmRSS after the run."
        echo
        printf '%-26s %5s %9s %8s %8s %7s %8s %10s\n' target conns "req/s" "p50 ms" "p99 ms" ratio errors rss
        printf '%s\n' "${ROWS[@]}"
        echo
        echo "people service peak RSS (VmHWM): $peak; mentoring: $mpeak"
} | tee "$OUT/summary.txt"
echo "raw output: $OUT"
