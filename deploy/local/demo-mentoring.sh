#!/usr/bin/env bash
# deploy/local/demo-mentoring.sh: made-up mentoring demo data, loaded through the
# running API as the people who would really do it (run by demo-data.sh once the
# demo people and pairings exist).  The programme team adds activity templates;
# partners build their checklists and record their own activities; mentors and
# partners hold sessions, write them up, log learnings; a mentor verifies,
# comments and signs a partner off.
#
#   TANDEM_API_URL       the gateway (default http://127.0.0.1:8080)
#   TANDEM_JWT_SECRET    to mint each demo person's token (or ./var/secret)
#   TANDEM_JWT_ISSUER, TANDEM_JWT_AUDIENCE (tandem-local, tandem)
#
# Idempotent: it does nothing once Paula Placeholder (demo-partner-1) has a current
# sign-off, which comes last; every POST carries a stable Idempotency-Key.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

API=${TANDEM_API_URL:-http://127.0.0.1:8080}
API=${API%/}
SECRET=${TANDEM_JWT_SECRET:-$(cat "$TANDEM_ROOT/var/secret" 2>/dev/null || true)}
[[ -n $SECRET ]] || die "set TANDEM_JWT_SECRET (or make run first, for ./var/secret)"
BODY_FILE=$(mktemp /tmp/tandem-demo-m.XXXXXX)
trap 'rm -f "$BODY_FILE"' EXIT

declare -A TOK=() ID=()

# mint SUB ROLES EMAIL: a one-hour token for a demo person.
mint() {
        local_mint "$1" "$2" "$3" 3600 && return 0
        TANDEM_JWT_SECRET=$SECRET TANDEM_JWT_ISSUER=${TANDEM_JWT_ISSUER:-tandem-local} \
                TANDEM_JWT_AUDIENCE=${TANDEM_JWT_AUDIENCE:-tandem} \
                "$BUILD_DIR/bin/tandem-token" --sub "$1" --roles "$2" --email "$3" --ttl 3600
}

# as WHO METHOD PATH [JSON [KEY]]: calls the API as WHO; sets STATUS and BODY.
as() {
        local who=$1 method=$2 path=$3 data=${4:-} key=${5:-}
        local -a args=(-s -o "$BODY_FILE" -w '%{http_code}' --max-time 10 -X "$method"
                -H "Authorization: Bearer ${TOK[$who]}" -H "X-Request-Id: demo-mentoring-$RANDOM")
        [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
        [[ -n $key ]] && args+=(-H "Idempotency-Key: demo-$key")
        STATUS=$(curl "${args[@]}" "$API$path") || STATUS=000
        BODY=$(<"$BODY_FILE")
}

# must WHO METHOD PATH JSON KEY: as, and dies unless 2xx; prints the new id.
must() {
        as "$@"
        [[ $STATUS == 2?? ]] || die "$2 $3 as $1 answered $STATUS: $BODY"
        jq -r '.id // empty' <<<"$BODY"
}

# UTC time N days ago at HH:00, and the date N days from today.
ago() { date -u -d "-$1 days" +"%Y-%m-%dT${2:-09}:00:00Z"; }
day() { date -u -d "$1 days" +%Y-%m-%d; }

# who:roles:email for everyone who acts below
for p in demo-admin:admin:ada.admin@example.com \
        demo-mentor-1:mentor:mona.mentor@example.com demo-mentor-2:mentor:milo.mentorson@example.com \
        demo-partner-1:partner:paula.placeholder@example.com demo-partner-2:partner:percy.pretend@example.com \
        demo-partner-3:partner:priya.prototype@example.com demo-partner-4:partner:pierre.fictif@example.com; do
        IFS=: read -r who roles email <<<"$p"
        TOK[$who]=$(mint "$who" "$roles" "$email")
        [[ $who == demo-admin ]] && continue
        as "$who" GET /v1/me
        [[ $STATUS == 200 ]] || die "GET /v1/me as $who answered $STATUS (load the demo people first)"
        ID[$who]=$(jq -r .id <<<"$BODY")
done

as demo-admin GET "/v1/signoffs?partner_id=${ID[demo-partner-1]}&current=true"
[[ $STATUS == 200 ]] || die "GET /v1/signoffs answered $STATUS: $BODY"
if [[ $(jq '.items | length' <<<"$BODY") -gt 0 ]]; then
        echo "demo data: mentoring already loaded"
        exit 0
fi

# ---- activity templates (the programme team) --------------------------------------------
declare -A TPL=()
for t in "comment|Comment thoughtfully on three posts in your field|linkedin|engaging|\"weekly\"" \
        "post|Write a post of your own|linkedin|writing|\"weekly\"" \
        "share|Share an article with your own take|linkedin|curating|{\"every_n_days\":3}" \
        "video|Record a short video|youtube|video|\"fortnightly\"" \
        "longform|Publish a long-form article|blog|writing|\"monthly\""; do
        IFS='|' read -r key title platform skill cadence <<<"$t"
        TPL[$key]=$(must demo-admin POST /v1/activity-templates "$(jq -cn --arg t "$title" \
                --arg p "$platform" --arg s "$skill" --argjson c "$cadence" \
                '{title: $t, platform: $p, skill: $s, suggested_cadence: $c,
                  description: "Taught in the platform workshops."}')" "tpl-$key")
done

# ---- checklists: each partner at their own pace --------------------------------------------
# partner|template:cadence ...|days between completions per item (their rhythm)
for plan in "demo-partner-1|comment:\"weekly\" post:\"weekly\" share:{\"every_n_days\":3}|4 7 3" \
        "demo-partner-2|post:\"fortnightly\" video:\"monthly\"|9 20" \
        "demo-partner-3|comment:\"daily\" longform:\"monthly\"|2 25" \
        "demo-partner-4|share:\"weekly\"|12"; do
        IFS='|' read -r who items rhythm <<<"$plan"
        read -r -a gaps <<<"$rhythm"
        i=0
        for it in $items; do
                tpl=${it%%:*}
                item=$(must "$who" POST "/v1/checklists/${ID[$who]}/items" \
                        "{\"template_id\":\"${TPL[$tpl]}\",\"cadence\":${it#*:},\"started_on\":\"$(day -56)\"}" \
                        "item-$who-$tpl")
                for ((d = 55; d >= 1; d -= gaps[i])); do
                        must "$who" POST "/v1/checklists/${ID[$who]}/items/$item/completions" \
                                "{\"done_at\":\"$(ago "$d" 10)\",\"evidence_url\":\"https://www.linkedin.com/posts/$who-$tpl-$d\"}" \
                                "done-$who-$tpl-$d" >/dev/null
                done
                i=$((i + 1))
        done
done
# the mentor verifies one of Paula's and comments on it
as demo-mentor-1 GET "/v1/checklists/${ID[demo-partner-1]}/completions?limit=1"
first=$(jq -r '.items[0].id' <<<"$BODY")
must demo-mentor-1 PUT "/v1/checklists/${ID[demo-partner-1]}/completions/$first/verification" \
        '{"note":"Read it: the question at the end got people talking."}' >/dev/null
must demo-mentor-1 POST "/v1/checklists/${ID[demo-partner-1]}/completions/$first/comments" \
        '{"text":"I tried ending with a question last month too; it doubled my replies."}' "comment-1" >/dev/null

# ---- sessions: held and written up, one awaiting its write-up, one to come ------------------
pairing_of() { # pairing_of MENTOR PARTNER: the active pairing's id
        as "$1" GET "/v1/pairings?mentor_id=${ID[$1]}&partner_id=${ID[$2]}&status=active"
        jq -r '.items[0].id' <<<"$BODY"
}
ADHERENCE='{"partners-pace":true,"share-experience":true,"share-learning":true}'
for pair in demo-mentor-1:demo-partner-1 demo-mentor-1:demo-partner-2 demo-mentor-2:demo-partner-4; do
        mentor=${pair%%:*}
        partner=${pair##*:}
        pid=$(pairing_of "$mentor" "$partner")
        for ago_days in 28 14; do
                s=$(must "$mentor" POST /v1/sessions "{\"pairing_id\":\"$pid\",\"scheduled_at\":\"$(ago "$ago_days" 15)\",\"duration_minutes\":45,\"agenda\":\"How the last fortnight went\",\"objectives\":[\"Look at what worked\",\"Choose the next themes\"]}" "session-$pair-$ago_days")
                must "$mentor" PATCH "/v1/sessions/$s" '{"status":"held"}' >/dev/null
                must "$mentor" PATCH "/v1/sessions/$s/write-up" "{\"shared_notes\":\"We went through the posts of the last two weeks and what the replies said.\",\"guideline_adherence\":$ADHERENCE}" >/dev/null
                must "$partner" PATCH "/v1/sessions/$s/write-up" '{"partner_reflection":"Writing from my own cases works better than summarising the news."}' >/dev/null
                must "$mentor" POST "/v1/sessions/$s/actions" "{\"title\":\"Draft two posts from client stories\",\"due_on\":\"$(day 7)\"}" "action-$pair-$ago_days" >/dev/null
        done
        must "$mentor" PUT "/v1/sessions/$s/private-notes" '{"text":"Seemed tired; keep the next session short and practical."}' >/dev/null
        s=$(must "$mentor" POST /v1/sessions "{\"pairing_id\":\"$pid\",\"scheduled_at\":\"$(ago 6 15)\",\"duration_minutes\":30,\"agenda\":\"Quick check-in\"}" "session-$pair-6")
        must "$mentor" PATCH "/v1/sessions/$s" '{"status":"held"}' >/dev/null   # not written up yet
        must "$partner" POST /v1/sessions "{\"pairing_id\":\"$pid\",\"scheduled_at\":\"$(date -u -d '+7 days' +%Y-%m-%dT15:00:00Z)\",\"duration_minutes\":45,\"agenda\":\"Plan the next month\"}" "session-$pair-next" >/dev/null
done

# ---- learnings -------------------------------------------------------------------------------
p1pair=$(pairing_of demo-mentor-1 demo-partner-1)
must demo-mentor-1 POST /v1/learnings '{"kind":"failure","text":"I scheduled a week of posts in advance and they read like adverts; I write on the day now.","visibility":"library","platform":"linkedin","skill":"writing"}' learning-m1 >/dev/null
must demo-mentor-2 POST /v1/learnings '{"kind":"success","text":"Replying to every comment within the hour doubled the conversation under my posts.","visibility":"library","platform":"linkedin","skill":"engaging"}' learning-m2 >/dev/null
must demo-partner-1 POST /v1/learnings "{\"kind\":\"insight\",\"text\":\"My audit stories get more replies than my opinions on regulation.\",\"visibility\":\"pairing\",\"pairing_id\":\"$p1pair\",\"platform\":\"linkedin\"}" learning-p1 >/dev/null
must demo-partner-1 POST /v1/learnings '{"kind":"failure","text":"I deleted a post after one critical comment; I should have answered it.","visibility":"private"}' learning-p1-private >/dev/null

# ---- the sign-off comes last: it marks the load as complete -----------------------------------
must demo-mentor-1 POST /v1/signoffs "{\"partner_id\":\"${ID[demo-partner-1]}\",\"note\":\"Eight weeks at her own weekly rhythm, sessions written up, ready to align with the business strategy.\"}" signoff-p1 >/dev/null
echo "demo data: mentoring loaded (5 templates, 4 checklists, 12 sessions, 4 learnings, 1 sign-off)"
