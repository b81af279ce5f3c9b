#!/usr/bin/env bash
# deploy/local/demo-data.sh: loads made-up demo data through the running API
# (so it exercises the real endpoints): people and pairings as the demo admin;
# then a published business strategy (as demo comms), playbooks (as each demo
# partner, one reviewed by their mentor) and integrations (signed off or
# returned by comms); then each partner's journey through the default programme
# (deploy/local/demo-phases.sh: enrolments, workshops and attendance,
# self-assessments and a mentor's rating, target dates, advances, a pause,
# overrides); then the mentoring demo data (deploy/local/demo-mentoring.sh).
#
#   TANDEM_API_URL      the gateway (default http://127.0.0.1:8080)
#   TANDEM_ADMIN_TOKEN  an admin bearer token; without it one is minted with
#                       build/bin/tandem-token from TANDEM_JWT_SECRET (or ./var/secret)
#   TANDEM_JWT_SECRET   (or ./var/secret) mints the comms, partner and mentor
#                       tokens: they do their own work (mentoring, not consulting);
#                       without it the strategy part is skipped
#   TANDEM_DEMO_DATABASE_URL  optional: when set, the journeys' history is spread
#                       back in time with one SQL transaction (a journey takes
#                       months; the API records only "now"), so that durations,
#                       stalled partners and a partner behind their own plan show.
#
# Idempotent: the people part does nothing once the demo admin (external_id
# demo-admin, created last) exists, the phases part once demo-partner-3's
# enrolment is paused (its last step); every POST carries an Idempotency-Key and a
# 409 for something already there counts as done, so an interrupted load can
# simply be run again.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

API=${TANDEM_API_URL:-http://127.0.0.1:8080}
API=${API%/}
secret=${TANDEM_JWT_SECRET:-$(cat "$TANDEM_ROOT/var/secret" 2>/dev/null || true)}
# mint SUB ROLES EMAIL: a demo token (needs the secret)
mint() {
        local_mint "$1" "$2" "$3" 600 && return 0
        TANDEM_JWT_SECRET=$secret TANDEM_JWT_ISSUER=${TANDEM_JWT_ISSUER:-tandem-local} \
                TANDEM_JWT_AUDIENCE=${TANDEM_JWT_AUDIENCE:-tandem} \
                "$BUILD_DIR/bin/tandem-token" --sub "$1" --roles "$2" --email "$3" --ttl 600
}
if [[ -z ${TANDEM_ADMIN_TOKEN:-} ]]; then
        [[ -n $secret ]] || die "set TANDEM_ADMIN_TOKEN or TANDEM_JWT_SECRET"
        TANDEM_ADMIN_TOKEN=$(mint demo-admin admin ada.admin@example.com)
fi
TOKEN=$TANDEM_ADMIN_TOKEN

BODY_FILE=$(mktemp /tmp/tandem-demo.XXXXXX)
trap 'rm -f "$BODY_FILE"' EXIT

# api METHOD PATH [JSON [IDEMPOTENCY-KEY]]: sets STATUS and BODY.  As the admin,
# or as whoever AS_TOKEN holds.
api() {
        local method=$1 path=$2 data=${3:-} key=${4:-}
        local -a args=(-s -o "$BODY_FILE" -w '%{http_code}' --max-time 10 -X "$method"
                -H "Authorization: Bearer ${AS_TOKEN:-$TOKEN}" -H "X-Request-Id: demo-data-$RANDOM")
        [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
        [[ -n $key ]] && args+=(-H "Idempotency-Key: $key")
        STATUS=$(curl "${args[@]}" "$API$path") || STATUS=000
        BODY=$(<"$BODY_FILE")
}

PEOPLE_LOADED=0
api GET /v1/me
case $STATUS in
200) PEOPLE_LOADED=1 ;;
404) PEOPLE_LOADED=0 ;;
*) die "GET $API/v1/me answered $STATUS: $BODY" ;;
esac

# external_id|display_name|email|roles|title|business_unit|timezone|mentor_capacity|purpose|vision
# Everyone here is made up; every address is @example.com.  demo-admin comes last:
# its presence is what marks the load as complete.
PEOPLE=(
        "demo-admin-2|Bert Backup-Admin|bert.backup@example.com|admin|Programme coordinator|Programme Office|Europe/London|0||"
        "demo-comms|Cora Comms|cora.comms@example.com|comms|Head of social media|Marketing & Communications|Europe/London|0||"
        "demo-viewer|Vic Viewer|vic.viewer@example.com|viewer|Insights analyst|Strategy & Insights|Europe/Dublin|0||"
        "demo-mentor-1|Mona Mentor|mona.mentor@example.com|mentor|Digital coach|Marketing & Communications|Europe/London|3||"
        "demo-mentor-2|Milo Mentorson|milo.mentorson@example.com|mentor|Social media lead|Marketing & Communications|America/New_York|3||"
        "demo-mentor-3|Meera Example|meera.example@example.com|mentor|Content strategist|Brand|Asia/Singapore|3||"
        "demo-mentor-4|Max Sample|max.sample@example.com|mentor|Community manager|Brand|Australia/Sydney|3||"
        "demo-partner-1|Paula Placeholder|paula.placeholder@example.com|partner|Senior partner|Audit|Europe/London|0|Share what twenty years of audit taught me about trust.|Be the voice clients look for when they think about assurance."
        "demo-partner-2|Percy Pretend|percy.pretend@example.com|partner|Managing partner|Tax|Europe/Berlin|0|Make tax policy understandable for founders.|A weekly thread founders actually read."
        "demo-partner-3|Priya Prototype|priya.prototype@example.com|partner|Partner|Consulting|Asia/Kolkata|0|Show how operations change really happens.|Known for honest case notes from the field."
        "demo-partner-4|Pierre Fictif|pierre.fictif@example.com|partner|Partner|Deals|Europe/Paris|0|Explain deals in plain language.|A trusted commentator on mid-market M&A."
        "demo-partner-5|Patricia Mock|patricia.mock@example.com|partner|Senior partner|Legal|America/New_York|0|Open up how in-house legal teams think.|Invited to speak because of what she posts."
        "demo-partner-6|Pedro Ficticio|pedro.ficticio@example.com|partner|Partner|Consulting|America/Sao_Paulo|0|Connect sustainability with everyday decisions.|A community of practitioners around practical ESG."
        "demo-partner-7|Petra Dummy|petra.dummy@example.com|partner|Partner|Technology|Europe/Amsterdam|0|Demystify AI for boards.|The partner boards message first about AI risk."
        "demo-partner-8|Paul Stand-In|paul.standin@example.com|partner|Regional partner|Audit|Australia/Melbourne|0|Celebrate the people behind the numbers.|A feed that makes audit look human."
        "demo-partner-9|Pia Lorem|pia.lorem@example.com|partner|Partner|Tax|Asia/Tokyo|0|Bring cross-border tax to life with stories.|A go-to voice on Asia-Pacific trade."
        "demo-partner-10|Piet Ipsum|piet.ipsum@example.com|partner|Partner|Deals|UTC|0|Share lessons from ten years of turnarounds.|Known for candid posts on what went wrong."
        "demo-admin|Ada Admin|ada.admin@example.com|admin|Programme lead|Programme Office|Europe/London|0||"
)
# mentor external_id:partner external_id (8 pairings; mentor capacity is 3)
PAIRINGS=(
        demo-mentor-1:demo-partner-1 demo-mentor-1:demo-partner-2 demo-mentor-1:demo-partner-3
        demo-mentor-2:demo-partner-4 demo-mentor-2:demo-partner-5 demo-mentor-2:demo-partner-6
        demo-mentor-3:demo-partner-7
        demo-mentor-4:demo-partner-8
)

declare -A ID=()
created=0
existing=0

# find_person EMAIL: prints the id of the person with that email.
find_person() {
        local q
        q=$(jq -rn --arg e "$1" '$e | @uri')
        api GET "/v1/people?q=$q&limit=10"
        [[ $STATUS == 200 ]] || return 1
        jq -er --arg e "$1" '.items[] | select((.email // "" | ascii_downcase) == ($e | ascii_downcase)) | .id' <<<"$BODY" | sed -n 1p
}

# People in order; just before the demo admin (the completion marker), the
# pairings, which need the mentors and partners only.
load_people() {
local row ext name email roles title bu tz cap purpose vision json m p
for row in "${PEOPLE[@]}"; do
        IFS='|' read -r ext name email roles title bu tz cap purpose vision <<<"$row"
        json=$(jq -cn --arg ext "$ext" --arg name "$name" --arg email "$email" --arg roles "$roles" \
                --arg title "$title" --arg bu "$bu" --arg tz "$tz" --argjson cap "$cap" \
                --arg purpose "$purpose" --arg vision "$vision" '
                {external_id: $ext, display_name: $name, email: $email,
                 roles: ($roles | split(",")), title: $title, business_unit: $bu,
                 timezone: $tz, mentor_capacity: $cap}
                + (if $purpose == "" then {} else {purpose: $purpose} end)
                + (if $vision == "" then {} else {vision: $vision} end)')
        if [[ $ext == demo-admin ]]; then
                # pairings first, so that the marker really comes last
                for pair in "${PAIRINGS[@]}"; do
                        m=${ID[${pair%%:*}]:-}
                        p=${ID[${pair##*:}]:-}
                        [[ -n $m && -n $p ]] || die "pairing $pair: a person is missing"
                        api POST /v1/pairings "$(jq -cn --arg m "$m" --arg p "$p" '{mentor_id: $m, partner_id: $p}')" \
                                "demo-pairing-$pair"
                        case $STATUS in
                        201) created=$((created + 1)) ;;
                        409) existing=$((existing + 1)) ;; # already paired
                        *) die "POST /v1/pairings ($pair) answered $STATUS: $BODY" ;;
                        esac
                done
        fi
        api POST /v1/people "$json" "demo-person-$ext"
        case $STATUS in
        201)
                ID[$ext]=$(jq -er .id <<<"$BODY")
                created=$((created + 1))
                ;;
        409)
                ID[$ext]=$(find_person "$email") || die "$email: 409 on create but not found: $BODY"
                existing=$((existing + 1))
                ;;
        *) die "POST /v1/people ($ext) answered $STATUS: $BODY" ;;
        esac
done

echo "demo data: ${#PEOPLE[@]} people and ${#PAIRINGS[@]} pairings ($created created, $existing already there)"
}
if ((PEOPLE_LOADED)); then
        echo "demo data: people already loaded (demo-admin exists)"
else
        load_people
fi

# ---- the strategy part ---------------------------------------------------------------
# The business strategy (comms), the demo programme's playbooks (partners 1-6),
# one section reviewed by the mentor, and integrations: partners 1-3 signed off
# (operational), partner 4 returned with a comment, partners 5-6 not yet run.
DEMO_PROGRAMME=d0000000-0000-4000-8000-000000000001

# as TOKEN-SUB ROLES EMAIL: switch the caller
as() { TOKEN=$(mint "$1" "$2" "$3"); }

# ok STATUSES WHAT: the last call answered one of STATUSES (e.g. "201 409")
ok() {
        [[ " $1 " == *" $STATUS "* ]] || die "$2 answered $STATUS: $BODY"
}

load_strategy() {
        local draft id i n=0
        as demo-comms comms cora.comms@example.com
        api GET /v1/business-strategy
        case $STATUS in
        200) ;;
        404)
                api POST /v1/business-strategy/versions "$(jq -cn '{
                        title: "Social media strategy FY27",
                        pillars: [
                          {name: "Trusted Insight", description: "Assurance and insight clients can rely on",
                           keywords: ["audit", "assurance", "trust", "data", "insight"]},
                          {name: "Sustainable Futures", description: "Practical ESG",
                           keywords: ["esg", "climate", "net zero", "sustainability"]},
                          {name: "Technology & AI", description: "Technology that boards understand",
                           keywords: ["ai", "cloud", "cyber security", "digital"]},
                          {name: "People & Culture", description: "The people behind the work",
                           keywords: ["talent", "culture", "wellbeing", "inclusion"]}],
                        channels: [{name: "LinkedIn", handle: "@example-firm", purpose: "long form and thought leadership"},
                                   {name: "X", handle: "@examplefirm"}, {name: "YouTube"}],
                        policies: {off_limits_topics: ["pending litigation", "client names"],
                                   off_limits_terms: ["guaranteed returns", "insider"],
                                   disclosure_rules: ["Say when a post is about a client engagement.",
                                                      "Say when you are paid or invited to speak."]},
                        kpis: [{name: "Leaders posting weekly", target: 10},
                               {name: "Engagement rate", target: 3, unit: "percent"}]}')" demo-strategy-v1
                ok "201" "POST /v1/business-strategy/versions"
                draft=$(jq -er .id <<<"$BODY")
                api POST "/v1/business-strategy/versions/$draft/publish"
                ok "200 409" "publishing the demo strategy"
                ;;
        *) die "GET /v1/business-strategy answered $STATUS: $BODY" ;;
        esac

        local -a PLAYBOOKS=(
                'demo-partner-1|paula.placeholder@example.com|{"purpose": "Share what twenty years of audit taught me about trust.", "vision": "The voice clients look for on assurance.", "audiences": [{"name": "CFOs", "description": "Mid-market finance leaders"}], "themes": [{"name": "Trust in numbers", "keywords": ["audit", "trust"], "pillars": ["Trusted Insight"]}, {"name": "AI in the audit", "keywords": ["ai", "data"]}, {"name": "Coaching young auditors", "keywords": ["talent"]}], "platforms": [{"name": "LinkedIn"}], "cadence": {"posts_per_week": 2}, "goals": [{"description": "Grow my network with CFOs", "metric": "followers", "target": 500, "by": "2027-06-30"}], "voice": "Plain, warm, no jargon.", "boundaries": ["politics"]}'
                'demo-partner-2|percy.pretend@example.com|{"purpose": "Make tax policy understandable for founders.", "vision": "A weekly thread founders actually read.", "themes": [{"name": "Tax for founders", "keywords": ["startups", "policy"]}, {"name": "Digital tax", "keywords": ["digital"], "pillars": ["Technology & AI"]}], "platforms": [{"name": "X"}, {"name": "LinkedIn"}], "goals": [{"description": "Publish a weekly thread", "metric": "threads", "target": 40}], "voice": "Direct and friendly."}'
                'demo-partner-3|priya.prototype@example.com|{"purpose": "Show how operations change really happens.", "themes": [{"name": "Change in practice", "keywords": ["culture", "change"]}, {"name": "Net zero operations", "keywords": ["net zero", "climate"]}], "platforms": [{"name": "LinkedIn"}, {"name": "Instagram"}], "voice": "Honest case notes from the field."}'
                'demo-partner-4|pierre.fictif@example.com|{"purpose": "Explain deals in plain language.", "themes": [{"name": "Deals explained", "keywords": ["m&a", "valuation"]}, {"name": "Investing lessons", "keywords": ["guaranteed returns"]}], "platforms": [{"name": "Twitter"}], "goals": [{"description": "Comment on every big mid-market deal", "metric": "posts", "target": 24}]}'
                'demo-partner-5|patricia.mock@example.com|{"purpose": "Open up how in-house legal teams think.", "themes": [{"name": "In-house life", "keywords": ["legal", "inclusion"]}]}'
                'demo-partner-6|pedro.ficticio@example.com|{"purpose": "Connect sustainability with everyday decisions."}'
        )
        for row in "${PLAYBOOKS[@]}"; do
                IFS='|' read -r ext email json <<<"$row"
                n=$((n + 1))
                as "$ext" partner "$email"
                api POST /v1/playbooks "$(jq -c --arg p "$DEMO_PROGRAMME" '. + {programme_id: $p}' <<<"$json")" "demo-playbook-$ext"
                ok "201 409" "POST /v1/playbooks ($ext)"
                api GET "/v1/playbooks?programme_id=$DEMO_PROGRAMME"
                ok "200" "GET /v1/playbooks ($ext)"
                id=$(jq -er '.items[0].id' <<<"$BODY")
                ID[pb-$n]=$id
                if ((n == 1)); then
                        # the partner submits their themes; their mentor reviews them and comments
                        api PUT "/v1/playbooks/$id/sections/themes/status" '{"status": "ready_for_review"}'
                        ok "200 409" "submitting themes"
                        as demo-mentor-1 mentor mona.mentor@example.com
                        api PUT "/v1/playbooks/$id/sections/themes/status" '{"status": "reviewed"}'
                        ok "200 409" "reviewing themes"
                        api POST "/v1/playbooks/$id/comments" \
                                '{"section": "themes", "body": "Coaching young auditors could carry People & Culture too: say so."}' \
                                "demo-comment-$id"
                        ok "201" "commenting"
                fi
        done

        as demo-comms comms cora.comms@example.com
        for i in 1 2 3 4; do
                api POST /v1/integrations "{\"playbook_id\": \"${ID[pb-$i]}\"}" "demo-integration-${ID[pb-$i]}"
                ok "200 201" "POST /v1/integrations (partner $i)"
                id=$(jq -er .id <<<"$BODY")
                if ((i < 4)); then
                        api PATCH "/v1/integrations/$id" '{"status": "signed_off", "comment": "Welcome to business as usual."}'
                else
                        api PATCH "/v1/integrations/$id" \
                                '{"status": "returned", "comment": "Investing lessons uses an off-limits term: reword it."}'
                fi
                ok "200 409" "reviewing integration $i"
        done
        echo "demo data: a published strategy, ${#PLAYBOOKS[@]} playbooks, 4 integrations (3 signed off)"
}

if [[ -z $secret ]]; then
        echo "demo data: no TANDEM_JWT_SECRET: the strategy part is skipped"
else
        load_strategy
fi

# ---- the phases part: each partner's journey ------------------------------------------
TOKEN=$TANDEM_ADMIN_TOKEN
# shellcheck source=deploy/local/demo-phases.sh
source deploy/local/demo-phases.sh

# ---- the mentoring part (its own script, as the demo people) ------------------------
TANDEM_API_URL=$API exec bash deploy/local/demo-mentoring.sh
