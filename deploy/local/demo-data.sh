#!/usr/bin/env bash
# deploy/local/demo-data.sh: loads made-up demo data through the running API
# (so it exercises the real endpoints): people and pairings as the demo admin,
# then each partner's journey through the default programme (enrolments,
# workshops and attendance, self-assessments and a mentor's rating, target
# dates, advances, a pause, overrides), as the partners and the admin.
#
#   TANDEM_API_URL      the gateway (default http://127.0.0.1:8080)
#   TANDEM_ADMIN_TOKEN  an admin bearer token; without it one is minted with
#                       build/bin/tandem-token from TANDEM_JWT_SECRET (or ./var/secret)
#   TANDEM_JWT_SECRET   (or ./var/secret) to mint the partners' and mentors' own
#                       tokens: they do their own work (mentoring, not consulting)
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
if [[ -z ${TANDEM_ADMIN_TOKEN:-} ]]; then
        secret=${TANDEM_JWT_SECRET:-$(cat "$TANDEM_ROOT/var/secret" 2>/dev/null || true)}
        [[ -n $secret ]] || die "set TANDEM_ADMIN_TOKEN or TANDEM_JWT_SECRET"
        TANDEM_ADMIN_TOKEN=$(TANDEM_JWT_SECRET=$secret \
                TANDEM_JWT_ISSUER=${TANDEM_JWT_ISSUER:-tandem-local} \
                TANDEM_JWT_AUDIENCE=${TANDEM_JWT_AUDIENCE:-tandem} \
                "$BUILD_DIR/bin/tandem-token" --sub demo-admin --roles admin \
                --email ada.admin@example.com --ttl 600)
fi

BODY_FILE=$(mktemp /tmp/tandem-demo.XXXXXX)
trap 'rm -f "$BODY_FILE"' EXIT

# api METHOD PATH [JSON [IDEMPOTENCY-KEY]]: sets STATUS and BODY.  As the admin,
# or as whoever AS_TOKEN holds.
api() {
        local method=$1 path=$2 data=${3:-} key=${4:-}
        local -a args=(-s -o "$BODY_FILE" -w '%{http_code}' --max-time 10 -X "$method"
                -H "Authorization: Bearer ${AS_TOKEN:-$TANDEM_ADMIN_TOKEN}"
                -H "X-Request-Id: demo-data-$RANDOM")
        [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
        [[ -n $key ]] && args+=(-H "Idempotency-Key: $key")
        STATUS=$(curl "${args[@]}" "$API$path") || STATUS=000
        BODY=$(<"$BODY_FILE")
}

PEOPLE_LOADED=0
api GET /v1/me
case $STATUS in
200) PEOPLE_LOADED=1 ;;
404) ;;
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
        jq -er --arg e "$1" '.items[] | select((.email // "" | ascii_downcase) == ($e | ascii_downcase)) | .id' <<<"$BODY" | head -n1
}

load_people() {
        # People in order; just before the demo admin (the completion marker), the
        # pairings, which need the mentors and partners only.
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

# shellcheck source=deploy/local/demo-phases.sh
source deploy/local/demo-phases.sh
