# shellcheck shell=bash disable=SC2154  # (sourced: the stack's variables are bench.sh's)
# deploy/local/bench-attention.sh: the attention list in make bench, sourced by
# deploy/local/bench.sh (it uses that script's stack, bench_env, sql, mint, run_wrk
# and add_row).  A notify of its own on the bench database; its read model filled
# with SQL through the model's own functions (services/notify/sql/0003_attention.sql)
# for TANDEM_BENCH_PEOPLE enrolments (10,000): the last movement spread over
# 60 days (so most are stalled at the 14-day default), one in five with a target
# date passed, one in four with a section to review, one in five with a write-up
# owed (to the mentor of the partner), one in three with a completion to verify, one in twenty with an
# integration pending.  A mentor (bench-10) has 20 of them as partners.  Then
#   attention-mentor  GET /v1/attention as that mentor (their 20 partners' items)
#   attention-lead    GET /v1/attention as admin (the first page of 50 over all)
# at each connection count, and the verdict against the target p99 < 20 ms.
# Each run also notes the CPU a request cost PostgreSQL (its processes' user +
# system time over the run divided by wrk's requests; the row has the
# machine's and notify's) and the bytes of an answer: on a machine other work
# shares, the figures to compare between two builds, where latencies are the
# machine's.

attention_data() {
        step "notify and its read model: $N_PEOPLE enrolments, a mentor of 20"
        if [[ -n ${PID[notify]:-} ]]; then
                info "notify of the stack, 127.0.0.1:${PORT[notify]}"
        else
                attention_notify
        fi
        # one transaction, tried again if it meets notify's followers in a deadlock
        # (they apply the earlier runs' events to the same rows meanwhile)
        local try
        for try in 1 2 3; do
                if attention_fill; then break; fi
                ((try < 3)) || die "cannot fill notify's read model"
                warn "filling notify's read model: try $try failed, again"
        done
}

# a notify of its own, when the stack has none
attention_notify() {
        PORT[notify]=$(free_port)
        bench_env "${PORT[people]}" "${PORT[phases]}" "${PORT[mentoring]}" "${PORT[strategy]}"
        start_ready notify "${PORT[notify]}" "$LOGDIR/notify.log" "${STACK_ENV[@]}"
        PID[notify]=$STARTED_PID
}

attention_fill() {
        sql <<SQL || return 1
BEGIN;
SET LOCAL search_path = notify;
CREATE TEMP TABLE b ON COMMIT DROP AS
SELECT p.id, p.seq::int AS g, gen_random_uuid() AS e, gen_random_uuid() AS pb
  FROM people.person p WHERE 'partner' = ANY (p.roles) ORDER BY p.seq LIMIT $N_PEOPLE;
INSERT INTO att_person (id, display_name, email, timezone, roles, profile_due, profile_at)
SELECT id, 'Bench Person ' || g, 'bench.person' || g || '@example.com', 'Europe/London',
       ARRAY['partner'], false, now() FROM b
ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, email = EXCLUDED.email,
       timezone = EXCLUDED.timezone, roles = EXCLUDED.roles, profile_due = false, profile_at = now();
-- (people the runs before changed over the API, SCIM's among them, are already
-- there: notify followed their events)
INSERT INTO att_person (id, display_name, roles, profile_due)
SELECT id, display_name, roles, false FROM people.person WHERE external_id = 'bench-10'
ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, roles = EXCLUDED.roles,
       profile_due = false;
SELECT att_enrolment_put(e, id, 'de0fa017-0000-4000-8000-000000000001', 'active', 'mentoring',
         jsonb_build_array(
           jsonb_build_object('position', 1, 'key', 'research', 'status', 'completed', 'stall_days', 14),
           jsonb_build_object('position', 2, 'key', 'mentoring', 'status', 'in_progress', 'stall_days', 14,
                              'target_date', (current_date + (g % 50) - 10)::text)),
         now() - make_interval(days => g % 60))
  FROM b;
SELECT att_sections(pb, id, 'de0fa017-0000-4000-8000-000000000001',
                    '{"purpose": "ready_for_review", "vision": "draft"}', now() - make_interval(hours => g % 500))
  FROM b WHERE g % 4 = 0;
SELECT att_session(gen_random_uuid(), id,
                   CASE WHEN g <= (SELECT max(g) FROM (SELECT g FROM b ORDER BY g LIMIT 20) f)
                        THEN (SELECT id FROM people.person WHERE external_id = 'bench-10')
                        ELSE gen_random_uuid() END,
                   'held', false, now() - make_interval(hours => g % 300))
  FROM b WHERE g % 5 = 0;
SELECT att_completion(gen_random_uuid(), id, false, false, now() - make_interval(hours => g % 200))
  FROM b WHERE g % 3 = 0;
SELECT att_integration(gen_random_uuid(), pb, id, 'de0fa017-0000-4000-8000-000000000001',
                       'pending_review', now() - make_interval(hours => g % 100))
  FROM b WHERE g % 20 = 0;
INSERT INTO att_pairing (id, mentor_id, partner_id, active, started_at)
SELECT gen_random_uuid(), (SELECT id FROM people.person WHERE external_id = 'bench-10'), id, true, now()
  FROM b ORDER BY g LIMIT 20;
COMMIT;
ANALYZE notify.att_person; ANALYZE notify.att_pairing; ANALYZE notify.att_enrolment; ANALYZE notify.att_item;
SQL
        info "$(sql -tA -c "SELECT count(*) || ' items, ' || count(*) FILTER (WHERE due_at <= now()) || ' due' FROM notify.att_item")"
        ATT_MENTOR_TOKEN=$(mint bench-10 mentor bench.person10@example.com)
        ATT_LEAD_TOKEN=$(mint bench-admin admin)
        probe GET "http://127.0.0.1:${PORT[notify]}/v1/attention" "$ATT_MENTOR_TOKEN"
        info "the mentor's list: $(jq '.items | length' "$TANDEM_RUNDIR/probe") items"
        probe GET "http://127.0.0.1:${PORT[notify]}/v1/attention" "$ATT_LEAD_TOKEN"
        # warm-up, not recorded
        BENCH_MODE=path BENCH_PATH=/v1/attention BENCH_TOKEN=$ATT_LEAD_TOKEN timeout 20 \
                wrk -t2 -c16 -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:${PORT[notify]}/" >/dev/null 2>&1 || true
}

# CPU ticks of the bench PostgreSQL: the postmaster and its children (bench.sh's
# proc_ticks); its row has the machine's and notify's CPU a request
attention_pg_ticks() {
        local pm p t=0
        pm=$(head -1 "$PG/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
        for p in "$pm" $(pgrep -P "$pm"); do t=$((t + $(proc_ticks "$p"))); done
        echo "$t"
}

measure_attention() {
        local c who tok ok=yes worst=0 g0 g1 bytes
        for c in "${CONNS[@]}"; do
                for who in mentor lead; do
                        tok=ATT_${who^^}_TOKEN
                        info "wrk c$c GET /v1/attention as the $who"
                        g0=$(attention_pg_ticks)
                        BENCH_MODE=path BENCH_PATH=/v1/attention BENCH_TOKEN=${!tok} \
                                run_wrk "attention-$who" "$c" "http://127.0.0.1:${PORT[notify]}"
                        g1=$(attention_pg_ticks)
                        add_row attention notify
                        bytes=$(curl -s -H "Authorization: Bearer ${!tok}" "http://127.0.0.1:${PORT[notify]}/v1/attention" | wc -c)
                        NOTES+=("attention-$who c$c: PostgreSQL's CPU a request $(us_per "${ROW_REQS:-0}" $((g1 - g0))) us; answer $bytes bytes")
                        if awk -v p="$ROW_P99" 'BEGIN { exit !(p >= 20) }' || ((ROW_ERR > 0)); then ok=NO; fi
                        worst=$(awk -v a="$worst" -v b="$ROW_P99" 'BEGIN { print (b > a ? b : a) }')
                done
        done
        NOTES+=("attention: GET /v1/attention for a mentor of 20 partners and for the lead over $N_PEOPLE enrolments; worst p99 $worst ms; p99 < 20 ms with no error at every connection count: $ok")
}
