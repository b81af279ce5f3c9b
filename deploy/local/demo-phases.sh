# shellcheck shell=bash
# deploy/local/demo-phases.sh: the phases part of the demo data, sourced by
# demo-data.sh (it uses api, find_person, die and the variables set there).
#
# Ten partners on their own journeys through the default programme, each at
# their own place and pace:
#   demo-partner-1  Paula    workshops: baseline in, 1 of 2 workshops, her own targets set
#   demo-partner-2  Percy    research, no assessment yet: stalled
#   demo-partner-3  Priya    workshops, paused by choice
#   demo-partner-4  Pierre   playbook, past his own target date: behind his plan
#   demo-partner-5  Patricia mentoring, on track, re-assessed
#   demo-partner-6  Pedro    mentoring, no progress for weeks: stalled
#   demo-partner-7  Petra    integration
#   demo-partner-8  Paul     operational (business as usual)
#   demo-partner-9  Pia      operational
#   demo-partner-10 Piet     research, on track
# Phases whose evidence lives in services not running yet (playbook:
# strategy; mentoring: mentoring; integration: strategy) are passed by the
# programme team's override, with a reason, as the history shows.

PROGRAMME_ID=de0fa017-0000-4000-8000-000000000001
TEMPLATE_ID=de0fa017-0000-4000-8000-000000000002
DEMO_SECRET=${TANDEM_JWT_SECRET:-$(cat "$TANDEM_ROOT/var/secret" 2>/dev/null || true)}

# The default questionnaire's items; answers rated CONFIDENCE CAPABILITY (+ per platform bump).
DEMO_ITEMS='[["linkedin","profile"],["linkedin","posting"],["linkedin","engaging"],["linkedin","networking"],
 ["x","profile"],["x","posting"],["x","engaging"],["x","networking"],["blog","posting"],["blog","measuring"]]'

declare -A PID=() EID=()

demo_token() { # demo_token EXTERNAL_ID EMAIL ROLES
        local_mint "$1" "$3" "$2" 600 && return 0
        TANDEM_JWT_SECRET=$DEMO_SECRET TANDEM_JWT_ISSUER=${TANDEM_JWT_ISSUER:-tandem-local} \
                TANDEM_JWT_AUDIENCE=${TANDEM_JWT_AUDIENCE:-tandem} \
                "$BUILD_DIR/bin/tandem-token" --sub "$1" --roles "$3" --email "$2" --ttl 600
}

# as EXTERNAL_ID METHOD PATH [JSON [KEY]]: a call with that demo person's own token.
as() {
        local ext=$1
        shift
        AS_TOKEN=$(demo_token "$ext" "${EMAIL[$ext]}" "${ROLE[$ext]}") api "$@"
}

expect() { # expect WHAT STATUS...
        local what=$1 s
        shift
        for s in "$@"; do [[ $STATUS == "$s" ]] && return 0; done
        die "$what answered $STATUS: $BODY"
}

declare -A EMAIL=(
        [demo-mentor-1]=mona.mentor@example.com [demo-mentor-2]=milo.mentorson@example.com
        [demo-partner-1]=paula.placeholder@example.com [demo-partner-2]=percy.pretend@example.com
        [demo-partner-3]=priya.prototype@example.com [demo-partner-4]=pierre.fictif@example.com
        [demo-partner-5]=patricia.mock@example.com [demo-partner-6]=pedro.ficticio@example.com
        [demo-partner-7]=petra.dummy@example.com [demo-partner-8]=paul.standin@example.com
        [demo-partner-9]=pia.lorem@example.com [demo-partner-10]=piet.ipsum@example.com
)
declare -A ROLE=()
for _ext in "${!EMAIL[@]}"; do
        if [[ $_ext == demo-mentor-* ]]; then ROLE[$_ext]=mentor; else ROLE[$_ext]=partner; fi
done

assess() { # assess PARTNER KIND(self|mentor) BY CONFIDENCE CAPABILITY KEY
        local answers
        answers=$(jq -c --argjson c "$4" --argjson k "$5" \
                'map({platform: .[0], skill: .[1], confidence: ([$c + (if .[0] == "linkedin" then 1 else 0 end), 5] | min),
                      capability: $k})' <<<"$DEMO_ITEMS")
        as "$3" POST /v1/assessments "$(jq -cn --arg p "${PID[$1]}" --arg t "$TEMPLATE_ID" --arg kind "$2" \
                --argjson a "$answers" '{person_id: $p, template_id: $t, kind: $kind, answers: $a}')" "demo-assess-$6"
        expect "POST /v1/assessments ($1, $2)" 201
}

advance() { # advance PARTNER: the partner moves on, the exit criteria met
        as "$1" POST "/v1/enrolments/${EID[$1]}/advance" "" "demo-advance-$1-$2"
        expect "advance $1" 200
}

override() { # override PARTNER STEP REASON: the programme team passes a phase
        api POST "/v1/enrolments/${EID[$1]}/advance" "$(jq -cn --arg r "$3" '{override_reason: $r}')" \
                "demo-override-$1-$2"
        expect "override $1" 200
}

targets() { # targets PARTNER JSON-OBJECT REASON
        as "$1" PATCH "/v1/enrolments/${EID[$1]}/target-dates" \
                "$(jq -cn --argjson t "$2" --arg r "$3" '{targets: $t, reason: $r}')"
        expect "target dates of $1" 200
}

day() { date -u -d "$1" +%F; }

load_journeys() {
        local ext w i
        local -a workshops=()
        for ext in "${!EMAIL[@]}"; do
                PID[$ext]=$(find_person "${EMAIL[$ext]}") || die "demo person $ext not found"
        done
        for i in 1 2 3; do
                api POST /v1/workshops "$(jq -cn --argjson i "$i" '[
                        {title: "LinkedIn: a profile that says what you stand for", platform: "linkedin", skills: ["profile", "networking"], held_at: "2026-01-13T09:30:00Z"},
                        {title: "Posting and engaging on X", platform: "x", skills: ["posting", "engaging"], held_at: "2026-01-20T09:30:00Z"},
                        {title: "Writing long-form: your first article", platform: "blog", skills: ["posting"], held_at: "2026-01-27T09:30:00Z"}][$i - 1]')" \
                        "demo-workshop-$i"
                expect "POST /v1/workshops" 201
                workshops+=("$(jq -er .id <<<"$BODY")")
        done
        for i in $(seq 1 10); do
                ext=demo-partner-$i
                api POST /v1/enrolments "$(jq -cn --arg p "${PID[$ext]}" --arg g "$PROGRAMME_ID" \
                        '{person_id: $p, programme_id: $g}')" "demo-enrol-$ext"
                expect "enrol $ext" 201
                EID[$ext]=$(jq -er .id <<<"$BODY")
        done

        # research: a baseline self-assessment, then the partner moves on
        for i in 1 3 4 5 6 7 8 9; do
                assess "demo-partner-$i" self "demo-partner-$i" $((1 + i % 3)) $((1 + i % 2)) "base-$i"
                advance "demo-partner-$i" research
        done
        assess demo-partner-1 mentor demo-mentor-1 2 2 mentor-1
        # workshops: attendance, then the partner moves on
        api POST "/v1/workshops/${workshops[0]}/attendance" \
                "$(jq -cn --arg p "${PID[demo-partner-1]}" '{person_id: $p}')" "demo-attend-1-0"
        expect "attendance of demo-partner-1" 201
        for i in 4 5 6 7 8 9; do
                for w in 0 1; do
                        api POST "/v1/workshops/${workshops[$w]}/attendance" \
                                "$(jq -cn --arg p "${PID[demo-partner-$i]}" '{person_id: $p}')" "demo-attend-$i-$w"
                        expect "attendance of demo-partner-$i" 201
                done
                advance "demo-partner-$i" workshops
        done
        # playbook, mentoring and integration: evidence held by services not running yet
        for i in 5 6 7 8 9; do
                override "demo-partner-$i" playbook "playbook reviewed with the programme team"
        done
        for i in 7 8 9; do
                assess "demo-partner-$i" self "demo-partner-$i" $((3 + i % 2)) $((2 + i % 3)) "exit-$i"
                override "demo-partner-$i" mentoring "mentor signed off in the session notes"
        done
        for i in 8 9; do
                override "demo-partner-$i" integration "aligned with the business strategy; signed off by comms"
        done
        assess demo-partner-5 self demo-partner-5 3 3 "again-5"

        # each partner's own plan
        targets demo-partner-1 "$(jq -cn --arg a "$(day '+3 weeks')" --arg b "$(day '+10 weeks')" \
                '{workshops: $a, playbook: $b}')" "my plan, agreed with Mona"
        targets demo-partner-4 "$(jq -cn --arg a "$(day '+1 day')" '{playbook: $a}')" "a first draft by the offsite"
        targets demo-partner-5 "$(jq -cn --arg a "$(day '+8 weeks')" '{mentoring: $a}')" "a quarter of practice"
        as demo-partner-3 POST "/v1/enrolments/${EID[demo-partner-3]}/pause" '{"reason": "year-end close"}' \
                demo-pause-3
        expect "pause demo-partner-3" 200
        echo "demo data: 10 journeys through the default programme, 3 workshops"
}

# Spreads the journeys back in time: each completed phase took about its guide
# duration, the current one a few days (weeks for the stalled); assessments,
# attendance and events move with them; Pierre's target is a few days behind him.
backdate_journeys() {
        local ids
        ids=$(printf '%s,' "${EID[@]}")
        psql -X -q -v ON_ERROR_STOP=1 -v ids="{${ids%,}}" -v stalled="{${EID[demo-partner-2]},${EID[demo-partner-6]}}" \
                -v behind="${EID[demo-partner-4]}" "$TANDEM_DEMO_DATABASE_URL" <<'SQL'
BEGIN;
SET LOCAL search_path = phases;
CREATE TEMP TABLE span ON COMMIT DROP AS
WITH d AS (
    SELECT ph.enrolment_id, ph.position, ph.status,
           CASE WHEN ph.status = 'completed' THEN ph.guide_days * (0.6 + 0.8 * random())
                WHEN ph.status = 'in_progress' AND ph.enrolment_id = ANY (:'stalled'::uuid[])
                     THEN ph.stall_days + 10 + 10 * random()
                WHEN ph.status = 'in_progress' THEN 2 + 8 * random()
                ELSE 0 END AS days
      FROM enrolment_phase ph WHERE ph.enrolment_id = ANY (:'ids'::uuid[]))
SELECT enrolment_id, position, status, days,
       sum(days) OVER (PARTITION BY enrolment_id) AS total,
       coalesce(sum(days) OVER (PARTITION BY enrolment_id ORDER BY position
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
  FROM d;
UPDATE enrolment_phase ph
   SET entered_at = CASE WHEN s.status <> 'not_started'
                         THEN now() - make_interval(secs => (s.total - s.before) * 86400) END,
       completed_at = CASE WHEN s.status = 'completed'
                           THEN now() - make_interval(secs => (s.total - s.before - s.days) * 86400) END
  FROM span s WHERE ph.enrolment_id = s.enrolment_id AND ph.position = s.position;
UPDATE enrolment e
   SET enrolled_at = f.entered_at, created_at = f.entered_at,
       last_progress_at = greatest(f.last_in, f.last_out),
       ended_at = CASE WHEN e.status = 'operational' THEN f.last_out ELSE e.ended_at END
  FROM (SELECT enrolment_id, min(entered_at) AS entered_at, max(entered_at) AS last_in,
               coalesce(max(completed_at), min(entered_at)) AS last_out
          FROM enrolment_phase WHERE enrolment_id = ANY (:'ids'::uuid[]) GROUP BY enrolment_id) f
 WHERE e.id = f.enrolment_id;
UPDATE enrolment_event x SET at = e.enrolled_at
  FROM enrolment e WHERE x.enrolment_id = e.id AND x.kind = 'enrolled' AND e.id = ANY (:'ids'::uuid[]);
UPDATE enrolment_event x SET at = ph.completed_at
  FROM enrolment_phase ph
 WHERE x.kind IN ('advanced', 'operational') AND ph.enrolment_id = x.enrolment_id
   AND ph.key = x.from_phase AND x.enrolment_id = ANY (:'ids'::uuid[]);
UPDATE assessment a SET submitted_at = least(now(), ph.entered_at + interval '1 day')
  FROM enrolment_phase ph
 WHERE ph.enrolment_id = a.enrolment_id AND ph.key = a.phase AND a.enrolment_id = ANY (:'ids'::uuid[]);
UPDATE attendance t SET recorded_at = least(now(), ph.entered_at + interval '3 days')
  FROM enrolment e JOIN enrolment_phase ph ON ph.enrolment_id = e.id AND ph.key = 'workshops'
 WHERE t.person_id = e.person_id AND e.id = ANY (:'ids'::uuid[]) AND ph.entered_at IS NOT NULL;
UPDATE enrolment_phase SET target_date = current_date - 4
 WHERE enrolment_id = :'behind'::uuid AND key = 'playbook';
COMMIT;
SQL
}

load_phases_demo() {
        api GET "/v1/programmes/$PROGRAMME_ID"
        if [[ $STATUS != 200 ]]; then
                warn "demo data: the phases service does not answer at $API ($STATUS): journeys skipped"
                return 0
        fi
        [[ -n $DEMO_SECRET ]] || die "the demo journeys need TANDEM_JWT_SECRET (or ./var/secret)"
        local marker
        marker=$(find_person "${EMAIL[demo-partner-3]}") || die "demo-partner-3 not found"
        api GET "/v1/enrolments?person_id=$marker&status=paused&limit=1"
        expect "GET /v1/enrolments" 200
        if [[ $(jq '.items | length' <<<"$BODY") != 0 ]]; then
                echo "demo data: journeys already loaded"
                return 0
        fi
        load_journeys
        if [[ -n ${TANDEM_DEMO_DATABASE_URL:-} ]] && command -v psql >/dev/null; then
                backdate_journeys
                echo "demo data: journeys spread over the past months"
        else
                echo "demo data: journeys all dated today (set TANDEM_DEMO_DATABASE_URL to spread them back)"
        fi
}

load_phases_demo
