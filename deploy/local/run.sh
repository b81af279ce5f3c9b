#!/usr/bin/env bash
# deploy/local/run.sh (make run): the whole suite on this machine, in the
# foreground.  Ctrl-C (or SIGTERM) stops everything it started.
#
#   ./var/pg       PostgreSQL cluster (kept between runs) unless TANDEM_DATABASE_URL is set
#                  (TANDEM_PG_DIR moves it; when user postgres cannot reach ./var, as
#                  in a clone under /root, it lives in /var/lib/tandem/<hash>/pg)
#   ./var/secret   the HS256 secret (made once) unless TANDEM_JWT_SECRET is set
#   ./var/run      pids, the gateway's config and temp dirs (make stop reads it)
#   ./var/log      one log per service, gateway-access.log, gateway-error.log, postgres.log,
#                  local-op.log
#   web/dist       the web app (make web), served by the gateway at /
#
# Sign-in: a local OpenID provider (web/dev/local-op.mjs, TANDEM_OP_PORT, default
# 8089) whose accounts are the demo people; the services verify its RS256 tokens
# through its discovery document and JWKS, and the web app signs in there with
# authorization code + PKCE.  TANDEM_LOCAL_OP=off (or no web/node_modules) falls
# back to HS256 tokens from ./var/secret; the web app then cannot sign in.
#
# Ports: gateway TANDEM_GATEWAY_PORT (8080), each service TANDEM_PORT_<NAME>
# (people 8081, ...), PostgreSQL 5432; a default port that is taken is replaced
# by a free one, an explicitly set one is not.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

# name:default port, from services.txt (a new service is one line there, and
# its upstream and routes in deploy/nginx/tandem.conf.template)
mapfile -t SERVICES < <(awk '!/^#/ && NF { print $1 ":" $2 }' services.txt)

VAR=$TANDEM_ROOT/var
export TANDEM_RUNDIR=$VAR/run
LOGDIR=$VAR/log
ISSUER=tandem-local
AUDIENCE=tandem
MAX_BODY=${TANDEM_MAX_BODY_BYTES:-65536}
TOKEN_BIN=$BUILD_DIR/bin/tandem-token

# ---- a previous run? -------------------------------------------------------------------
for f in "$TANDEM_RUNDIR"/pids/*.pid; do
        [[ -e $f ]] || continue
        pid=$(head -n1 "$f")
        if is_running "$pid" && pid_matches "$pid" "$(sed -n 2p "$f")"; then
                die "Tandem is already running ($(basename "$f" .pid), pid $pid): make stop first"
        fi
done
# leftovers of a run that was killed: stop them, start clean
stop_all "$TANDEM_RUNDIR" >/dev/null 2>&1 || true
mkdir -p "$TANDEM_RUNDIR/pids" "$LOGDIR"
chmod 755 "$VAR"

STOPPING=0
cleanup() {
        local rc=$?
        ((STOPPING)) && return 0
        STOPPING=1
        trap - EXIT INT TERM
        echo
        echo "stopping Tandem..."
        stop_all "$TANDEM_RUNDIR" || true
        echo "stopped."
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# port_for NAME VAR DEFAULT: the port in $VAR if set (must be free), else DEFAULT
# or, when that is taken, a free one.
port_for() {
        local name=$1 var=$2 def=$3 p
        if [[ -n ${!var:-} ]]; then
                p=${!var}
                port_in_use "$p" && die "$var=$p: that port is in use"
        else
                p=$(pick_port "$def")
                [[ $p != "$def" ]] && warn "$name: port $def is taken, using $p (set $var to choose)"
        fi
        echo "$p"
}

# ---- database ------------------------------------------------------------------------------
if [[ -n ${TANDEM_DATABASE_URL:-} ]]; then
        DB_URL=$TANDEM_DATABASE_URL
        step "database: TANDEM_DATABASE_URL (not managed here)"
else
        step "database: PostgreSQL cluster in var/pg"
        pg_dir=${TANDEM_PG_DIR:-$VAR/pg}
        # a clone in root's home (/root is 0700): user postgres cannot reach
        # ./var, so the cluster goes where it can, one per clone
        if [[ -z ${TANDEM_PG_DIR:-} && $(id -u) == 0 ]] && ! as_pg test -x "$VAR"; then
                pg_dir=/var/lib/tandem/$(printf '%s' "$TANDEM_ROOT" | sha256sum | cut -c1-12)/pg
                mkdir -p "$(dirname "$pg_dir")"
                info "user postgres cannot reach $VAR: the cluster lives in $pg_dir"
        fi
        # keep the port of an existing cluster when it is free, for stable URLs
        old_port=$(pg_port "$pg_dir" || true)
        if [[ -n $old_port ]] && ! port_in_use "$old_port"; then
                pg_port_=$old_port
        else
                pg_port_=$(port_for postgres TANDEM_PG_PORT 5432)
        fi
        pg_start "$pg_dir" "$pg_port_"
        ln -sfn "$pg_dir/postgres.log" "$LOGDIR/postgres.log"
        DB_URL=$(pg_url "$pg_dir")
        info "127.0.0.1:$pg_port_ (psql $(pg_tcp_url "$pg_port_"))"
fi

# ---- the JWT secret ------------------------------------------------------------------------
if [[ -n ${TANDEM_JWT_SECRET:-} ]]; then
        SECRET=$TANDEM_JWT_SECRET
else
        if [[ ! -s $VAR/secret ]]; then
                (
                        umask 077
                        rand_hex 48 >"$VAR/secret"
                )
        fi
        chmod 600 "$VAR/secret"
        SECRET=$(<"$VAR/secret")
fi

# ---- the local OpenID provider (the demo people's sign-in) ------------------------------
GW_PORT=$(port_for gateway TANDEM_GATEWAY_PORT 8080)
auth_env=(TANDEM_JWT_SECRET="$SECRET" TANDEM_JWT_ISSUER="$ISSUER")
OP=""
if [[ ${TANDEM_LOCAL_OP:-on} != off && -f web/node_modules/oidc-provider/package.json ]]; then
        op_port=$(port_for local-op TANDEM_OP_PORT 8089)
        step "local OpenID provider on 127.0.0.1:$op_port (the demo people; this machine only)"
        # the services' own client there, for calls on their own behalf (notify
        # follows every feed; services follow people's access feed)
        services_secret=$(rand_hex 24)
        TANDEM_LOCAL_OP_SERVICES_SECRET=$services_secret \
                node web/dev/local-op.mjs --port "$op_port" --audience "$AUDIENCE" --local-mint \
                --redirect "http://127.0.0.1:$GW_PORT/" --redirect "http://localhost:$GW_PORT/" \
                >>"$LOGDIR/local-op.log" 2>&1 </dev/null &
        printf '%s\n%s\n' "$!" local-op.mjs >"$TANDEM_RUNDIR/pids/local-op.pid"
        if wait_http "http://127.0.0.1:$op_port/.well-known/openid-configuration" 20 "$!"; then
                OP=http://127.0.0.1:$op_port
                auth_env=(TANDEM_JWT_ALG=RS256 TANDEM_OIDC_ISSUER="$OP"
                        TANDEM_OIDC_CLIENT_ID=tandem-services TANDEM_OIDC_CLIENT_SECRET="$services_secret")
                export TANDEM_MINT_URL=$OP/local/token
                export TANDEM_WEB_OIDC_ISSUER=$OP TANDEM_WEB_OIDC_RESOURCE=urn:tandem:api
                info "ready (log var/log/local-op.log)"
        else
                warn "the local OpenID provider did not start (var/log/local-op.log): HS256 tokens;" \
                        "the web app cannot sign in"
        fi
fi

# ---- services --------------------------------------------------------------------------------
declare -A PORT=()
for entry in "${SERVICES[@]}"; do
        name=${entry%%:*}
        PORT[$name]=$(port_for "$name" "TANDEM_PORT_${name^^}" "${entry##*:}")
done
# every service learns every other service's URL
peer_env=()
for name in "${!PORT[@]}"; do
        peer_env+=("TANDEM_${name^^}_URL=http://127.0.0.1:${PORT[$name]}")
done
for entry in "${SERVICES[@]}"; do
        name=${entry%%:*}
        step "service $name on 127.0.0.1:${PORT[$name]}"
        : >>"$LOGDIR/$name.log"
        start_service "$name" "${PORT[$name]}" "$LOGDIR/$name.log" \
                TANDEM_DATABASE_URL="$DB_URL" \
                "${auth_env[@]}" \
                TANDEM_JWT_AUDIENCE="$AUDIENCE" \
                TANDEM_MAX_BODY_BYTES="$MAX_BODY" \
                TANDEM_LOG_LEVEL="${TANDEM_LOG_LEVEL:-info}" \
                TANDEM_NUDGE_INTERVAL_MS="${TANDEM_NUDGE_INTERVAL_MS:-10000}" \
                "${peer_env[@]}"
        if ! wait_http "http://127.0.0.1:${PORT[$name]}/readyz" 30 "$STARTED_PID"; then
                tail -n 20 "$LOGDIR/$name.log" >&2
                die "$name did not become ready (log: var/log/$name.log)"
        fi
        info "ready (pid $STARTED_PID, log var/log/$name.log)"
done

# ---- gateway -------------------------------------------------------------------------------
step "gateway (nginx) on 127.0.0.1:$GW_PORT"
[[ -f web/dist/index.html ]] || warn "web/dist is not built (make web): / answers 404"
upstreams=()
for name in "${!PORT[@]}"; do
        upstreams+=("$name=127.0.0.1:${PORT[$name]}")
done
render_nginx_conf "$TANDEM_RUNDIR/gateway" "$GW_PORT" "$MAX_BODY" "$LOGDIR" "${upstreams[@]}"
nginx_start "$TANDEM_RUNDIR/gateway" || die "nginx did not start (see var/log/gateway-error.log)"
wait_http "http://127.0.0.1:$GW_PORT/healthz" 10 || die "the gateway does not answer"
GW=http://127.0.0.1:$GW_PORT

# ---- demo data -----------------------------------------------------------------------------
mint() { # mint SUB ROLES EMAIL
        local_mint "$1" "$2" "$3" 86400 && return 0
        TANDEM_JWT_SECRET=$SECRET TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE \
                "$TOKEN_BIN" --sub "$1" --roles "$2" --email "$3" --ttl 86400
}
[[ -x $TOKEN_BIN ]] || die "$TOKEN_BIN is missing (make all)"
ADMIN_TOKEN=$(mint demo-admin admin ada.admin@example.com)
step "demo data"
demo_db=""
[[ -z ${TANDEM_DATABASE_URL:-} ]] && demo_db=$DB_URL # only a cluster this script manages
TANDEM_API_URL=$GW TANDEM_ADMIN_TOKEN=$ADMIN_TOKEN TANDEM_JWT_SECRET=$SECRET \
        TANDEM_JWT_ISSUER=$ISSUER TANDEM_JWT_AUDIENCE=$AUDIENCE TANDEM_DEMO_DATABASE_URL=$demo_db \
        bash deploy/local/demo-data.sh ||
        warn "demo data did not load completely (the suite keeps running)"
TANDEM_DEMO_DATABASE_URL=$demo_db bash deploy/local/demo-notify.sh ||
        warn "notify's read model was not lined up with the demo's journeys"

# items_within TRIES PATH: the items on the first page of GET PATH (as the admin),
# asked every 0.2 s until there are some or TRIES asks have been made
items_within() {
        local n=0 _
        for _ in $(seq 1 "$1"); do
                n=$(curl -s --max-time 5 -H "Authorization: Bearer $ADMIN_TOKEN" "$GW$2" |
                        jq '.items | length' 2>/dev/null) || n=0
                ((n > 0)) && break
                sleep 0.2
        done
        echo "$n"
}

# summary TITLE TRIES PATH FOUND LINE IF_NONE NONE: a step TITLE that asks for GET
# PATH's first page (items_within TRIES; PATH with its ?limit=) and says "N FOUND; a
# few:" with the first five items, each printed by the jq string LINE, or, when there
# are none, prints NONE with IF_NONE (warn or info)
summary() {
        local n
        step "$1"
        n=$(items_within "$2" "$3")
        if ((n > 0)); then
                info "$n $4; a few:"
                curl -s --max-time 5 -H "Authorization: Bearer $ADMIN_TOKEN" "$GW${3%%\?*}?limit=5" |
                        jq -r ".items[] | \"      $5\"" || true
        else
                "$6" "$7"
        fi
}

# notify follows every service's feed: the demo's changes show in the audit log
summary "audit log (notify)" 50 "/v1/audit?limit=500" \
        "of the demo's changes on the audit log's first page" \
        '\(.time)  \(.service)  \(.type)  by \(.actor)' \
        warn "the audit log is still empty (see var/log/notify.log)"

# the demo's stalled partners are nudged (notify looks every 10 s in make run); with
# no TANDEM_SMTP_URL each e-mail is logged as "would be e-mailed", never its text
summary "nudges (notify)" 75 "/v1/nudges?limit=50" "nudge step(s) for the demo's stalled partners" \
        '\(.step) about \(.partner_id): \(.status) (\(.outcome // "due"))' \
        info "no nudge yet (notify looks every 10 s; see var/log/notify.log)"

MENTOR_TOKEN=$(mint demo-mentor-1 mentor mona.mentor@example.com)
PARTNER_TOKEN=$(mint demo-partner-1 partner paula.placeholder@example.com)
COMMS_TOKEN=$(mint demo-comms comms cora.comms@example.com)
VIEWER_TOKEN=$(mint demo-viewer viewer vic.viewer@example.com)

web_line="Web app: $GW/   (sign in: the LOCAL provider, one click per demo person)"
[[ -n $OP ]] || web_line="Web app: $GW/   (no sign-in: the local OpenID provider is off)"
cat <<EOF

$web_line

Tandem is running.  Gateway: $GW   (Ctrl-C stops everything)
Logs: var/log/   Tokens below are valid for 24 hours.

  # as the programme admin (Ada Admin)
  curl -s -H 'Authorization: Bearer $ADMIN_TOKEN' $GW/v1/people?limit=5 | jq .

  # the audit log: every change in every service (admin), as JSON or CSV; the suite's feed
  curl -s -H 'Authorization: Bearer $ADMIN_TOKEN' '$GW/v1/audit?service=mentoring&limit=5' | jq .
  curl -s -H 'Authorization: Bearer $ADMIN_TOKEN' -H 'Accept: text/csv' $GW/v1/audit | head
  curl -s -H 'Authorization: Bearer $ADMIN_TOKEN' '$GW/v1/events?limit=5' | jq .

  # nudges on a stall: the rules, and the delivery log (e-mail is logged unless TANDEM_SMTP_URL is set)
  curl -s -H 'Authorization: Bearer $ADMIN_TOKEN' $GW/v1/nudge-rules | jq .
  curl -s -H 'Authorization: Bearer $ADMIN_TOKEN' '$GW/v1/nudges?limit=5' | jq .

  # as a mentor (Mona Mentor)
  curl -s -H 'Authorization: Bearer $MENTOR_TOKEN' $GW/v1/me | jq .
  # what needs them now (the attention list; as admin: the whole programme)
  curl -s -H 'Authorization: Bearer $MENTOR_TOKEN' $GW/v1/attention | jq .

  # as a partner (Paula Placeholder): her pairing, her journey, what she still needs to move on
  curl -s -H 'Authorization: Bearer $PARTNER_TOKEN' $GW/v1/pairings | jq .
  curl -s -H 'Authorization: Bearer $PARTNER_TOKEN' $GW/v1/enrolments | jq '.items[] | {current_phase, pace, phases: [.phases[] | {key, status, target_date, pace}]}'
  curl -s -H 'Authorization: Bearer $PARTNER_TOKEN' $GW/v1/playbooks | jq .
  curl -s -H 'Authorization: Bearer $PARTNER_TOKEN' -X POST $GW/v1/enrolments/\$(curl -s -H 'Authorization: Bearer $PARTNER_TOKEN' $GW/v1/enrolments | jq -r '.items[0].id')/advance | jq .

  # as a viewer (Vic Viewer): the dashboard's aggregates
  curl -s -H 'Authorization: Bearer $VIEWER_TOKEN' $GW/v1/stats/phases | jq .

  # as comms (Cora Comms): integrations waiting for review, and pillar coverage
  curl -s -H 'Authorization: Bearer $COMMS_TOKEN' '$GW/v1/integrations?status=pending_review' | jq .
  curl -s -H 'Authorization: Bearer $COMMS_TOKEN' $GW/v1/business-strategy/coverage | jq .

  # mentoring: Paula's checklist with its regularity, as her mentor; her sessions
  curl -s -H 'Authorization: Bearer $MENTOR_TOKEN' "$GW/v1/checklists/\$(curl -s -H 'Authorization: Bearer $PARTNER_TOKEN' $GW/v1/me | jq -r .id)" | jq .
  curl -s -H 'Authorization: Bearer $PARTNER_TOKEN' "$GW/v1/sessions?limit=5" | jq .
  # the evidence the phases service reads, and the statistics
  curl -s -H 'Authorization: Bearer $ADMIN_TOKEN' "$GW/v1/stats/mentoring" | jq .

EOF

# ---- wait in the foreground ---------------------------------------------------------------
while :; do
        for name in "${!PORT[@]}"; do
                f=$TANDEM_RUNDIR/pids/$name.pid
                if [[ ! -f $f ]]; then
                        echo "$name was stopped (make stop?)"
                        exit 0
                fi
                pid=$(head -n1 "$f")
                if ! is_running "$pid"; then
                        rc=0
                        wait "$pid" 2>/dev/null || rc=$?
                        rm -f "$f"
                        tail -n 20 "$LOGDIR/$name.log" >&2 || true
                        die "$name exited (status $rc); stopping the rest"
                fi
        done
        # sleep in the background so a signal is handled at once
        sleep 2 &
        wait $! || true
done
