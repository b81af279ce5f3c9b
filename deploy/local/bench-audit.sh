# shellcheck shell=bash disable=SC2154,SC2034  # (sourced: the stack's variables and add_row's ROW_* are bench.sh's)
# deploy/local/bench-audit.sh: the audit log's CSV export in make bench, sourced
# by deploy/local/bench.sh (it uses that script's stack, sql and mint).  notify of
# the stack (or one of its own); its audit log filled with SQL as its followers
# store events (services/notify/follow.c, audit_record): the four services in
# proportion, the types each emits, a subject and a person concerned out of
# 10,000, an actor out of 500 people or a service's own work, a request id, a
# version, a small JSON data object (every one quoted in CSV, quotes doubled),
# times spread over the 400 days of retention in arrival order.  For each size of
# TANDEM_BENCH_AUDIT_ROWS ("100000 1000000": the log grows to each in turn) the
# whole log is exported once as admin with
#   curl -H 'Accept: text/csv' /v1/audit
# while notify's VmRSS is sampled every 0.2 s (/proc/PID/status): before, the
# peak during and after, and VmHWM (reset before each export when the kernel
# lets us: clear_refs 5).  Then the file is checked: its lines = rows + header,
# and Python's csv module (RFC 4180) reads every record with 11 fields.
# Memory constant: yes when, at every size, the peak during the export is less
# than AUDIT_RSS_SLACK_MIB (16) over the RSS before it, and the growth at the
# largest size is at most AUDIT_RSS_SLACK_MIB / 2 more than at the smallest:
# 10 times the rows must not take more memory.

AUDIT_SIZES=${TANDEM_BENCH_AUDIT_ROWS:-100000 1000000}
AUDIT_RSS_SLACK_MIB=16

# the CPU seconds PID has used (utime + stime)
audit_cpu() { awk -v t="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }

audit_rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# audit_fill FROM TO LAST: rows FROM..TO of the log (g is the row's rank; times rise
# with it, row LAST now, row 1 about 380 days ago: inside the retention)
audit_fill() {
        local from=$1 to=$2 total=$3 step
        step=$(awk -v n="$total" 'BEGIN { printf "%.6f", 380 * 86400 / n }')
        sql <<SQL
SET search_path = notify;
INSERT INTO audit (id, service, type, subject, person_id, actor, request_id, resource_version,
                   time, data, received_at)
SELECT gen_random_uuid(), s.service, s.types[1 + (g / 7) % array_length(s.types, 1)],
       ('b0000000-0000-4000-8000-' || lpad(to_hex(g * 7 % 10000), 12, '0')),
       ('a0000000-0000-4000-8000-' || lpad(to_hex(g % 10000), 12, '0'))::uuid,
       CASE WHEN g % 5 = 0 THEN 'service:' || s.service
            ELSE 'c0000000-0000-4000-8000-' || lpad(to_hex(g % 500), 12, '0') END,
       md5(g::text), 1 + g % 40,
       t, CASE g % 4
            WHEN 0 THEN jsonb_build_object('changed', jsonb_build_array('title', 'business_unit', 'timezone'))
            WHEN 1 THEN jsonb_build_object('cause_type', 'tandem.mentoring.session.held',
                                           'cause_id', md5((g + 1)::text)::uuid)
            WHEN 2 THEN jsonb_build_object('mentor_id', 'c0000000-0000-4000-8000-' || lpad(to_hex(g % 500), 12, '0'),
                                           'partner_id', 'a0000000-0000-4000-8000-' || lpad(to_hex(g % 10000), 12, '0'),
                                           'programme_id', 'de0fa017-0000-4000-8000-000000000001')
            ELSE jsonb_build_object('phase', 'mentoring', 'status', 'in_progress', 'note', 'moved, "on time"')
          END,
       t + interval '40 milliseconds'
FROM generate_series($from, $to) AS g,
     LATERAL (SELECT now() - make_interval(secs => ($total - g) * $step) AS t) AS tt,
     LATERAL (SELECT * FROM (VALUES
        (0, 'people', ARRAY['tandem.people.person.created', 'tandem.people.person.updated',
                            'tandem.people.pairing.created', 'tandem.people.group.members_changed']),
        (1, 'phases', ARRAY['tandem.phases.enrolment.progressed', 'tandem.phases.assessment.submitted',
                            'tandem.phases.attendance.recorded', 'tandem.phases.enrolment.created']),
        (2, 'mentoring', ARRAY['tandem.mentoring.session.held', 'tandem.mentoring.completion.recorded',
                               'tandem.mentoring.completion.verified', 'tandem.mentoring.session.scheduled']),
        (3, 'strategy', ARRAY['tandem.strategy.playbook.section_saved', 'tandem.strategy.integration.created',
                              'tandem.strategy.playbook.commented'])) AS v(k, service, types)
        WHERE v.k = (CASE WHEN g % 10 < 3 THEN 0 WHEN g % 10 < 6 THEN 1 WHEN g % 10 < 9 THEN 2 ELSE 3 END)
     ) AS s;
ANALYZE audit;
SQL
}

audit_export() { # audit_export ROWS: one export of the whole log; sets AUDIT_OK, adds a NOTE
        local rows=$1 pid=${PID[notify]} file=$TANDEM_RUNDIR/audit.csv samples=$TANDEM_RUNDIR/rss.txt
        local before after max hwm t0 t1 secs bytes lines code parse grow sampler hwm_note="" cpu0 cpu1 pgs
        sync
        if ! echo 5 >"/proc/$pid/clear_refs" 2>/dev/null; then hwm_note=" (not reset: the process's lifetime peak)"; fi
        stmt_reset
        before=$(audit_rss_kb "$pid" VmRSS)
        cpu0=$(audit_cpu "$pid")
        : >"$samples"
        (while kill -0 "$pid" 2>/dev/null; do audit_rss_kb "$pid" VmRSS >>"$samples"; sleep 0.2; done) &
        sampler=$!
        t0=$(date +%s.%N)
        code=$(curl -sS -o "$file" -w '%{http_code}' --max-time 900 -H "Authorization: Bearer $AUDIT_TOKEN" \
                -H 'Accept: text/csv' "http://127.0.0.1:${PORT[notify]}/v1/audit") || code="curl failed"
        t1=$(date +%s.%N)
        cpu1=$(audit_cpu "$pid")
        audit_rss_kb "$pid" VmRSS >>"$samples"
        kill "$sampler" 2>/dev/null || true
        wait "$sampler" 2>/dev/null || true
        sleep 0.5
        after=$(audit_rss_kb "$pid" VmRSS)
        hwm=$(audit_rss_kb "$pid" VmHWM)
        max=$(sort -n "$samples" | tail -n1)
        # PostgreSQL's time in the export's statements (executing and sending the rows)
        pgs=$(pg_psql "$PG" -d tandem -tA -F ' ' -c "SELECT coalesce(sum(calls), 0), round(coalesce(sum(total_exec_time), 0)::numeric / 1000, 2)
                                  FROM pg_stat_statements WHERE query LIKE '%FROM audit a%'")
        [[ $code == 200 ]] || { AUDIT_OK=NO; NOTES+=("audit-csv $rows: answered $code"); return 0; }
        secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
        bytes=$(stat -c %s "$file")
        lines=$(wc -l <"$file")
        parse=$(python3 - "$file" <<'PY'
import csv, sys
n, bad, header = 0, 0, None
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for rec in csv.reader(f, strict=True):
        if header is None:
            header = rec
            continue
        n += 1
        if len(rec) != len(header):
            bad += 1
print(n, bad, len(header or []))
PY
)
        rm -f "$file"
        read -r p_rows p_bad p_cols <<<"$parse"
        grow=$(((max - before) / 1024))
        AUDIT_GROW+=("$grow")
        ROW_NAME=audit-csv-$rows ROW_C=1 ROW_RPS=$(awk -v n="$rows" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
        ROW_P50=- ROW_P99=- ROW_ERR=0 ROW_SPR=- ROW_CPU=- ROW_REQS=0
        if ((lines != rows + 1 || p_rows != rows || p_bad != 0 || p_cols != 11)); then ROW_ERR=1; AUDIT_OK=NO; fi
        if ((grow >= AUDIT_RSS_SLACK_MIB)); then AUDIT_OK=NO; fi
        add_row audit notify
        NOTES+=("audit-csv $rows rows: $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }') in $secs s ($ROW_RPS rows/s, $(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f MB/s", b / 1e6 / s }')); $lines lines, csv module: $p_rows records of $p_cols fields, $p_bad not; notify VmRSS before $((before / 1024)) MiB, max during $((max / 1024)) MiB ($(wc -l <"$samples") samples), after $((after / 1024)) MiB; VmHWM $((hwm / 1024)) MiB$hwm_note; notify CPU $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }') s, PostgreSQL $(cut -d' ' -f2 <<<"$pgs") s in $(cut -d' ' -f1 <<<"$pgs") statement(s)")
}

measure_audit() {
        local n have=0 first last max=0
        AUDIT_OK=yes
        AUDIT_GROW=()
        if [[ -z ${PID[notify]:-} ]]; then
                step "a notify for the audit export"
                PORT[notify]=$(free_port)
                start_service notify "${PORT[notify]}" "$LOGDIR/notify.log" \
                        TANDEM_DATABASE_URL="$(pg_url "$PG")" \
                        TANDEM_JWT_SECRET="$secret" TANDEM_JWT_ISSUER="$ISSUER" TANDEM_JWT_AUDIENCE="$AUDIENCE" \
                        TANDEM_PEOPLE_URL="http://127.0.0.1:${PORT[people]}" \
                        TANDEM_PHASES_URL="http://127.0.0.1:${PORT[phases]}" \
                        TANDEM_MENTORING_URL="http://127.0.0.1:${PORT[mentoring]}" \
                        TANDEM_STRATEGY_URL="http://127.0.0.1:${PORT[strategy]}" \
                        TANDEM_LOG_LEVEL="${TANDEM_BENCH_LOG_LEVEL:-warn}"
                PID[notify]=$STARTED_PID
                wait_http "http://127.0.0.1:${PORT[notify]}/readyz" 30 "$STARTED_PID" || die "notify did not become ready"
        fi
        AUDIT_TOKEN=$(mint bench-admin admin)
        # the log as the services left it (their followers' rows) counts too
        have=$(sql -tA -c "SELECT count(*) FROM notify.audit")
        for n in $AUDIT_SIZES; do ((n > max)) && max=$n; done
        for n in $AUDIT_SIZES; do
                ((n > have)) || continue
                step "audit log: $((n - have)) rows more, to $n"
                audit_fill $((have + 1)) "$n" "$max"
                have=$(sql -tA -c "SELECT count(*) FROM notify.audit")
                step "audit CSV export of $have rows"
                audit_export "$have"
        done
        first=${AUDIT_GROW[0]:-0}
        last=${AUDIT_GROW[-1]:-0}
        if ((last - first > AUDIT_RSS_SLACK_MIB / 2)); then AUDIT_OK=NO; fi
        NOTES+=("audit-csv: memory constant: $AUDIT_OK (rule: at every size the peak VmRSS during the export < $AUDIT_RSS_SLACK_MIB MiB over the RSS before it, and the largest size grows at most $((AUDIT_RSS_SLACK_MIB / 2)) MiB more than the smallest; growth per size: ${AUDIT_GROW[*]} MiB), and every CSV whole and RFC 4180")
}
