#!/usr/bin/env bash
# deploy/local/bench.sh (make bench): throughput and latency of the services,
# directly and through the gateway, against pgbench running the same SQL on
# the same database: the floor no service can beat.
#
# A stack of its own in a temp dir (PostgreSQL, people, strategy, mentoring,
# phases, nginx; never make run's).  Data is inserted with SQL after the
# services created their schemas, then at 1, 16 and 64 connections:
#   people     10,000 people;  GET /v1/people/{random id} and GET /v1/people?limit=50
#   strategy   10,000 playbooks (7 in 10 operational) and a published strategy
#              of 8 pillars;  POST /v1/integrations {a playbook not aligned yet}
#              (align it and store the result) and GET /v1/business-strategy/coverage
#              (the pillar coverage view over every playbook)
#   mentoring  every partner among the first TANDEM_BENCH_PARTNERS gets a checklist of
#              6 items (2 daily, 2 weekly, fortnightly, monthly) started a year ago
#              with a year of completions (~800 each); GET /v1/checklists/{partner}
#              ?weeks=12 (every item's regularity over the year) as the partner
#              (one call to people for /v1/me) and as admin (none)
#   phases     one enrolment per person (with its phases, and baseline and later
#              self-assessments for a fifth of them); GET /v1/enrolments/{random id}
#              and GET /v1/stats/phases
#              and GET /v1/playbooks/{random id} (one playbook read)
#   wrk --latency -t2 -d10s, and pgbench -n -M prepared -j2 -T10 with the
#   services' own statements (people_db.c, strategy_db.c, mentoring_db.c, phases_db.c).
# Each service row also says how many SQL statements a request ran (calls counted by
# pg_stat_statements during that run, divided by wrk's requests).  Then the tail: each
# read at 16 and 64 connections, TANDEM_BENCH_ROUNDS rounds, p99 of every round; and
# the sockets mentoring's calls to people left in TIME_WAIT.
# With people, SCIM provisioning as an identity provider drives it (find by userName,
# PATCH, POST) at TANDEM_BENCH_SCIM_CONNS connections, checked against the 25
# requests/s SCIM must sustain.  Prints a table; raw output goes to build/bench/.
#
#   TANDEM_BENCH_DURATION   seconds per run (10)
#   TANDEM_BENCH_CONNS      connection counts ("1 16 64")
#   TANDEM_BENCH_ONLY       which services' benchmarks ("people strategy mentoring phases
#                           attention"; attention: deploy/local/bench-attention.sh;
#                           "webhooks": notify's deliveries, also run when it is not set;
#                           "audit": notify's audit CSV export, deploy/local/bench-audit.sh,
#                           also run when it is not set)
#   TANDEM_BENCH_AUDIT_ROWS sizes of the audit log exported in turn ("100000 1000000")
#   TANDEM_BENCH_WEBHOOK_EVENTS  events for the webhook row (500; 16 deliveries each)
#   TANDEM_BENCH_PEOPLE     people to insert (10000); phases: one enrolment each
#   TANDEM_BENCH_PLAYBOOKS  playbooks to insert (10000)
#   TANDEM_BENCH_PARTNERS   partners with a year of checklist (200)
#   TANDEM_BENCH_SCIM_CONNS connections for the SCIM runs (4)
#   TANDEM_BENCH_ROUNDS     rounds of the tail runs (3; 0 skips them)
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
SERVICES=(people strategy mentoring phases)
ONLY=${TANDEM_BENCH_ONLY:-${SERVICES[*]} attention}
ONLY=${ONLY//,/ }
N_PEOPLE=${TANDEM_BENCH_PEOPLE:-10000}
N_PLAYBOOKS=${TANDEM_BENCH_PLAYBOOKS:-10000}
N_PARTNERS=${TANDEM_BENCH_PARTNERS:-200}
LIMIT=50
OUT=$TANDEM_ROOT/build/bench
ISSUER=tandem-bench
AUDIENCE=tandem-bench
TOKEN_BIN=$BUILD_DIR/bin/tandem-token

for s in $ONLY; do
        [[ " ${SERVICES[*]} attention webhooks audit " == *" $s "* ]] ||
                die "TANDEM_BENCH_ONLY: unknown '$s' (${SERVICES[*]} attention webhooks audit)"
done
want() { [[ " $ONLY " == *" $1 "* ]]; }
for tool in wrk pgbench psql curl jq; do
        command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
for b in "${SERVICES[@]}" token; do
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
# pg_stat_statements counts the statements each request runs (a restart loads it)
echo "shared_preload_libraries = 'pg_stat_statements'" | as_pg tee -a "$PG/data/postgresql.conf" >/dev/null
pg_stop "$PG"
pg_start "$PG" "$pg_port" throwaway
pg_psql "$PG" -d tandem -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
secret=$(rand_hex 48)
declare -A PORT=() PID=()
scim_token=$(rand_hex 32)
for name in "${SERVICES[@]}"; do PORT[$name]=$(free_port); done
for name in "${SERVICES[@]}"; do
        start_service "$name" "${PORT[$name]}" "$LOGDIR/$name.log" \
                TANDEM_DATABASE_URL="$(pg_url "$PG")" \
                TANDEM_JWT_SECRET="$secret" TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
                TANDEM_PEOPLE_URL="http://127.0.0.1:${PORT[people]}" \
                TANDEM_PHASES_URL="http://127.0.0.1:${PORT[phases]}" \
                TANDEM_MENTORING_URL="http://127.0.0.1:${PORT[mentoring]}" \
                TANDEM_STRATEGY_URL="http://127.0.0.1:${PORT[strategy]}" \
                TANDEM_SCIM_TOKEN="$scim_token" \
                TANDEM_LOG_LEVEL="${TANDEM_BENCH_LOG_LEVEL:-warn}"
        PID[$name]=$STARTED_PID
        wait_http "http://127.0.0.1:${PORT[$name]}/readyz" 30 "$STARTED_PID" || die "$name did not become ready"
done
svc_port=${PORT[people]}
gw_port=$(free_port)
TANDEM_NGINX_WORKERS=${TANDEM_NGINX_WORKERS:-2} \
        render_nginx_conf "$TANDEM_RUNDIR/gateway" "$gw_port" 65536 "$LOGDIR" \
        "people=127.0.0.1:${PORT[people]}" "strategy=127.0.0.1:${PORT[strategy]}" \
        "mentoring=127.0.0.1:${PORT[mentoring]}" "phases=127.0.0.1:${PORT[phases]}"
# no access log line per request in a benchmark
sed -i 's|^\(\s*access_log\) .*;|\1 off;|' "$TANDEM_RUNDIR/gateway/nginx.conf"
nginx_start "$TANDEM_RUNDIR/gateway"
wait_http "http://127.0.0.1:$gw_port/healthz" 10 || die "the gateway does not answer"
info "PostgreSQL 127.0.0.1:$pg_port, gateway 127.0.0.1:$gw_port"
for name in "${SERVICES[@]}"; do info "$name 127.0.0.1:${PORT[$name]} (pid ${PID[$name]})"; done

sql() { psql -X -q -v ON_ERROR_STOP=1 "$(pg_url "$PG")" "$@"; }
mint() { # mint SUB ROLES [EMAIL]
        TANDEM_JWT_SECRET=$secret TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
                "$TOKEN_BIN" --sub "$1" --roles "$2" --email "${3:-$1@example.com}" --ttl 3600
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
        STRATEGY_ADMIN_TOKEN=$(mint bench-admin admin bench.admin@example.com)
        # the service's playbook_get (services/strategy/strategy_db.c), by seq
        cat >"$OUT/pgbench-playbook.sql" <<SQL
\set n random($PB_MIN, $PB_MAX)
SELECT p.id, p.version, playbook_json(p), p.partner_id FROM playbook p WHERE p.seq = :n;
SQL
        probe GET "http://127.0.0.1:${PORT[strategy]}/v1/playbooks/$(head -n1 "$PLAYBOOKS")" \
                "$STRATEGY_ADMIN_TOKEN"

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
        outbox_sql

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

# The integration transaction with its outbox row, as the service runs it: the
# statement events_db.c events_insert with parameters of the sizes
# outbox_row sends (the service has the row's fields in hand from its
# RETURNING: one INSERT, no read), sent with the COMMIT in one pipeline as
# db_defer does.  Against pgbench-integration it is the cost of the outbox on
# this write (issue 12: within 10 %; measure_outbox).
outbox_sql() {
        sed -e '/^COMMIT;$/d' "$OUT/pgbench-integration.sql" >"$OUT/pgbench-integration-outbox.sql"
        cat >>"$OUT/pgbench-integration-outbox.sql" <<'SQL'
\startpipeline
INSERT INTO event (type, source, subject, person_id, actor, request_id, resource_version, data) VALUES ('tandem.strategy.integration.created', '/tandem/' || current_schema(), 'b6c1d1e2-6c4e-4d8a-9f7a-2f0c5b7d9e41', 'a0d7f0c2-3b1e-4f6a-8c2d-9e8f7a6b5c4d'::uuid, coalesce('c3f1a2b4-5d6e-4f70-8a9b-0c1d2e3f4a5b', 'service:' || current_schema()), 'b1946ac92492d2347c6235b4d2611184', 1::bigint, coalesce('{"partner_id": "a0d7f0c2-3b1e-4f6a-8c2d-9e8f7a6b5c4d", "playbook_id": "d4e5f6a7-b8c9-4dab-8cde-f0123456789a", "programme_id": "e5f6a7b8-c9da-4ebc-9def-0123456789ab", "status": "pending_review"}'::jsonb, '{}'::jsonb));
COMMIT;
\endpipeline
SQL
}

# Alignments made by a run are removed before the next, so that every run
# aligns playbooks that have not been aligned yet.
clear_integrations() {
        sql -c "DELETE FROM strategy.integration"
}

# ---- mentoring data ---------------------------------------------------------------------
# every partner among the first N_PARTNERS: 6 items started a year ago, a year of completions
mentoring_data() {
        step "a year of checklists for $N_PARTNERS partners"
        sql <<SQL
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
        CHECK_PARTNER=$(sql -tA -c "SELECT id FROM people.person WHERE external_id = 'bench-1'")
        read -r N_ITEMS N_DONE < <(sql -tA -F ' ' -c "SELECT
                (SELECT count(*) FROM mentoring.checklist_item WHERE partner_id = '$CHECK_PARTNER'),
                (SELECT count(*) FROM mentoring.completion WHERE partner_id = '$CHECK_PARTNER')")
        info "partner bench-1 ($CHECK_PARTNER): $N_ITEMS items, $N_DONE completions;" \
                "$(sql -tA -c "SELECT count(*) FROM mentoring.completion") in all"
        CHECKLIST="/v1/checklists/$CHECK_PARTNER?weeks=12"
        MENTORING_ADMIN_TOKEN=$(mint bench-admin admin bench.admin@example.com)
        PARTNER_TOKEN=$(mint bench-1 partner bench.person1@example.com)

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
        probe GET "http://127.0.0.1:${PORT[mentoring]}$CHECKLIST" "$PARTNER_TOKEN"
        probe GET "http://127.0.0.1:$gw_port$CHECKLIST" "$PARTNER_TOKEN"
        probe GET "http://127.0.0.1:${PORT[mentoring]}$CHECKLIST" "$MENTORING_ADMIN_TOKEN"
        info "checklist answer: $(wc -c <"$TANDEM_RUNDIR/probe") bytes"
}

# ---- phases data ------------------------------------------------------------------------
# One enrolment per person in the default programme, spread over the five
# phases and every status, each phase's times spaced by about its guide
# duration; a fifth of the partners with a baseline and a later
# self-assessment.  The rows are what the service itself writes.
phases_data() {
        step "inserting $N_PEOPLE enrolments"
        sql <<'SQL'
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
        sql -tA -c "SELECT id FROM phases.enrolment ORDER BY seq" >"$EIDS"
        read -r ESEQ_MIN ESEQ_MAX < <(sql -tA -F ' ' -c "SELECT min(seq), max(seq) FROM phases.enrolment")
        info "$(wc -l <"$EIDS") enrolments, seq $ESEQ_MIN..$ESEQ_MAX"
        PHASES_TOKEN=$(mint bench-admin admin bench.admin@example.com)

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
        probe GET "http://127.0.0.1:${PORT[phases]}/v1/enrolments/$(head -n1 "$EIDS")" "$PHASES_TOKEN"
        probe GET "http://127.0.0.1:$gw_port/v1/stats/phases" "$PHASES_TOKEN"
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

# CPU time in clock ticks: the whole machine's busy time (/proc/stat: user, nice,
# system, irq, softirq) and one process's (utime + stime), sampled around each
# run.  Divided by the requests of the run they say where a request's CPU goes:
# on 2 shared cores that, not the service's wait, is what caps req/s.
TICK_US=$((1000000 / $(getconf CLK_TCK)))
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# us_per REQUESTS TICKS: microseconds of CPU per request
us_per() { awk -v n="$1" -v t="$2" -v u="$TICK_US" 'BEGIN { if (n > 0) printf "%.0f", t * u / n; else print "-" }'; }
declare -A TICKS0=()
ticks_start() {
        local name
        ROW_BUSY0=$(busy_ticks)
        for name in "${!PID[@]}"; do TICKS0[$name]=$(proc_ticks "${PID[$name]}"); done
}

ROWS=()
NOTES=()
declare -A PGB=()

# SQL statements run since the last stmt_reset (pg_stat_statements, this database)
stmt_reset() { pg_psql "$PG" -d tandem -tAc "SELECT pg_stat_statements_reset()" >/dev/null; }
stmt_calls() {
        pg_psql "$PG" -d tandem -tAc "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'tandem')
                AND query NOT LIKE '%pg_stat_statements%'"
}

# run_wrk NAME CONNS BASE (BENCH_* describe the requests)
run_wrk() {
        local name=$1 c=$2 base=$3 file rps p50 p99 errs t calls
        file=$OUT/wrk-$name-c$c.txt
        t=$((c < 2 ? c : 2))
        stmt_reset
        ticks_start
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
        ROW_CPU=$(us_per "${ROW_REQS:-0}" $(($(busy_ticks) - ROW_BUSY0)))
        calls=$(stmt_calls)
        ROW_SPR=$(awk -v a="$calls" -v b="${ROW_REQS:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
}

# run_pgbench SCHEMA KIND CONNS [TIMEZONE]
run_pgbench() {
        local schema=$1 kind=$2 c=$3 tz=${4:-} file prefix tps p50 p99
        file=$OUT/pgbench-$kind-c$c.txt
        prefix=$TANDEM_RUNDIR/pgblog-$kind-$c
        ticks_start
        PGOPTIONS="-c search_path=$schema${tz:+ -c TimeZone=$tz}" timeout $((DURATION + 30)) \
                pgbench -n -M prepared -c "$c" -j $((c < 2 ? c : 2)) -T "$DURATION" \
                --log --log-prefix="$prefix" --sampling-rate=0.1 \
                -f "$OUT/pgbench-$kind.sql" -h "$(pg_sockdir "$PG")" -p "$pg_port" -U tandem tandem \
                >"$file" 2>&1 || warn "pgbench $kind c$c failed (see $file)"
        tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$file")
        ROW_CPU=$(us_per "$(awk '/^number of transactions actually processed:/ { print $NF }' "$file")" \
                $(($(busy_ticks) - ROW_BUSY0)))
        # per-transaction log: 3rd field is the latency in microseconds
        read -r p50 p99 < <(cat "$prefix".* 2>/dev/null | awk '{ print $3 }' | sort -n | awk '
                { v[NR] = $1 }
                END { if (NR == 0) { print "0 0"; exit }
                      i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
                      i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
                      printf "%.2f %.2f\n", v[i50] / 1000, v[i99] / 1000 }')
        rm -f "$prefix".*
        ROW_NAME=pgbench-$kind ROW_C=$c ROW_RPS=${tps:-0} ROW_P50=$p50 ROW_P99=$p99 ROW_ERR=0 ROW_SPR=-
        PGB[$kind-$c]=$ROW_RPS
}

add_row() { # add_row KIND SERVICE|"" : a service row has its ratio to pgbench's, its RSS and CPU
        local ratio="-" rss="-" svc_cpu="-"
        if [[ -n $2 ]]; then
                svc_cpu=$(us_per "${ROW_REQS:-0}" $(($(proc_ticks "${PID[$2]}") - ${TICKS0[$2]:-0})))
                if [[ -n ${PGB[$1-$ROW_C]:-} && ${PGB[$1-$ROW_C]} != 0 ]]; then
                        ratio=$(awk -v a="$ROW_RPS" -v b="${PGB[$1-$ROW_C]}" 'BEGIN { printf "%.2f", a / b }')
                fi
                rss="$(($(rss_kb "${PID[$2]}") / 1024)) MiB"
        fi
        ROWS+=("$(printf '%-26s %5s %9s %8s %8s %7s %8s %10s %9s %7s %7s' "$ROW_NAME" "$ROW_C" "$ROW_RPS" \
                "$ROW_P50" "$ROW_P99" "$ratio" "$ROW_ERR" "$rss" "${ROW_SPR:--}" "${ROW_CPU:--}" "$svc_cpu")")
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

# measure_outbox CONNS: the integration transaction with and without its outbox
# row, interleaved in ONE pgbench run (-f a@1 -f b@1: each transaction picks
# one of the two at random), so that both meet the same load: on a shared
# machine two runs one after the other differ by more than the outbox costs.
# The cost is the extra mean latency of a transaction with its event row.
measure_outbox() {
        local c=$1 file plain with
        file=$OUT/pgbench-outbox-mix-c$c.txt
        info "pgbench integration with and without its outbox row, interleaved"
        PGOPTIONS="-c search_path=strategy" timeout $((DURATION + 30)) \
                pgbench -n -M prepared -c "$c" -j $((c < 2 ? c : 2)) -T "$DURATION" \
                -f "$OUT/pgbench-integration.sql@1" -f "$OUT/pgbench-integration-outbox.sql@1" \
                -h "$(pg_sockdir "$PG")" -p "$pg_port" -U tandem tandem >"$file" 2>&1 ||
                warn "pgbench outbox mix c$c failed (see $file)"
        read -r plain with < <(awk '/^SQL script [0-9]+:/ { s++ }
                s > 0 && /latency average/ { sub(/.*= */, ""); l[s] = $1 } END { print l[1] + 0, l[2] + 0 }' "$file")
        OUTBOX_COST[$c]=$(awk -v p="$plain" -v w="$with" 'BEGIN { if (p > 0) printf "%.1f", 100 * (w - p) / p; else print "?" }')
        NOTES+=("outbox cost c$c: +${OUTBOX_COST[$c]} % mean latency with the event row ($with ms against $plain ms, one interleaved pgbench run; target <= 10 %)")
}
declare -A OUTBOX_COST=()

measure_strategy() { # CONNS
        local c=$1 target base fresh
        info "pgbench integration"
        run_pgbench strategy integration "$c"
        add_row integration ""
        clear_integrations
        measure_outbox "$c"
        clear_integrations
        info "pgbench coverage"
        run_pgbench strategy coverage "$c"
        add_row coverage ""
        info "pgbench playbook"
        run_pgbench strategy playbook "$c"
        add_row playbook ""
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
                info "wrk $target GET /v1/playbooks/{id}"
                BENCH_MODE=ids BENCH_IDS=$PLAYBOOKS BENCH_PREFIX=/v1/playbooks/ \
                        BENCH_TOKEN=$STRATEGY_ADMIN_TOKEN run_wrk "${target%%:*}-playbook" "$c" "$base"
                add_row playbook strategy
        done
}

# time_wait_to PORT: the TIME_WAIT sockets towards 127.0.0.1:PORT, one "local peer" a line
time_wait_to() { ss -Htan state time-wait "( dport = :$1 )" 2>/dev/null | awk '{ print $(NF-1), $NF }' | sort; }

declare -A CHECK_RPS=()
TW_NEW=0
measure_mentoring() { # CONNS
        local c=$1 target tname tport ttoken tw_before
        tw_before=$(time_wait_to "${PORT[people]}")
        info "pgbench checklist"
        run_pgbench mentoring checklist "$c"
        add_row checklist ""
        for target in direct-partner:${PORT[mentoring]}:$PARTNER_TOKEN \
                gateway-partner:$gw_port:$PARTNER_TOKEN \
                direct-admin:${PORT[mentoring]}:$MENTORING_ADMIN_TOKEN; do
                IFS=: read -r tname tport ttoken <<<"$target"
                info "wrk $tname GET /v1/checklists/{partner}?weeks=12"
                BENCH_MODE=path BENCH_PATH=$CHECKLIST BENCH_TOKEN=$ttoken \
                        run_wrk "$tname-checklist" "$c" "http://127.0.0.1:$tport"
                add_row checklist mentoring
                CHECK_RPS[$tname-$c]=$ROW_RPS
        done
        # nothing but mentoring calls people meanwhile: new TIME_WAIT sockets are its calls'
        TW_NEW=$((TW_NEW + $(comm -13 <(echo "$tw_before") <(time_wait_to "${PORT[people]}") | grep -c . || true)))
        NOTES+=("checklist c$c: partner (asks /v1/me) / admin = $(awk -v a="${CHECK_RPS[direct-partner-$c]:-0}" \
                -v b="${CHECK_RPS[direct-admin-$c]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')")
}

measure_phases() { # CONNS
        local c=$1 kind target base
        for kind in enrolment stats; do
                info "pgbench $kind"
                run_pgbench phases "$kind" "$c" UTC
                add_row "$kind" ""
        done
        for target in direct:${PORT[phases]} gateway:$gw_port; do
                base=http://127.0.0.1:${target#*:}
                info "wrk $target GET /v1/enrolments/{id}"
                BENCH_MODE=ids BENCH_IDS=$EIDS BENCH_PREFIX=/v1/enrolments/ BENCH_TOKEN=$PHASES_TOKEN \
                        run_wrk "${target%%:*}-enrolment" "$c" "$base"
                add_row enrolment phases
                info "wrk $target GET /v1/stats/phases"
                BENCH_MODE=path BENCH_PATH=/v1/stats/phases BENCH_TOKEN=$PHASES_TOKEN \
                        run_wrk "${target%%:*}-stats" "$c" "$base"
                add_row stats phases
        done
}

# mentoring's partners and phases' enrolments are people of people_data
if want people || want mentoring || want phases || want attention; then people_data; fi
if want strategy; then strategy_data; fi
if want mentoring; then mentoring_data; fi
if want phases; then phases_data; fi

step "warm-up (3 s, not recorded)"
if want people; then
        BENCH_MODE=ids BENCH_IDS=$IDS BENCH_PREFIX=/v1/people/ BENCH_TOKEN=$PEOPLE_TOKEN timeout 20 \
                wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:${PORT[people]}/" >/dev/null 2>&1 || true
fi
if want strategy; then
        BENCH_MODE=path BENCH_PATH=/v1/business-strategy/coverage BENCH_TOKEN=$COMMS_TOKEN timeout 20 \
                wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:${PORT[strategy]}/" >/dev/null 2>&1 || true
fi
if want phases; then
        BENCH_MODE=ids BENCH_IDS=$EIDS BENCH_PREFIX=/v1/enrolments/ BENCH_TOKEN=$PHASES_TOKEN timeout 20 \
                wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:${PORT[phases]}/" >/dev/null 2>&1 || true
fi

for c in "${CONNS[@]}"; do
        step "$c connection(s)"
        # pgbench first, so every service row has its ratio
        if want people; then measure_people "$c"; fi
        if want strategy; then measure_strategy "$c"; fi
        if want mentoring; then measure_mentoring "$c"; fi
        if want phases; then measure_phases "$c"; fi
done

# ---- the tail: p99 of each read over several rounds -----------------------------------
ROUNDS=${TANDEM_BENCH_ROUNDS:-3}
TAILS=()
tail_rounds() { # LABEL SERVICE (BENCH_* describe the requests)
        local label=$1 svc=$2 c r p99s
        for c in 16 64; do
                p99s=""
                for ((r = 1; r <= ROUNDS; r++)); do
                        run_wrk "tail-$label-r$r" "$c" "http://127.0.0.1:${PORT[$svc]}"
                        p99s+=" $(printf '%7s' "$ROW_P99")"
                done
                TAILS+=("$(printf '%-22s c%-3s p99 ms:%s   (%s req/s, %s stmts/req in the last round)' \
                        "$label" "$c" "$p99s" "$ROW_RPS" "$ROW_SPR")")
        done
}
if ((ROUNDS > 0)); then
        step "the tail: $ROUNDS rounds at 16 and 64 connections"
        # the writes of the runs above (SCIM, integrations) leave autovacuum and a
        # checkpoint to catch up: settle them first, so the first round measures
        # the services and not PostgreSQL's housekeeping of the bench's own writes
        pg_psql "$PG" -d tandem -q -c "VACUUM ANALYZE" -c "CHECKPOINT"
        if want people; then
                BENCH_MODE=ids BENCH_IDS=$IDS BENCH_PREFIX=/v1/people/ BENCH_TOKEN=$PEOPLE_TOKEN \
                        tail_rounds people-get people
        fi
        if want phases; then
                BENCH_MODE=ids BENCH_IDS=$EIDS BENCH_PREFIX=/v1/enrolments/ BENCH_TOKEN=$PHASES_TOKEN \
                        tail_rounds enrolment phases
        fi
        if want mentoring; then
                BENCH_MODE=path BENCH_PATH=$CHECKLIST BENCH_TOKEN=$PARTNER_TOKEN \
                        tail_rounds partner-checklist mentoring
        fi
        if want strategy; then
                BENCH_MODE=ids BENCH_IDS=$PLAYBOOKS BENCH_PREFIX=/v1/playbooks/ \
                        BENCH_TOKEN=$STRATEGY_ADMIN_TOKEN tail_rounds playbook strategy
        fi
fi

# ---- events: commit to effect ----------------------------------------------------------
# Mentoring's outbox gets session-held events for enrolled partners at a fixed rate
# (pgbench -R, each INSERT its own transaction, as a service's commit); phases follows
# mentoring's feed and applies each (the stall clock) in its own transaction. The
# latency is the follower's transaction time minus the writer's, both PostgreSQL's clock.
EVENTS_RATE=${TANDEM_BENCH_EVENTS_RATE:-200}
measure_events() {
        step "events: commit to effect at $EVENTS_RATE writes/s for ${DURATION}s"
        local n file lat
        n=$(sql -tA -c "SELECT count(*) FROM phases.enrolment WHERE status = 'active'")
        ((n > 0)) || { NOTES+=("events: no active enrolment to follow"); return 0; }
        sql -q -c "DROP TABLE IF EXISTS mentoring.bench_partner" \
                -c "CREATE TABLE mentoring.bench_partner AS SELECT row_number() OVER () AS k, person_id FROM phases.enrolment WHERE status = 'active'"
        cat >"$OUT/pgbench-events.sql" <<SQL
\set k random(1, $n)
INSERT INTO event (type, source, subject, person_id, data) SELECT 'tandem.mentoring.session.held', '/tandem/mentoring', 'bench-latency', person_id, '{}' FROM mentoring.bench_partner WHERE k = :k;
SQL
        file=$OUT/pgbench-events.txt
        PGOPTIONS="-c search_path=mentoring" timeout $((DURATION + 30)) \
                pgbench -n -M prepared -c 4 -j 2 -R "$EVENTS_RATE" -T "$DURATION" -f "$OUT/pgbench-events.sql" \
                -h "$(pg_sockdir "$PG")" -p "$pg_port" -U tandem tandem >"$file" 2>&1 || warn "pgbench events failed (see $file)"
        # every event applied, then the figures
        for _ in $(seq 1 300); do
                [[ $(sql -tA -c "SELECT count(*) FROM mentoring.event m WHERE m.subject = 'bench-latency' AND NOT EXISTS (SELECT 1 FROM phases.event p WHERE p.type = 'tandem.phases.enrolment.progressed' AND p.data->>'cause_id' = m.id::text)") == 0 ]] && break
                sleep 0.1
        done
        lat=$(sql -tA -F ' ' -c "SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(max(ms)::numeric, 1) FROM (SELECT extract(epoch FROM p.time - m.time) * 1000 AS ms FROM mentoring.event m JOIN phases.event p ON p.type = 'tandem.phases.enrolment.progressed' AND p.data->>'cause_id' = m.id::text WHERE m.subject = 'bench-latency') x")
        read -r cnt p50 p99 max <<<"$lat"
        NOTES+=("events: $cnt written at $(awk '/^tps = / { printf "%.0f", $3 }' "$file") writes/s; commit to effect p50 $p50 ms, p99 $p99 ms, max $max ms (target p99 < 1000 ms)")
        sql -q -c "DROP TABLE mentoring.bench_partner"
}
if want mentoring && want phases; then measure_events; fi

# ---- webhooks: notify's deliveries to a loopback receiver ------------------------------
# A notify of its own (its audit followers pointed at a dead port: only its own feed
# moves), 16 subscriptions to one node receiver on loopback answering 200 (the concurrent
# subscriptions), TANDEM_WEBHOOK_WORKERS=16. TANDEM_BENCH_WEBHOOK_EVENTS events go into
# notify's outbox in one transaction; the follower fans each out to the 16, the workers
# sign and POST them. Deliveries/s = deliveries / (last success - the events' commit);
# latency = each delivery's success minus its event's time (PostgreSQL's clock).
WEBHOOK_EVENTS=${TANDEM_BENCH_WEBHOOK_EVENTS:-500}
WEBHOOK_SUBS=16
measure_webhooks() {
        step "webhooks: $WEBHOOK_EVENTS events to $WEBHOOK_SUBS subscriptions on loopback"
        local rport nport dead tok i total row done_n
        rport=$(free_port)
        nport=$(free_port)
        dead=$(free_port)
        node -e 'require("http").createServer((q, r) => { q.resume(); q.on("end", () => { r.writeHead(200); r.end(); }); })
                 .listen(Number(process.argv[1]), "127.0.0.1");' "$rport" >"$LOGDIR/receiver.log" 2>&1 &
        printf '%s\n%s\n' "$!" "node" >"$TANDEM_RUNDIR/pids/receiver.pid"
        start_service notify "$nport" "$LOGDIR/notify.log" \
                TANDEM_DATABASE_URL="$(pg_url "$PG")" \
                TANDEM_JWT_SECRET="$secret" TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
                TANDEM_PEOPLE_URL="http://127.0.0.1:$dead" TANDEM_PHASES_URL="http://127.0.0.1:$dead" \
                TANDEM_MENTORING_URL="http://127.0.0.1:$dead" TANDEM_STRATEGY_URL="http://127.0.0.1:$dead" \
                TANDEM_WEBHOOK_ALLOW=loopback TANDEM_WEBHOOK_WORKERS=$WEBHOOK_SUBS \
                TANDEM_WEBHOOK_SECRET_KEY="$(rand_hex 32)" \
                TANDEM_LOG_LEVEL="${TANDEM_BENCH_LOG_LEVEL:-warn}"
        PID[notify]=$STARTED_PID
        wait_http "http://127.0.0.1:$nport/readyz" 30 "$STARTED_PID" || die "notify did not become ready"
        wait_http "http://127.0.0.1:$rport/" 10 || die "the webhook receiver does not answer"
        tok=$(mint bench-admin admin)
        for i in $(seq 1 $WEBHOOK_SUBS); do
                curl -sf -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
                        -d "{\"url\": \"http://127.0.0.1:$rport/s$i\", \"types\": \"tandem.notify.bench.*\"}" \
                        "http://127.0.0.1:$nport/v1/webhooks" || die "cannot subscribe"
        done
        sql -q -c "INSERT INTO notify.event (type, source, subject, data)
                   SELECT 'tandem.notify.bench.tick', '/tandem/notify', 'bench-' || g, '{}'
                   FROM generate_series(1, $WEBHOOK_EVENTS) g"
        total=$((WEBHOOK_EVENTS * WEBHOOK_SUBS))
        for _ in $(seq 1 $((DURATION * 20 + 1200))); do
                done_n=$(sql -tA -c "SELECT count(*) FROM notify.webhook_delivery WHERE status = 'succeeded'")
                ((done_n >= total)) && break
                sleep 0.1
        done
        row=$(sql -tA -F ' ' -c "WITH d AS (SELECT extract(epoch FROM d.succeeded_at - e.time) * 1000 AS ms,
                  d.succeeded_at, e.time, d.attempts FROM notify.webhook_delivery d JOIN notify.event e ON e.id = d.event_id
                  WHERE d.status = 'succeeded')
                SELECT count(*), round(count(*) / greatest(extract(epoch FROM max(succeeded_at) - min(time)), 0.001)),
                  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                  round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                  count(*) FILTER (WHERE attempts > 1) FROM d")
        read -r cnt rps p50 p99 retried <<<"$row"
        ROW_NAME=webhook-deliveries ROW_C=$WEBHOOK_SUBS ROW_RPS=${rps:-0} ROW_P50=${p50:-0} ROW_P99=${p99:-0}
        ROW_ERR=$((total - ${cnt:-0})) ROW_SPR=- ROW_CPU=- ROW_REQS=0
        add_row webhooks notify
        NOTES+=("webhooks: $cnt of $total deliveries succeeded ($retried after a retry) at $rps deliveries/s to $WEBHOOK_SUBS subscriptions on loopback; p50/p99 = event commit to the receiver's 2xx recorded, ms")
        # its peers are a dead port: the attention and audit rows start a notify of their own
        stop_service notify >/dev/null 2>&1 || warn "the webhooks row's notify did not stop cleanly"
        unset 'PID[notify]'
}
if want webhooks || [[ -z ${TANDEM_BENCH_ONLY:-} ]]; then measure_webhooks; fi

# ---- attention: GET /v1/attention from notify's read model (deploy/local/bench-attention.sh)
if want attention; then
        # shellcheck source=deploy/local/bench-attention.sh
        source deploy/local/bench-attention.sh
        attention_data
        step "the attention list"
        measure_attention
fi

# ---- audit: the CSV export of the audit log (deploy/local/bench-audit.sh) ----------------
if want audit || [[ -z ${TANDEM_BENCH_ONLY:-} ]]; then
        # shellcheck source=deploy/local/bench-audit.sh
        source deploy/local/bench-audit.sh
        measure_audit
fi

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
SCIM_VERDICT=""
run_scim() {
        step "SCIM at $SCIM_CONNS connections (must sustain $SCIM_MIN req/s)"
        local mode file rps errs
        for mode in filter patch create; do
                info "wrk SCIM $mode"
                file=$OUT/wrk-scim-$mode.txt
                ticks_start
                BENCH_SCIM_MODE=$mode BENCH_SCIM_TOKEN=$scim_token BENCH_PEOPLE=$N_PEOPLE BENCH_IDS=$IDS \
                        timeout $((DURATION + 30)) wrk -t2 -c"$SCIM_CONNS" -d"${DURATION}s" --timeout 5s \
                        --latency -s "$OUT/scim.lua" "http://127.0.0.1:$svc_port/" >"$file" 2>&1 ||
                        warn "wrk SCIM $mode failed (see $file)"
                rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$file")
                errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } END { print n + 0 }' "$file")
                ROW_NAME=scim-$mode ROW_C=$SCIM_CONNS ROW_RPS=${rps:-0} ROW_ERR=$errs ROW_SPR=-
                ROW_REQS=$(awk '/requests in/ { print $1 }' "$file")
                ROW_CPU=$(us_per "${ROW_REQS:-0}" $(($(busy_ticks) - ROW_BUSY0)))
                ROW_P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$file")")
                ROW_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$file")")
                add_row scim people
                if ((${rps:-0} < SCIM_MIN || errs > 0)); then scim_ok=0; fi
        done
        SCIM_VERDICT="SCIM: every run sustained >= $SCIM_MIN req/s with no error: $([[ $scim_ok == 1 ]] && echo yes || echo NO)"
}
if want people; then run_scim; fi
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
                echo "  coverage: the pillar coverage view over $N_PLAYBOOKS playbooks;"
        fi
        if want mentoring; then
                echo "  checklist: one partner's $N_ITEMS items with their $N_DONE completions of a year;"
                echo "  *-checklist = GET /v1/checklists/{partner}?weeks=12 (regularity computed in the service)"
                echo "  as the partner (-partner: one call to people for /v1/me) or as admin (-admin: none);"
        fi
        if want phases; then
                echo "  enrolment: one of $N_PEOPLE enrolments with its phases by seq; stats: the 4 statements"
                echo "  of GET /v1/stats/phases (the phases service also computes each pace in C)."
        fi
        echo "ratio = req/s divided by pgbench's tps for the same work and connections; rss = the service's VmRSS after the run;"
        echo "cpu us = the machine's busy CPU during the run per request (every process: wrk or pgbench's client,"
        echo "the service, PostgreSQL, the kernel); svc us = the service's own CPU per request."
        echo
        printf '%-26s %5s %9s %8s %8s %7s %8s %10s %9s %7s %7s\n' target conns "req/s" "p50 ms" "p99 ms" ratio errors rss \
                "stmts/req" "cpu us" "svc us"
        printf '%s\n' "${ROWS[@]}"
        echo
        for n in "${NOTES[@]}"; do echo "$n"; done
        for n in "${TAILS[@]}"; do echo "$n"; done
        if want mentoring; then
                echo "TIME_WAIT sockets left by mentoring's calls to people during the checklist runs: $TW_NEW"
        fi
        echo "TIME_WAIT sockets towards the bench stack's ports now: $(for p in "${PORT[@]}" "$gw_port"; do
                time_wait_to "$p"; done | grep -c . || true)"
        echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
        for name in "${SERVICES[@]}"; do echo "peak RSS (VmHWM) $name: $(peak "${PID[$name]}")"; done
        if [[ -n ${PID[notify]:-} ]]; then echo "peak RSS (VmHWM) notify: $(peak "${PID[notify]}")"; fi
        if [[ -n $SCIM_VERDICT ]]; then echo "$SCIM_VERDICT"; fi
} | tee "$OUT/summary.txt"
echo "raw output: $OUT"
[[ $scim_ok == 1 ]] || die "SCIM did not sustain $SCIM_MIN requests/s without errors"
