#!/usr/bin/env bash
# deploy/local/bench.sh (make bench): throughput and latency of the services,
# directly and through the gateway, against pgbench running the same SQL on
# the same database: the floor no service can beat.
#
# A stack of its own in a temp dir (PostgreSQL, people, strategy, nginx; never
# make run's).  Data is inserted with SQL after the services created their
# schemas, then at 1, 16 and 64 connections:
#   people     10,000 people;  GET /v1/people/{random id} and GET /v1/people?limit=50
#   strategy   10,000 playbooks (7 in 10 operational) and a published strategy
#              of 8 pillars;  POST /v1/integrations {a playbook not aligned yet}
#              (align it and store the result) and GET /v1/business-strategy/coverage
#              (the pillar coverage view over every playbook)
#   wrk --latency -t2 -d10s, and pgbench -n -M prepared -j2 -T10 with the
#   services' own statements (strategy_db.c, people_db.c).
# Then SCIM provisioning as an identity provider drives it (find by userName,
# PATCH, POST) at TANDEM_BENCH_SCIM_CONNS connections, checked against the 25
# requests/s SCIM must sustain.  Prints a table; raw output goes to build/bench/.
#
#   TANDEM_BENCH_DURATION   seconds per run (10)
#   TANDEM_BENCH_CONNS      connection counts ("1 16 64")
#   TANDEM_BENCH_ONLY       which services' benchmarks ("people strategy")
#   TANDEM_BENCH_PEOPLE     people to insert (10000)
#   TANDEM_BENCH_PLAYBOOKS  playbooks to insert (10000)
#   TANDEM_BENCH_SCIM_CONNS connections for the SCIM runs (4)
#   TANDEM_BENCH_LOG_LEVEL  the services' TANDEM_LOG_LEVEL (warn: no line per
#                           request, so the log file does not grow by GBs)
# The services' own tuning variables (TANDEM_THREADS, TANDEM_DB_POOL_SIZE) are
# passed through from the environment.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

DURATION=${TANDEM_BENCH_DURATION:-10}
read -r -a CONNS <<<"${TANDEM_BENCH_CONNS:-1 16 64}"
ONLY=${TANDEM_BENCH_ONLY:-people strategy}
ONLY=${ONLY//,/ }
N_PEOPLE=${TANDEM_BENCH_PEOPLE:-10000}
N_PLAYBOOKS=${TANDEM_BENCH_PLAYBOOKS:-10000}
LIMIT=50
OUT=$TANDEM_ROOT/build/bench
ISSUER=tandem-bench
AUDIENCE=tandem-bench
TOKEN_BIN=$BUILD_DIR/bin/tandem-token

for s in $ONLY; do
        [[ $s == people || $s == strategy ]] || die "TANDEM_BENCH_ONLY: unknown '$s' (people, strategy)"
done
want() { [[ " $ONLY " == *" $1 "* ]]; }
for tool in wrk pgbench psql curl jq; do
        command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
for b in people strategy token; do
        [[ -x $BUILD_DIR/bin/tandem-$b ]] || die "build the services first (make all)"
done

TANDEM_RUNDIR=$(mktemp -d /tmp/tandem-bench.XXXXXX)
export TANDEM_RUNDIR
chmod 755 "$TANDEM_RUNDIR"
LOGDIR=$TANDEM_RUNDIR/logs
mkdir -p "$LOGDIR" "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.lua "$OUT"/*.sql "$OUT"/*.json
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
declare -A PORT=() PID=()
scim_token=$(rand_hex 32)
for name in people strategy; do PORT[$name]=$(free_port); done
for name in people strategy; do
        start_service "$name" "${PORT[$name]}" "$LOGDIR/$name.log" \
                TANDEM_DATABASE_URL="$(pg_url "$PG")" \
                TANDEM_JWT_SECRET="$secret" TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
                TANDEM_PEOPLE_URL="http://127.0.0.1:${PORT[people]}" \
                TANDEM_SCIM_TOKEN="$scim_token" \
                TANDEM_LOG_LEVEL="${TANDEM_BENCH_LOG_LEVEL:-warn}"
        PID[$name]=$STARTED_PID
        wait_http "http://127.0.0.1:${PORT[$name]}/readyz" 30 "$STARTED_PID" || die "$name did not become ready"
done
svc_port=${PORT[people]}
gw_port=$(free_port)
TANDEM_NGINX_WORKERS=${TANDEM_NGINX_WORKERS:-2} \
        render_nginx_conf "$TANDEM_RUNDIR/gateway" "$gw_port" 65536 "$LOGDIR" \
        "people=127.0.0.1:${PORT[people]}" "strategy=127.0.0.1:${PORT[strategy]}"
# no access log line per request in a benchmark
sed -i 's|^\(\s*access_log\) .*;|\1 off;|' "$TANDEM_RUNDIR/gateway/nginx.conf"
nginx_start "$TANDEM_RUNDIR/gateway"
wait_http "http://127.0.0.1:$gw_port/healthz" 10 || die "the gateway does not answer"
info "PostgreSQL 127.0.0.1:$pg_port, people 127.0.0.1:${PORT[people]} (pid ${PID[people]}),"
info "strategy 127.0.0.1:${PORT[strategy]} (pid ${PID[strategy]}), gateway 127.0.0.1:$gw_port"

sql() { psql -X -q -v ON_ERROR_STOP=1 "$(pg_url "$PG")" "$@"; }
mint() { # mint SUB ROLES
        TANDEM_JWT_SECRET=$secret TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
                "$TOKEN_BIN" --sub "$1" --roles "$2" --email "$1@example.com" --ttl 3600
}
# probe METHOD URL TOKEN [BODY]: the request must answer 2xx before anything is measured
probe() {
        local code
        code=$(curl -s -o "$TANDEM_RUNDIR/probe" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
                ${4:+-H 'Content-Type: application/json' --data-binary "$4"} "$2")
        [[ $code == 2?? ]] || die "$1 $2 answered $code: $(head -c 300 "$TANDEM_RUNDIR/probe")"
}

# ---- people data --------------------------------------------------------------------------
people_data() {
        step "inserting $N_PEOPLE people"
        sql <<SQL
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
        sql -tA -c "SELECT id FROM people.person ORDER BY seq" >"$IDS"
        read -r SEQ_MIN SEQ_MAX < <(sql -tA -F ' ' -c "SELECT min(seq), max(seq) FROM people.person")
        info "$(wc -l <"$IDS") ids, seq $SEQ_MIN..$SEQ_MAX"
        PEOPLE_TOKEN=$(mint bench-admin admin)

        # the same SELECTs the service runs (services/people/people_db.c: person_get,
        # person_list), by seq instead of id so pgbench can pick one at random
        cat >"$OUT/pgbench-get.sql" <<SQL
\set n random($SEQ_MIN, $SEQ_MAX)
SELECT p.id, p.version, person_json(p) FROM person p WHERE p.seq = :n;
SQL
        cat >"$OUT/pgbench-list.sql" <<SQL
SELECT p.seq, person_json(p) FROM person p WHERE p.seq > 0 ORDER BY p.seq LIMIT $((LIMIT + 1));
SQL
        probe GET "http://127.0.0.1:${PORT[people]}/v1/people/$(head -n1 "$IDS")" "$PEOPLE_TOKEN"
        probe GET "http://127.0.0.1:$gw_port/v1/people?limit=$LIMIT" "$PEOPLE_TOKEN"
}

# ---- strategy data ----------------------------------------------------------------------
# 8 pillars of 4 keywords; playbooks of 4 themes with 2 keywords each from a
# pool that holds the pillars' keywords and others, one theme in three mapped
# explicitly, two platforms, a goal, a voice (one in ten with an off-limits
# term); 7 in 10 operational, carrying two pillars; 4 programmes.
strategy_data() {
        step "inserting a published strategy and $N_PLAYBOOKS playbooks"
        sql <<SQL
WITH p(name, kws) AS (VALUES
        ('Trusted Technology', ARRAY['ai', 'data', 'cyber security', 'cloud']),
        ('Sustainable Growth', ARRAY['esg', 'climate', 'net zero', 'energy']),
        ('People First', ARRAY['culture', 'talent', 'wellbeing', 'hybrid work']),
        ('Client Success', ARRAY['client', 'service', 'experience', 'loyalty']),
        ('Innovation', ARRAY['startup', 'research', 'patent', 'product']),
        ('Governance', ARRAY['board', 'risk', 'audit', 'compliance']),
        ('Diversity', ARRAY['inclusion', 'equity', 'gender', 'belonging']),
        ('Community', ARRAY['volunteering', 'charity', 'local', 'education']))
INSERT INTO strategy.strategy_version (number, title, status, is_current, pillars, pillar_keys,
                                       channels, policies, kpis, published_at)
SELECT 1, 'Bench strategy', 'published', true,
       jsonb_agg(jsonb_build_object('name', name, 'keywords', to_jsonb(kws))),
       array_agg(lower(name)),
       '[{"name": "LinkedIn"}, {"name": "X"}, {"name": "YouTube"}]',
       '{"off_limits_topics": ["pending litigation"], "off_limits_terms": ["guaranteed returns", "tax"],
         "disclosure_rules": ["Say when a post is about a client."]}',
       '[{"name": "Reach", "target": 1000000}]', now()
FROM p;

CREATE TEMP TABLE pool AS SELECT ARRAY['ai', 'data', 'cloud', 'esg', 'climate', 'energy', 'culture',
       'talent', 'wellbeing', 'client', 'service', 'loyalty', 'startup', 'research', 'product',
       'board', 'risk', 'audit', 'inclusion', 'equity', 'gender', 'charity', 'local', 'education',
       'golf', 'sailing', 'jazz', 'cooking', 'travel', 'books', 'running', 'family', 'history',
       'design', 'chess', 'music', 'football', 'art', 'poetry', 'gardening'] AS kw,
       (SELECT array_agg(p->>'name') FROM strategy.strategy_version,
               jsonb_array_elements(pillars) AS p WHERE is_current) AS pn,
       (SELECT pillar_keys FROM strategy.strategy_version WHERE is_current) AS pk;

INSERT INTO strategy.playbook (partner_id, programme_id, content, section_status, operational_at,
                               signed_off_at)
SELECT gen_random_uuid(), ('00000000-0000-4000-8000-00000000000' || (g % 4))::uuid,
       jsonb_build_object(
         'purpose', 'Purpose of bench partner ' || g, 'vision', 'Vision of bench partner ' || g,
         'audiences', null,
         'themes', (SELECT jsonb_agg(jsonb_build_object(
                        'name', 'Theme ' || g || '-' || k,
                        'keywords', jsonb_build_array(kw[1 + (g * 7 + k * 11) % 40], kw[1 + (g * 13 + k * 5) % 40]),
                        'pillars', CASE WHEN k = 1 AND g % 3 = 0 THEN jsonb_build_array(pn[1 + g % 8])
                                        ELSE '[]'::jsonb END))
                    FROM generate_series(1, 4) AS k),
         'platforms', CASE WHEN g % 2 = 0 THEN '[{"name": "LinkedIn"}, {"name": "Instagram"}]'::jsonb
                           ELSE '[{"name": "X"}]'::jsonb END,
         'cadence', null,
         'goals', jsonb_build_array(jsonb_build_object('description', 'Grow my network', 'metric',
                                                       'followers', 'target', 100 + g % 900)),
         'voice', CASE WHEN g % 10 = 0 THEN 'Plain, never about tax.' ELSE 'Plain and warm.' END,
         'boundaries', null),
       '{"purpose": "draft", "vision": "draft", "audiences": "empty", "themes": "reviewed",
         "platforms": "draft", "cadence": "empty", "goals": "ready_for_review", "voice": "draft",
         "boundaries": "empty"}',
       CASE WHEN g % 10 < 7 THEN now() END, CASE WHEN g % 10 < 7 THEN now() END
FROM generate_series(1, $N_PLAYBOOKS) AS g, pool;

INSERT INTO strategy.operational_leader (playbook_id, partner_id, programme_id, signed_off_at)
SELECT id, partner_id, programme_id, now() FROM strategy.playbook WHERE signed_off_at IS NOT NULL;
INSERT INTO strategy.carried_pillar (pillar_key, partner_id, programme_id, playbook_id)
SELECT DISTINCT k, b.partner_id, b.programme_id, b.id
FROM strategy.playbook AS b, pool, unnest(ARRAY[pk[1 + b.seq % 8], pk[1 + (b.seq * 3 + 1) % 8]]) AS k
WHERE b.signed_off_at IS NOT NULL;

INSERT INTO strategy.playbook_revision (playbook_id, revision, content, changed, author_id)
SELECT id, 1, content, ARRAY['purpose', 'vision', 'themes', 'platforms', 'goals', 'voice'], partner_id
FROM strategy.playbook;
ANALYZE strategy.playbook;
VACUUM ANALYZE strategy.operational_leader;
VACUUM ANALYZE strategy.carried_pillar;
ANALYZE strategy.playbook_revision;
ANALYZE strategy.strategy_version;
SQL
        PLAYBOOKS=$TANDEM_RUNDIR/playbooks.txt
        sql -tA -c "SELECT id FROM strategy.playbook ORDER BY seq" >"$PLAYBOOKS"
        read -r PB_MIN PB_MAX < <(sql -tA -F ' ' -c "SELECT min(seq), max(seq) FROM strategy.playbook")
        info "$(wc -l <"$PLAYBOOKS") playbooks, seq $PB_MIN..$PB_MAX"
        COMMS_TOKEN=$(mint bench-comms comms)

        # one real alignment, for the size of what pgbench stores
        probe POST "http://127.0.0.1:${PORT[strategy]}/v1/integrations" "$COMMS_TOKEN" \
                "{\"playbook_id\": \"$(tail -n1 "$PLAYBOOKS")\"}"
        jq -c .alignment "$TANDEM_RUNDIR/probe" >"$OUT/alignment.json"
        probe GET "http://127.0.0.1:$gw_port/v1/business-strategy/coverage" "$COMMS_TOKEN"
        clear_integrations

        # the service's statements (services/strategy/strategy_db.c), in the same
        # transaction shape; a playbook by seq so pgbench can pick one
        # (a space after every ':' so that pgbench sees no :variable in the JSON)
        local alignment
        alignment=$(sed -e "s/'/''/g" -e 's/":/": /g' "$OUT/alignment.json")
        cat >"$OUT/pgbench-integration.sql" <<SQL
\set n random($PB_MIN, $PB_MAX)
BEGIN;
SELECT pg_advisory_xact_lock_shared(hashtext('tandem.strategy.publish'));
SELECT partner_id, version, revision, content, section_status FROM playbook WHERE seq = :n FOR UPDATE;
SELECT id, number, pillars, channels, policies FROM strategy_version WHERE is_current;
SELECT i.id, i.version, integration_json(i) FROM integration i WHERE i.playbook_id = (SELECT id FROM playbook WHERE seq = :n) AND i.playbook_revision = 1 AND i.strategy_version_id = (SELECT id FROM strategy_version WHERE is_current);
UPDATE integration SET status = 'superseded', version = version + 1, updated_at = now() WHERE playbook_id = (SELECT id FROM playbook WHERE seq = :n) AND status = 'pending_review';
INSERT INTO integration AS i (playbook_id, partner_id, programme_id, playbook_revision, strategy_version_id, strategy_number, alignment, score, pillar_keys, requested_by) SELECT p.id, p.partner_id, p.programme_id, p.revision, v.id, v.number, '$alignment', 47, ARRAY(SELECT jsonb_array_elements_text('["trusted technology"]'::jsonb)), NULL FROM playbook p, strategy_version v WHERE p.seq = :n AND v.is_current ON CONFLICT DO NOTHING RETURNING i.id, i.version, integration_json(i);
COMMIT;
SQL
        # business_coverage for every programme ($1 NULL)
        cat >"$OUT/pgbench-coverage.sql" <<'SQL'
WITH cur AS (SELECT id, number, pillars, pillar_keys FROM strategy_version WHERE is_current), per AS (SELECT p.ord, p.value->>'name' AS name, (SELECT count(*) FROM (SELECT DISTINCT c.partner_id FROM carried_pillar c WHERE c.pillar_key = cur.pillar_keys[p.ord::int] AND (NULL::uuid IS NULL OR c.programme_id = NULL::uuid)) AS d) AS leaders FROM cur CROSS JOIN LATERAL jsonb_array_elements(cur.pillars) WITH ORDINALITY AS p(value, ord)) SELECT json_build_object('strategy_version_id', cur.id, 'strategy_number', cur.number, 'programme_id', NULL::uuid, 'operational_leaders', (SELECT count(*) FROM (SELECT DISTINCT partner_id FROM operational_leader WHERE NULL::uuid IS NULL OR programme_id = NULL::uuid) AS d), 'pillars', coalesce((SELECT json_agg(json_build_object('pillar', name, 'leaders', leaders) ORDER BY ord) FROM per), '[]'), 'silent_pillars', coalesce((SELECT json_agg(name ORDER BY ord) FROM per WHERE leaders = 0), '[]')) FROM cur;
SQL
        # the copy must be the service's query: same answer
        local mine theirs
        mine=$(PGOPTIONS='-c search_path=strategy' sql -tA -f "$OUT/pgbench-coverage.sql" | jq -cS .)
        theirs=$(jq -cS . "$TANDEM_RUNDIR/probe")
        [[ $mine == "$theirs" ]] || die "pgbench-coverage.sql answers differently from the service: $mine vs $theirs"
        info "coverage: $(jq -c '[.pillars[] | .leaders]' "$TANDEM_RUNDIR/probe") leaders per pillar"
}

# Alignments made by a run are removed before the next, so that every run
# aligns playbooks that have not been aligned yet.
clear_integrations() {
        sql -c "DELETE FROM strategy.integration"
}

# ---- measuring --------------------------------------------------------------------------
cat >"$OUT/wrk.lua" <<'LUA'
-- BENCH_MODE "ids": GET BENCH_PREFIX .. {random id of BENCH_IDS}
--            "path": GET BENCH_PATH
--            "post-ids": POST BENCH_PATH with {"<BENCH_FIELD>": id}, each thread walking
--                        BENCH_IDS in its own stride, so no id is sent twice until all were
local mode = os.getenv("BENCH_MODE")
local path = os.getenv("BENCH_PATH")
local ids = {}
if mode ~= "path" then
   for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
end
-- setup() runs in the main state; each thread gets the globals slot and stride
-- (no local of those names here: the script also runs in every thread's state)
local all_threads = {}
function setup(thread)
   thread:set("slot", #all_threads)
   table.insert(all_threads, thread)
   for _, t in ipairs(all_threads) do t:set("stride", #all_threads) end
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local f = io.open("/dev/urandom", "rb")
local b = f:read(4)
f:close()
math.randomseed(b:byte(1) + b:byte(2) * 256 + b:byte(3) * 65536 + b:byte(4) * 16777216)
local sent = 0
request = function()
   if mode == "path" then return wrk.format("GET", path) end
   if mode == "ids" then
      return wrk.format("GET", os.getenv("BENCH_PREFIX") .. ids[math.random(#ids)])
   end
   local i = (slot + sent * stride) % #ids + 1
   sent = sent + 1
   -- (given headers replace wrk.headers: the token goes in again)
   return wrk.format("POST", path, { ["Authorization"] = wrk.headers["Authorization"],
                                     ["Content-Type"] = "application/json" },
                     '{"' .. os.getenv("BENCH_FIELD") .. '": "' .. ids[i] .. '"}')
end
LUA

# to_ms VALUE: wrk's "1.23ms" / "456.00us" / "1.02s" in milliseconds
to_ms() {
        awk -v v="$1" 'BEGIN {
                n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
                if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
                printf "%.2f", n }'
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

ROWS=()
NOTES=()
declare -A PGB=()

# run_wrk NAME CONNS BASE (BENCH_* describe the requests)
run_wrk() {
        local name=$1 c=$2 base=$3 file rps p50 p99 errs t
        file=$OUT/wrk-$name-c$c.txt
        t=$((c < 2 ? c : 2))
        timeout $((DURATION + 30)) \
                wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 5s --latency -s "$OUT/wrk.lua" "$base/" >"$file" 2>&1 ||
                warn "wrk $name c$c failed (see $file)"
        rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$file")
        p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$file")")
        p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$file")")
        errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
                /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i + 0 }
                END { print n + 0 }' "$file")
        ROW_NAME=$name ROW_C=$c ROW_RPS=${rps:-0} ROW_P50=$p50 ROW_P99=$p99 ROW_ERR=$errs
        ROW_REQS=$(awk '/requests in/ { print $1 }' "$file")
}

# run_pgbench SCHEMA KIND CONNS
run_pgbench() {
        local schema=$1 kind=$2 c=$3 file prefix tps p50 p99
        file=$OUT/pgbench-$kind-c$c.txt
        prefix=$TANDEM_RUNDIR/pgblog-$kind-$c
        PGOPTIONS="-c search_path=$schema" timeout $((DURATION + 30)) \
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
        PGB[$kind-$c]=$ROW_RPS
}

add_row() { # add_row KIND SERVICE|"" : a service row has its ratio to pgbench's and its RSS
        local ratio="-" rss="-"
        if [[ -n $2 ]]; then
                if [[ -n ${PGB[$1-$ROW_C]:-} && ${PGB[$1-$ROW_C]} != 0 ]]; then
                        ratio=$(awk -v a="$ROW_RPS" -v b="${PGB[$1-$ROW_C]}" 'BEGIN { printf "%.2f", a / b }')
                fi
                rss="$(($(rss_kb "${PID[$2]}") / 1024)) MiB"
        fi
        ROWS+=("$(printf '%-26s %5s %9s %8s %8s %7s %8s %10s' "$ROW_NAME" "$ROW_C" "$ROW_RPS" \
                "$ROW_P50" "$ROW_P99" "$ratio" "$ROW_ERR" "$rss")")
}

measure_people() { # CONNS
        local c=$1 target base
        for kind in get list; do
                info "pgbench $kind"
                run_pgbench people "$kind" "$c"
                add_row "$kind" ""
        done
        for target in direct:${PORT[people]} gateway:$gw_port; do
                base=http://127.0.0.1:${target#*:}
                info "wrk $target GET /v1/people/{id}"
                BENCH_MODE=ids BENCH_IDS=$IDS BENCH_PREFIX=/v1/people/ BENCH_TOKEN=$PEOPLE_TOKEN \
                        run_wrk "${target%%:*}-get" "$c" "$base"
                add_row get people
                info "wrk $target GET /v1/people?limit=$LIMIT"
                BENCH_MODE=path BENCH_PATH="/v1/people?limit=$LIMIT" BENCH_TOKEN=$PEOPLE_TOKEN \
                        run_wrk "${target%%:*}-list" "$c" "$base"
                add_row list people
        done
}

measure_strategy() { # CONNS
        local c=$1 target base fresh
        info "pgbench integration"
        run_pgbench strategy integration "$c"
        add_row integration ""
        clear_integrations
        info "pgbench coverage"
        run_pgbench strategy coverage "$c"
        add_row coverage ""
        for target in direct:${PORT[strategy]} gateway:$gw_port; do
                base=http://127.0.0.1:${target#*:}
                info "wrk $target POST /v1/integrations"
                BENCH_MODE=post-ids BENCH_IDS=$PLAYBOOKS BENCH_PATH=/v1/integrations BENCH_FIELD=playbook_id \
                        BENCH_TOKEN=$COMMS_TOKEN run_wrk "${target%%:*}-integration" "$c" "$base"
                add_row integration strategy
                fresh=$(sql -tA -c "SELECT count(*) FROM strategy.integration")
                NOTES+=("${target%%:*}-integration c$c: $fresh new alignments in ${ROW_REQS:-?} requests")
                clear_integrations
                info "wrk $target GET /v1/business-strategy/coverage"
                BENCH_MODE=path BENCH_PATH=/v1/business-strategy/coverage BENCH_TOKEN=$COMMS_TOKEN \
                        run_wrk "${target%%:*}-coverage" "$c" "$base"
                add_row coverage strategy
        done
}

if want people; then people_data; fi
if want strategy; then strategy_data; fi

step "warm-up (3 s, not recorded)"
if want people; then
        BENCH_MODE=ids BENCH_IDS=$IDS BENCH_PREFIX=/v1/people/ BENCH_TOKEN=$PEOPLE_TOKEN timeout 20 \
                wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:${PORT[people]}/" >/dev/null 2>&1 || true
fi
if want strategy; then
        BENCH_MODE=path BENCH_PATH=/v1/business-strategy/coverage BENCH_TOKEN=$COMMS_TOKEN timeout 20 \
                wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:${PORT[strategy]}/" >/dev/null 2>&1 || true
fi

for c in "${CONNS[@]}"; do
        step "$c connection(s)"
        # pgbench first, so every service row has its ratio
        if want people; then measure_people "$c"; fi
        if want strategy; then measure_strategy "$c"; fi
done

peak() { awk '/^VmHWM:/ { printf "%d MiB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

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
        BENCH_SCIM_MODE=$mode BENCH_SCIM_TOKEN=$scim_token BENCH_PEOPLE=$N_PEOPLE BENCH_IDS=$IDS \
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
{
        echo "Tandem bench $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, ${DURATION}s a run"
        echo "direct = the service (127.0.0.1, unix-socket libpq); gateway = through nginx;"
        echo "pgbench = the service's own SQL over the same socket:"
        if want people; then
                echo "  get/list: one of $N_PEOPLE people by seq / $((LIMIT + 1)) rows;"
        fi
        if want strategy; then
                echo "  integration: one transaction as POST /v1/integrations runs it (lock a playbook of"
                echo "  $N_PLAYBOOKS, read the current strategy, look for the pair, store an alignment);"
                echo "  coverage: the pillar coverage view over $N_PLAYBOOKS playbooks."
        fi
        echo "ratio = req/s divided by pgbench's tps for the same work and connections; rss = the service's VmRSS after the run."
        echo
        printf '%-26s %5s %9s %8s %8s %7s %8s %10s\n' target conns "req/s" "p50 ms" "p99 ms" ratio errors rss
        printf '%s\n' "${ROWS[@]}"
        echo
        for n in "${NOTES[@]}"; do echo "$n"; done
        echo "peak RSS (VmHWM): people $(peak "${PID[people]}"), strategy $(peak "${PID[strategy]}")"
        echo "$SCIM_VERDICT"
} | tee "$OUT/summary.txt"
echo "raw output: $OUT"
[[ $scim_ok == 1 ]] || die "SCIM did not sustain $SCIM_MIN requests/s without errors"
