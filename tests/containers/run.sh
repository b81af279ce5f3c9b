#!/usr/bin/env bash
# tests/containers/run.sh (make test-containers): the images, docker-compose.yml
# and the Kubernetes manifests, tested for real on this machine.
#
#   (a) static     the service lists agree (Makefile, docker-compose.yml,
#                  deploy/k8s); docker-compose config; deploy/k8s is what
#                  render.sh makes and passes the Kubernetes schemas and the
#                  deployment rules (tests/containers/k8s-validate.mjs)
#   (b) engine     a Docker engine of the test's own: its own data root, exec
#                  root and socket in a temp dir, no bridge, no iptables
#   (c) base       debian:bookworm and debian:bookworm-slim from a debootstrap
#                  (cached in build/containers/), and postgres:15 built on them
#   (d) images     every service image and the gateway, from the Dockerfile;
#                  their user, health check, size, and no compiler inside
#   (e) migrations two replicas of each service started together against an
#                  empty database while the test holds the migration lock: both
#                  seen waiting on it, then both ready, each migration once
#   (f) compose    docker-compose.yml with a host-network override on free
#                  loopback ports: every container healthy, every service's
#                  /readyz, then through the gateway: every service answers,
#                  401 without a token, a token accepted, a write and a read;
#                  read-only root, non-root
#   (g) shutdown   SIGTERM (docker stop) to a service under load, with writes
#                  held half-sent across the signal: they are answered, no 5xx,
#                  nothing written without an answer, exit status 0; then every
#                  container of the stack exits 0 on docker-compose stop
#   (h) bare       a bare Debian 12 container (the debootstrap of (c)), as root:
#                  the README's install line for git and make, a clone of HEAD,
#                  make run (must answer through the gateway with the printed
#                  token on the printed URL), then make test (a subset)
# Everything it starts is stopped and removed on exit, failure or signal.  Ends
# with "N passed, N failed"; exits non-zero on any failure, and when the engine
# cannot start.
#
# Environment: TANDEM_DEBIAN_MIRROR, TANDEM_DEBIAN_SECURITY_MIRROR (the mirror
# the base images and their apt use; default: the one this machine's own apt
# sources name), TANDEM_BUILD_TIMEOUT (s, per image, 900), TANDEM_SHUTDOWN_CONNS
# (16), TANDEM_IMAGE_MAX_MB (40), TANDEM_BARE_TIMEOUT (s for make run on the
# bare machine, 900), TANDEM_BARE_TEST_ONLY and TANDEM_BARE_TEST_FILES (the
# make test subset there).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh
# shellcheck source=tests/containers/lib.sh
source tests/containers/lib.sh

T_START=$SECONDS
CACHE=$TANDEM_ROOT/build/containers
BUILD_TIMEOUT=${TANDEM_BUILD_TIMEOUT:-900}
CONNS=${TANDEM_SHUTDOWN_CONNS:-16}
PROJECT=tandemtest
KEEP_LOGS=$TANDEM_ROOT/build/test-logs/containers

PASSED=0
FAILED=0
RESULTS=()
COMPLETED=0
record() { # record NAME OK(1|0) [NOTE]
        if (($2)); then
                PASSED=$((PASSED + 1))
                RESULTS+=("$(printf 'ok    %-44s %s' "$1" "${3:-}")")
        else
                FAILED=$((FAILED + 1))
                RESULTS+=("$(printf 'FAIL  %-44s %s' "$1" "${3:-}")")
                info "FAIL: $1${3:+ ($3)}"
        fi
}
tstep() { step "$* [at $((SECONDS - T_START)) s]"; }
check() { # check NAME CMD...: records whether CMD succeeds
        local name=$1
        shift
        if "$@"; then record "$name" 1; else record "$name" 0; fi
}

# Leftovers of a run that was killed outright (its lock is free): stopped and
# removed.  A run in progress holds its lock, so two runs can go side by side.
for d in /tmp/tandem-ct.*; do
        [[ -d $d && -f $d/lock ]] || continue
        if flock -n "$d/lock" true; then
                warn "removing the leftovers of an earlier run in $d"
                ENGINE_DIR=$d/e
                ENGINE_PID=$(cat "$d/e/dockerd.pid" 2>/dev/null || true)
                pid_matches "${ENGINE_PID:-0}" "$d/e/" 2>/dev/null || ENGINE_PID=""
                engine_stop
                rm -rf "$d"
        fi
done
TANDEM_RUNDIR=$(mktemp -d /tmp/tandem-ct.XXXXXX)   # short: containerd sockets live below it
export TANDEM_RUNDIR
exec 9>"$TANDEM_RUNDIR/lock"
flock -n 9
LOGDIR=$TANDEM_RUNDIR/logs
mkdir -p "$LOGDIR"
SECRET=$(rand_hex 32)
export TANDEM_JWT_SECRET=$SECRET
COMPOSE=(docker-compose -p "$PROJECT" -f docker-compose.yml -f "$TANDEM_RUNDIR/compose.test.yml")
LOAD_PID=""

cleanup() {
        local rc=$? f
        trap - EXIT INT TERM
        [[ -n $LOAD_PID ]] && kill -TERM "$LOAD_PID" 2>/dev/null || true
        if [[ -n $ENGINE_DIR ]]; then
                if ((rc != 0 || FAILED > 0)); then
                        # the containers' logs, before they go
                        for f in $(dk ps -aq 2>/dev/null); do
                                dk logs --tail 200 "$f" >"$LOGDIR/container-$(dk inspect -f '{{.Name}}' "$f" | tr -d /).log" 2>&1 || true
                        done
                fi
                [[ -f $TANDEM_RUNDIR/compose.test.yml ]] &&
                        "${COMPOSE[@]}" down -v --remove-orphans -t 20 >/dev/null 2>&1 || true
                engine_stop
                info "engine stopped, its data root removed"
        fi
        if ((!COMPLETED)); then
                record "run.sh completed" 0 "stopped early (status $rc)"
        fi
        if ((rc != 0 || FAILED > 0)); then
                rm -rf "$KEEP_LOGS"
                mkdir -p "$KEEP_LOGS"
                cp -r "$LOGDIR"/. "$KEEP_LOGS"/ 2>/dev/null || true
                printf '\nlogs kept in %s\n' "$KEEP_LOGS"
                ((rc != 0)) || rc=1
        fi
        rm -rf "$TANDEM_RUNDIR"
        step "summary ($((SECONDS - T_START)) s)"
        for f in "${RESULTS[@]}"; do info "$f"; done
        echo "$PASSED passed, $FAILED failed"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- (a) static checks ----------------------------------------------------------
SERVICES=()
stage_static() {
        local make_list compose_list k8s_list
        tstep "(a) static: service lists, docker-compose config, Kubernetes manifests"
        make_list=$(make -s --no-print-directory print-services | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ')
        compose_list=$(docker-compose -f docker-compose.yml config --services |
                grep -vxE 'postgres|gateway' | sort | tr '\n' ' ')
        k8s_list=$(bash deploy/k8s/render.sh --list | sort | tr '\n' ' ')
        info "Makefile: $make_list  compose: $compose_list  k8s: $k8s_list"
        if [[ $make_list == "$compose_list" && $make_list == "$k8s_list" ]]; then
                record "the service lists agree" 1 "$make_list"
        else
                record "the service lists agree" 0 "Makefile: $make_list; compose: $compose_list; k8s: $k8s_list"
        fi
        read -r -a SERVICES <<<"$make_list"

        check "docker-compose config (docker-compose.yml)" \
                docker-compose -f docker-compose.yml config -q
        if (unset TANDEM_JWT_SECRET; docker-compose -f docker-compose.yml config -q) >/dev/null 2>&1; then
                record "compose refuses to run without TANDEM_JWT_SECRET" 0
        else
                record "compose refuses to run without TANDEM_JWT_SECRET" 1
        fi
        check "deploy/k8s is what render.sh makes" bash deploy/k8s/render.sh --check
        if [[ ! -d tests/node_modules/kubernetes-models ]]; then
                record "Kubernetes manifests valid" 0 "tests/node_modules/kubernetes-models missing (make deps)"
        elif node tests/containers/k8s-validate.mjs deploy/k8s >"$LOGDIR/k8s-validate.log" 2>&1; then
                sed 's/^/    /' "$LOGDIR/k8s-validate.log"
                record "Kubernetes manifests valid" 1
        else
                sed 's/^/    /' "$LOGDIR/k8s-validate.log"
                record "Kubernetes manifests valid" 0
        fi
}

# ---- (b) engine ---------------------------------------------------------------------
stage_engine() {
        tstep "(b) Docker engine: own data root and socket, --bridge=none --iptables=false"
        if ! engine_start "$TANDEM_RUNDIR/e"; then
                echo "error: the Docker engine could not start on this machine (log above," \
                        "dockerd $DOCKERD_BIN); nothing in make test-containers can run" >&2
                record "Docker engine starts" 0 "dockerd did not answer"
                return 1
        fi
        record "Docker engine starts" 1 "$(dk version -f 'server {{.Server.Version}}'), networks: $(dk network ls --format '{{.Name}}' | tr '\n' ' ')"
}

# ---- (c) base images ----------------------------------------------------------------
stage_base() {
        local t0=$SECONDS
        tstep "(c) base images debian:bookworm, debian:bookworm-slim, postgres:15"
        base_tarballs_locked "$CACHE"
        base_import "$CACHE"
        record "base images imported" 1 "$((SECONDS - t0)) s"
}

# build NAME LOG ARGS...: docker build (classic builder, host network for apt).
# The machine's own CAs go along (TANDEM_EXTRA_CA_CERTS, for npm in the web
# stage), as with the bare machine of (h): behind a TLS-inspecting proxy npm
# fails SELF_SIGNED_CERT_IN_CHAIN without them.  Every image gets the same
# argument: the classic builder builds the web stage for each (cached once).
build() {
        local name=$1 log=$2 t0=$SECONDS cas=""
        shift 2
        if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
                cas=$(cat /usr/local/share/ca-certificates/*.crt)
        fi
        if DOCKER_BUILDKIT=0 timeout "$BUILD_TIMEOUT" "$DOCKER_BIN" build --network host \
                --build-arg TANDEM_EXTRA_CA_CERTS="$cas" "$@" \
                >"$log" 2>&1 </dev/null; then
                info "$name built in $((SECONDS - t0)) s"
                return 0
        fi
        tail -n 30 "$log" | sed 's/^/      /'
        return 1
}

# ---- (d) images -------------------------------------------------------------------------
stage_images() {
        local pg_pid name port ok=1 t0=$SECONDS
        tstep "(d) images"
        # PostgreSQL (downloads) beside the build stage (compiles); the stand-in is
        # test equipment, not a product image, so it is kept between runs
        postgres_image &
        pg_pid=$!
        for name in "${SERVICES[@]}"; do
                port=$(compose_port "$name")
                if build "tandem/$name" "$LOGDIR/build-$name.log" -t "tandem/$name:latest" \
                        --build-arg SERVICE="$name" --build-arg PORT="$port" .; then
                        record "image tandem/$name" 1
                else
                        record "image tandem/$name" 0 "log: build-$name.log"
                        ok=0
                fi
        done
        if build tandem/gateway "$LOGDIR/build-gateway.log" -t tandem/gateway:latest --target gateway .; then
                record "image tandem/gateway" 1
        else
                record "image tandem/gateway" 0 "log: build-gateway.log"
                ok=0
        fi
        if wait "$pg_pid"; then
                record "image postgres:15 (stand-in)" 1
        else
                record "image postgres:15 (stand-in)" 0 "log: build-postgres.log"
                ok=0
        fi
        info "all images in $((SECONDS - t0)) s"
        dk images --filter dangling=false --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | sort | sed 's/^/    /' | tee "$LOGDIR/image-sizes.txt"
        ((ok)) || return 1
        for name in "${SERVICES[@]}" gateway; do
                image_checks "tandem/$name:latest"
        done
}

# postgres_image: the stand-in postgres:15, loaded from build/containers when
# it was built there from the same files and base images, else built and saved.
postgres_image() {
        local stamp
        stamp=$(cat tests/containers/postgres/* "$CACHE/base.stamp" | sha256sum | cut -c1-16)
        if [[ -s $CACHE/postgres-15.tar && $(cat "$CACHE/postgres-15.stamp" 2>/dev/null) == "$stamp" ]]; then
                dk load -q -i "$CACHE/postgres-15.tar" >"$LOGDIR/build-postgres.log" 2>&1 &&
                        info "postgres:15 loaded from ${CACHE#"$TANDEM_ROOT"/}" && return 0
        fi
        build postgres:15 "$LOGDIR/build-postgres.log" -t postgres:15 tests/containers/postgres || return 1
        dk save -o "$CACHE/postgres-15.tar.$$" postgres:15 &&
                mv "$CACHE/postgres-15.tar.$$" "$CACHE/postgres-15.tar" &&
                echo "$stamp" >"$CACHE/postgres-15.stamp"
}

# The port a service listens on in docker-compose.yml (its PORT build argument).
# (The config is read whole first: awk exiting at the match closed the pipe
# under docker-compose, whose SIGPIPE, 141 under pipefail and set -e, ended
# run.sh at random on a first run, killing the postgres:15 build mid apt-get.)
compose_port() {
        local config
        config=$(docker-compose -f docker-compose.yml config) || return 1
        awk -v s="  $1:" '
                $0 == s { inside = 1; next }
                inside && /^  [a-z]/ { exit }
                inside && $1 == "PORT:" { gsub(/\047/, "", $2); print $2; exit }' <<<"$config"
}

# Service images hold their binary and the shared libraries it loads, nothing
# more: each must stay under this size (the gateway carries nginx on
# debian:bookworm-slim and is only reported).
IMAGE_MAX_MB=${TANDEM_IMAGE_MAX_MB:-40}
image_checks() {
        local img=$1 user hc files bytes mb bad
        user=$(dk image inspect -f '{{.Config.User}}' "$img")
        hc=$(dk image inspect -f '{{if .Config.Healthcheck}}{{join .Config.Healthcheck.Test " "}}{{end}}' "$img")
        if [[ $user == 10001:10001 ]]; then record "$img runs as 10001" 1; else record "$img runs as 10001" 0 "user '$user'"; fi
        if [[ $hc == *healthz* ]]; then record "$img HEALTHCHECK /healthz" 1 "$hc"; else record "$img HEALTHCHECK /healthz" 0 "'$hc'"; fi
        # the image's files, read from an export (a service image has no shell to ask)
        dk create --name tandemtest-files "$img" >/dev/null
        files=$(dk export tandemtest-files | tar -t) || files=""
        dk rm -f tandemtest-files >/dev/null
        # a compiler, or the C library's headers (libc6-dev puts them at the top of
        # usr/include; a runtime package's own header in a subfolder, such as
        # iproute2's usr/include/iproute2/bpf_elf.h in the gateway, is no toolchain)
        bad=$(grep -E '^(usr/)?s?bin/(gcc|cc|make|c\+\+)(-[0-9.]+)?$|^usr/include/[^/]+\.h$' <<<"$files" | sed -n 1,3p) || bad=""
        if [[ -n $files && -z $bad ]]; then
                record "$img has no compiler or headers" 1 "$(wc -l <<<"$files") files"
        elif [[ -z $files ]]; then
                record "$img has no compiler or headers" 0 "no file list"
        else
                record "$img has no compiler or headers" 0 "found: ${bad//$'\n'/ }"
        fi
        bytes=$(dk image inspect -f '{{.Size}}' "$img")
        mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1000000 }')
        if [[ $img == tandem/gateway:* ]]; then
                record "$img size" 1 "$mb MB (reported only)"
        elif ((bytes < IMAGE_MAX_MB * 1000000)); then
                record "$img under $IMAGE_MAX_MB MB" 1 "$mb MB"
        else
                record "$img under $IMAGE_MAX_MB MB" 0 "$mb MB"
        fi
}

# ---- (e) migrations: two replicas at once ------------------------------------------------
psql_in() { # psql_in CONTAINER SQL
        dk exec "$1" psql -X -q -U tandem -d tandem -tAc "$2"
}

# advisory_locks PG: "granted waiting" counts of advisory locks in PG.
advisory_locks() {
        psql_in "$1" "SELECT count(*) FILTER (WHERE granted) || ' ' || count(*) FILTER (WHERE NOT granted)
                      FROM pg_locks WHERE locktype = 'advisory'" 2>/dev/null || echo "? ?"
}

# The two replicas must meet at the migration lock, not merely start close
# together: the test holds the lock the services take (shared/migrate.c:
# pg_advisory_lock(hashtext('tandem.migrate.<schema>'))) while both start, sees
# both waiting on it in pg_locks, then lets go.
stage_migrations() {
        local name pg=tandemtest-race-pg pg_port port_a port_b a b pa gate rows want logs gap locks
        local deadline
        tstep "(e) migrations: two replicas against an empty database at the same moment"
        pg_port=$(free_port)
        if ! dk run -d --name "$pg" --network host -e POSTGRES_USER=tandem -e POSTGRES_DB=tandem \
                -e POSTGRES_PASSWORD=tandem -e PGPORT="$pg_port" \
                postgres:15 postgres -c listen_addresses=127.0.0.1 -c fsync=off >/dev/null ||
                ! wait_pg "$pg"; then
                record "migrations: PostgreSQL container" 0
                dk logs "$pg" 2>&1 | tail -n 20
                return 0
        fi
        for name in "${SERVICES[@]}"; do
                port_a=$(free_port)
                port_b=$(free_port)
                a=tandemtest-race-$name-a
                b=tandemtest-race-$name-b
                for c in "$a:$port_a" "$b:$port_b"; do
                        dk create --name "${c%%:*}" --network host --read-only --tmpfs /tmp \
                                -e TANDEM_LISTEN_ADDR=127.0.0.1 -e TANDEM_PORT="${c##*:}" \
                                -e TANDEM_DATABASE_URL="postgresql://tandem:tandem@127.0.0.1:$pg_port/tandem" \
                                -e TANDEM_JWT_SECRET="$SECRET" "tandem/$name:latest" >/dev/null
                done
                dk exec "$pg" psql -X -q -U tandem -d tandem \
                        -c "SELECT pg_advisory_lock(hashtext('tandem.migrate.$name'))" \
                        -c "SELECT pg_sleep(90)" >/dev/null 2>&1 &
                gate=$!
                deadline=$((SECONDS + 30))
                until [[ $(advisory_locks "$pg") == "1 0" ]] || ((SECONDS >= deadline)); do sleep 0.1; done
                dk start "$a" >/dev/null &
                pa=$!
                dk start "$b" >/dev/null &
                wait "$pa" "$!"
                gap=$(started_gap_ms "$a" "$b")
                deadline=$((SECONDS + 30))
                until [[ $(advisory_locks "$pg") == "1 2" ]] || ((SECONDS >= deadline)); do sleep 0.1; done
                locks=$(advisory_locks "$pg")
                if [[ $locks == "1 2" ]]; then
                        record "migrations: both $name replicas wait on the lock" 1 "started ${gap} ms apart"
                else
                        record "migrations: both $name replicas wait on the lock" 0 "advisory locks granted/waiting: $locks"
                fi
                # let go: cancel the gate's pg_sleep; its session ends, the lock with it
                psql_in "$pg" "SELECT pg_cancel_backend(pid) FROM pg_locks
                               WHERE locktype = 'advisory' AND granted" >/dev/null 2>&1 || true
                wait "$gate" || true
                if wait_http "http://127.0.0.1:$port_a/readyz" 60 && wait_http "http://127.0.0.1:$port_b/readyz" 60 &&
                        is_container_running "$a" && is_container_running "$b"; then
                        record "migrations: then both $name replicas ready" 1
                else
                        record "migrations: then both $name replicas ready" 0
                fi
                rows=$(psql_in "$pg" "SELECT count(*) || ' ' || count(DISTINCT version) FROM $name.schema_migrations" 2>&1) || rows="error: $rows"
                want=$(find "services/$name/sql" -name '*.sql' | wc -l)
                if [[ $rows == "$want $want" ]]; then
                        record "migrations: $name each applied once" 1 "$want migration(s)"
                else
                        record "migrations: $name each applied once" 0 "rows, distinct: $rows; want $want"
                fi
                logs=$(dk logs "$a" 2>&1; dk logs "$b" 2>&1)
                printf '%s\n' "$logs" >"$LOGDIR/race-$name.log"
                if grep -qiE '"level":"error"|migrations:|fatal' <<<"$logs"; then
                        record "migrations: $name replicas log no error" 0 "see race-$name.log"
                else
                        record "migrations: $name replicas log no error" 1
                fi
                dk rm -f "$a" "$b" >/dev/null
        done
        dk rm -f -v "$pg" >/dev/null
}

wait_pg() {
        local deadline=$((SECONDS + 60))
        until dk exec "$1" pg_isready -q -U tandem -d tandem 2>/dev/null; do
                ((SECONDS < deadline)) || return 1
                is_container_running "$1" || return 1
                sleep 0.3
        done
}

# started_gap_ms A B: how far apart the two containers' processes started.
started_gap_ms() {
        local ta tb
        ta=$(date -d "$(dk inspect -f '{{.State.StartedAt}}' "$1")" +%s%3N)
        tb=$(date -d "$(dk inspect -f '{{.State.StartedAt}}' "$2")" +%s%3N)
        echo $((ta > tb ? ta - tb : tb - ta))
}

is_container_running() {
        [[ $(dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null) == true ]]
}

# ---- (f) compose ---------------------------------------------------------------------------
declare -A PORT=()
write_override() {
        local f=$TANDEM_RUNDIR/compose.test.yml name peers=""
        PORT[postgres]=$(free_port)
        PORT[gateway]=$(free_port)
        for name in "${SERVICES[@]}"; do
                PORT[$name]=$(free_port)
                peers+="      TANDEM_${name^^}_URL: http://127.0.0.1:${PORT[$name]}"$'\n'
        done
        {
                echo "# written by tests/containers/run.sh: host networking on free loopback ports"
                echo "services:"
                echo "  postgres:"
                echo "    network_mode: host"
                echo "    environment: { PGPORT: \"${PORT[postgres]}\" }"
                echo "    command: [postgres, -c, listen_addresses=127.0.0.1, -c, fsync=off]"
                echo "    healthcheck: { interval: 1s }"
                for name in "${SERVICES[@]}"; do
                        echo "  $name:"
                        echo "    network_mode: host"
                        echo "    healthcheck: { interval: 1s }"
                        echo "    environment:"
                        echo "      TANDEM_LISTEN_ADDR: 127.0.0.1"
                        echo "      TANDEM_PORT: \"${PORT[$name]}\""
                        echo "      TANDEM_DATABASE_URL: postgresql://tandem:tandem@127.0.0.1:${PORT[postgres]}/tandem"
                        printf '%s' "$peers"
                done
                echo "  gateway:"
                echo "    network_mode: host"
                echo "    healthcheck: { interval: 1s }"
                echo "    environment:"
                echo "      TANDEM_LISTEN_ADDR: 127.0.0.1"
                echo "      TANDEM_PORT: \"${PORT[gateway]}\""
                for name in "${SERVICES[@]}"; do
                        echo "      TANDEM_UPSTREAM_${name^^}: 127.0.0.1:${PORT[$name]}"
                done
        } >"$f"
}

# proc_uids ID: the distinct uids of the container's processes (from the
# host's ps: a service image has no shell or id inside).
proc_uids() {
        dk top "$1" -o pid,uid | awk 'NR > 1 { print $2 }' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

container_of() {
        "${COMPOSE[@]}" ps -q "$1"
}

health_of() {
        dk inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1" 2>/dev/null
}

# wait_healthy TIMEOUT NAME...: every compose service NAME reports healthy.
wait_healthy() {
        local timeout=$1 deadline name id h pending
        shift
        deadline=$((SECONDS + timeout))
        while :; do
                pending=""
                for name in "$@"; do
                        id=$(container_of "$name")
                        h=$( [[ -n $id ]] && health_of "$id" || echo missing)
                        [[ $h == healthy ]] || pending+="$name($h) "
                done
                [[ -z $pending ]] && return 0
                if ((SECONDS >= deadline)); then
                        info "not healthy after ${timeout}s: $pending"
                        return 1
                fi
                sleep 0.5
        done
}

# curl_json METHOD URL [TOKEN [BODY]]: sets STATUS and BODY.
curl_json() {
        local -a args=(-s -o "$TANDEM_RUNDIR/body" -w '%{http_code}' --max-time 10 -X "$1")
        [[ -n ${3:-} ]] && args+=(-H "Authorization: Bearer $3")
        [[ -n ${4:-} ]] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
        STATUS=$(curl "${args[@]}" "$2") || STATUS=000
        BODY=$(cat "$TANDEM_RUNDIR/body" 2>/dev/null || true)
}

stage_compose() {
        local gw name id token email bridges t0=$SECONDS
        tstep "(f) docker-compose.yml on host networking (override: compose.test.yml)"
        write_override
        check "docker-compose config (with the test override)" "${COMPOSE[@]}" config -q
        if ! "${COMPOSE[@]}" up -d --no-build >"$LOGDIR/compose-up.log" 2>&1; then
                sed 's/^/    /' "$LOGDIR/compose-up.log" | tail -n 20
                record "compose up" 0
                return 1
        fi
        if ! wait_healthy 120 postgres "${SERVICES[@]}" gateway; then
                record "compose stack healthy" 0
                return 1
        fi
        record "compose stack healthy" 1 "$((SECONDS - t0)) s from up to every health check passing"
        bridges=$(ip -o link show type bridge 2>/dev/null | awk '{print $2}' | tr '\n' ' ') || bridges=""
        if grep -qE 'docker|br-' <<<"$bridges"; then
                record "no bridge interface was made" 0 "$bridges"
        else
                record "no bridge interface was made" 1
        fi

        gw=http://127.0.0.1:${PORT[gateway]}
        for name in "${SERVICES[@]}"; do
                curl_json GET "http://127.0.0.1:${PORT[$name]}/readyz"
                if [[ $STATUS == 200 && $(jq -r .status <<<"$BODY") == ready ]]; then
                        record "$name ready" 1 "$BODY"
                else
                        record "$name ready" 0 "$STATUS $BODY"
                fi
                id=$(container_of "$name")
                check "$name: read-only root filesystem" \
                        test "$(dk inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$id")" = true
                check "$name: runs as a non-root user (uid 10001)" test "$(proc_uids "$id")" = 10001
        done
        curl_json GET "$gw/healthz"
        check "gateway /healthz" test "$STATUS" = 200
        web_app_checks "$gw"
        check "gateway: read-only root filesystem, non-root" test \
                "$(dk inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$(container_of gateway)") $(proc_uids "$(container_of gateway)")" = "true 10001"

        # tokens minted inside the people container: the image carries tandem-token
        token=$(dk exec "$(container_of people)" tandem-token --sub smoke-admin --roles admin \
                --email smoke-admin@example.com --ttl 600) || token=""
        curl_json GET "$gw/v1/people?limit=1"
        check "through the gateway: no token, 401" test "$STATUS" = 401
        curl_json GET "$gw/v1/people?limit=1" "$token"
        if [[ $STATUS == 200 ]]; then record "through the gateway: a token accepted" 1; else record "through the gateway: a token accepted" 0 "$STATUS $BODY"; fi
        email="smoke-$(rand_hex 4)@example.com"
        curl_json POST "$gw/v1/people" "$token" "{\"email\":\"$email\",\"display_name\":\"Smoke Test\",\"roles\":[\"partner\"]}"
        id=$(jq -r '.id // empty' <<<"$BODY" 2>/dev/null || true)
        if [[ $STATUS == 201 && -n $id ]]; then record "through the gateway: a write (POST /v1/people)" 1; else record "through the gateway: a write (POST /v1/people)" 0 "$STATUS $BODY"; fi
        curl_json GET "$gw/v1/people/$id" "$token"
        if [[ $STATUS == 200 && $(jq -r .email <<<"$BODY") == "$email" ]]; then
                record "through the gateway: the read sees it" 1
        else
                record "through the gateway: the read sees it" 0 "$STATUS $BODY"
        fi
        # every service answers through the gateway on its first path prefix
        # (deploy/k8s/render.sh's list): a status of its own, not the gateway's
        # 404 or 502-504
        while read -r name prefix; do
                curl_json GET "$gw$prefix" "$token"
                if [[ $STATUS != 000 && $STATUS != 404 && $STATUS -lt 500 ]]; then
                        record "through the gateway: $name answers $prefix" 1 "$STATUS"
                else
                        record "through the gateway: $name answers $prefix" 0 "$STATUS $BODY"
                fi
        done < <(bash deploy/k8s/render.sh --prefixes)
        curl_json GET "$gw/v1/no-such-route"
        check "through the gateway: unknown route, problem+json 404" \
                test "$STATUS $(jq -r .status <<<"$BODY" 2>/dev/null)" = "404 404"
        TOKEN=$token
}

# web_app_checks GW: the gateway image carries the web app (web/dist, built in
# the Dockerfile's web stage): GET / is its page, as text/html with the CSP,
# and the script the page names loads as JavaScript, gzipped when asked.
web_app_checks() {
        local gw=$1 hdr=$TANDEM_RUNDIR/web.hdr page=$TANDEM_RUNDIR/web.html status ctype csp js
        status=$(curl -s -D "$hdr" -o "$page" -w '%{http_code}' --max-time 10 "$gw/") || status=000
        ctype=$(grep -i '^content-type:' "$hdr" | tr -d '\r' | cut -d' ' -f2-) || ctype=""
        csp=$(grep -i '^content-security-policy:' "$hdr" | tr -d '\r' | cut -d' ' -f2-) || csp=""
        if [[ $status == 200 && $ctype == text/html* && $csp == *"script-src 'self'"* ]] &&
                grep -q '<div id="app"' "$page"; then
                record "gateway: GET / is the web app (text/html, CSP)" 1 "$(wc -c <"$page") bytes"
        else
                record "gateway: GET / is the web app (text/html, CSP)" 0 "status $status, type '$ctype', CSP '$csp'"
        fi
        js=$(grep -oE 'src="/assets/[^"]+\.js"' "$page" | head -n 1 | cut -d'"' -f2) || js=""
        if [[ -z $js ]]; then
                record "gateway: the web app's script loads" 0 "no /assets/*.js in the page"
                return 0
        fi
        status=$(curl -s -D "$hdr" -o /dev/null -w '%{http_code} %{content_type} %{size_download}' \
                -H 'Accept-Encoding: gzip' --max-time 10 "$gw$js") || status=000
        if [[ $status == "200 text/javascript"* ]] && grep -qi '^content-encoding: gzip' "$hdr"; then
                record "gateway: the web app's script loads" 1 "$js: $status bytes gzipped"
        else
                record "gateway: the web app's script loads" 0 "$js: $status; $(grep -i '^content-encoding' "$hdr" | tr -d '\r')"
        fi
}

# ---- (g) graceful shutdown under load -----------------------------------------------------
stage_shutdown() {
        local id tag out code rows n5xx before_err drain_log inflight left name
        tstep "(g) graceful shutdown: docker stop (SIGTERM) to people under load ($CONNS connections)"
        id=$(container_of people)
        tag=$(rand_hex 4)
        out=$TANDEM_RUNDIR/load.json
        node tests/containers/shutdown-load.mjs "http://127.0.0.1:${PORT[people]}" "$TOKEN" "$tag" \
                "$CONNS" 20000 >"$out" 2>"$LOGDIR/load.err" &
        LOAD_PID=$!
        sleep 2
        kill -USR1 "$LOAD_PID"
        dk stop -t 30 "$id" >/dev/null
        wait "$LOAD_PID" || true
        LOAD_PID=""
        cp "$out" "$LOGDIR/load.json"
        code=$(dk inspect -f '{{.State.ExitCode}}' "$id")
        check "people exits 0 after SIGTERM" test "$code" = 0
        info "load: $(jq -c '{requests, statuses, slow, errors, answered_after_sigterm, created: (.created | length)}' "$out")"
        n5xx=$(jq '[.statuses[] | to_entries[] | select(.key | startswith("5")) | .value] | add // 0' "$out")
        check "no 5xx under shutdown" test "$n5xx" = 0
        check "only 200 and 201 under load" test \
                "$(jq '[.statuses[] | keys[]] | unique | map(select(. != "200" and . != "201")) | length' "$out")" = 0
        before_err=$(jq '[.errors.before[]] | add // 0' "$out")
        check "no transport error before SIGTERM" test "$before_err" = 0
        drain_log=$(dk logs "$id" 2>&1 | grep -E 'draining|drained' || true)
        printf '%s\n' "$drain_log" | sed 's/^/    /'
        inflight=$(grep -oE '[0-9]+ request\(s\) in flight' <<<"$drain_log" | sed -n 1p | cut -d' ' -f1)
        left=$(grep -oE '[0-9]+ request\(s\) still in flight' <<<"$drain_log" | sed -n 1p | cut -d' ' -f1)
        # shutdown-load.mjs keeps 4 slow writes half-sent until a second after SIGTERM
        if [[ -n $inflight && $inflight -ge 4 && $left == 0 ]]; then
                record "in-flight requests finished" 1 "$inflight in flight at SIGTERM, 0 left"
        else
                record "in-flight requests finished" 0 "in flight: '${inflight:-?}' (want >= 4), left: '${left:-?}'"
        fi
        check "the 4 slow writes in flight were answered 201" \
                test "$(jq -c .slow "$out")" = '{"201":4}'
        check "requests were answered after SIGTERM" test "$(jq .answered_after_sigterm "$out")" -gt 0
        rows=$(psql_in "$(container_of postgres)" \
                "SELECT count(*) FROM people.person WHERE email LIKE 'load-$tag-%'") || rows=error
        if [[ $rows == "$(jq '.created | length' "$out")" ]]; then
                record "every write was answered (rows = 201s)" 1 "$rows rows"
        else
                record "every write was answered (rows = 201s)" 0 "rows $rows, 201s $(jq '.created | length' "$out")"
        fi

        step "stopping the stack (docker-compose stop): every container exits 0"
        "${COMPOSE[@]}" stop -t 20 >/dev/null 2>&1 || true
        for name in gateway "${SERVICES[@]}" postgres; do
                code=$(dk inspect -f '{{.State.ExitCode}}' "$(container_of "$name")")
                check "$name exits 0 on docker-compose stop" test "$code" = 0
        done
        "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
}

# ---- (h) a bare machine: the README's first steps -----------------------------------------
# A bare Debian 12 (the run's own debootstrap, minbase, nothing installed), as
# root, with what the README says a newcomer starts from: its install line for
# git and make, then a clone (of this commit) in root's home.  `make run` there
# must install everything else, build, start, print a URL and tokens that work
# through the gateway; then `make test` (TANDEM_BARE_TEST_ONLY and
# TANDEM_BARE_TEST_FILES choose a fast subset) in the same container.
BARE_TIMEOUT=${TANDEM_BARE_TIMEOUT:-900}
BARE_TEST_ONLY=${TANDEM_BARE_TEST_ONLY:-unit,lint,integration}
BARE_TEST_FILES=${TANDEM_BARE_TEST_FILES:-tests/integration/gateway.test.mjs tests/integration/ops.test.mjs}

# bare_sh CMD: runs CMD with bash -c as root in the bare container.
bare_sh() {
        dk exec -e DEBIAN_FRONTEND=noninteractive tandemtest-bare bash -c "$1"
}

stage_bare() {
        local c=tandemtest-bare t0=$SECONDS t1 setup url token want_url deadline out rc name
        local -a envs=()
        tstep "(h) a bare Debian 12 machine: the README's first steps, make run, make test"
        setup=$(grep -m1 -E '^apt-get update && apt-get install -y git make' README.md) || setup=""
        if [[ -z $setup ]]; then
                record "bare: the README says what a fresh machine needs first" 0 "no 'apt-get update && apt-get install -y git make' line"
                return 0
        fi
        record "bare: the README says what a fresh machine needs first" 1 "$setup"
        git bundle create -q "$TANDEM_RUNDIR/tandem.bundle" HEAD 2>"$LOGDIR/bare-bundle.log" ||
                { record "bare: a clone of this commit" 0 "git bundle failed"; return 0; }
        dk import --change 'CMD ["bash"]' "$CACHE/bookworm.tar" tandemtest/bare:latest >/dev/null
        # host networking: make run's ports are chosen here, free on this machine
        envs=(-e "TANDEM_GATEWAY_PORT=$(free_port)" -e "TANDEM_PG_PORT=$(free_port)")
        for name in "${SERVICES[@]}"; do envs+=(-e "TANDEM_PORT_${name^^}=$(free_port)"); done
        want_url=http://127.0.0.1:${envs[1]#*=}
        # The machine's own trust goes along, as its apt mirror does: a company
        # machine behind a TLS-inspecting proxy has the proxy's CA in its system
        # store (/usr/local/share/ca-certificates), and so does this bare one.
        local -a cas=()
        if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
                cas=(-v /usr/local/share/ca-certificates:/usr/local/share/ca-certificates:ro)
        fi
        dk run -d --name "$c" --network host --tmpfs /tmp:exec "${envs[@]}" "${cas[@]}" \
                -v "$TANDEM_RUNDIR/tandem.bundle:/in/tandem.bundle:ro" tandemtest/bare:latest \
                sleep infinity >/dev/null
        if ((${#cas[@]} > 0)); then setup+=' && update-ca-certificates'; fi
        if ! bare_sh "$setup" >"$LOGDIR/bare-setup.log" 2>&1 ||
                ! bare_sh 'command -v git make && git clone -q /in/tandem.bundle /root/tandem' >>"$LOGDIR/bare-setup.log" 2>&1; then
                tail -n 20 "$LOGDIR/bare-setup.log" | sed 's/^/    /'
                record "bare: git, make and the clone" 0 "see bare-setup.log"
                return 0
        fi
        record "bare: git, make and the clone" 1 "$((SECONDS - t0)) s"

        t1=$SECONDS
        dk exec -d -e DEBIAN_FRONTEND=noninteractive "$c" bash -c \
                'cd /root/tandem && { make run >/root/make-run.log 2>&1 </dev/null; echo $? >/root/make-run.rc; }'
        deadline=$((SECONDS + BARE_TIMEOUT))
        out=""
        while ((SECONDS < deadline)); do
                out=$(bare_sh 'cat /root/make-run.log 2>/dev/null') || out=""
                [[ $out == *"Tandem is running."* ]] && break
                bare_sh 'test -e /root/make-run.rc' && break
                sleep 3
        done
        printf '%s\n' "$out" >"$LOGDIR/bare-make-run.log"
        if [[ $out != *"Tandem is running."* ]]; then
                tail -n 30 "$LOGDIR/bare-make-run.log" | sed 's/^/    /'
                record "bare: make run, first time" 0 "no 'Tandem is running' in ${BARE_TIMEOUT}s (bare-make-run.log)"
                return 0
        fi
        record "bare: make run, first time" 1 "$((SECONDS - t1)) s to 'Tandem is running' (installs, build, demo data)"
        # commands run as user postgres start from /, not from the clone in /root
        # (0700), which they cannot enter
        if grep -q 'could not change directory' <<<"$out"; then
                record "bare: make run prints no 'could not change directory'" 0 "$(grep -m1 'could not change directory' <<<"$out")"
        else
                record "bare: make run prints no 'could not change directory'" 1 "as user postgres from /"
        fi
        # the services' own tokens (the local provider's client credentials): notify
        # follows every feed, so the demo's changes are in the audit log
        # (run.sh's summary: "N of the demo's changes on the audit log's first page")
        if grep -qE "[1-9][0-9]* of the demo's changes on the audit log" <<<"$out"; then
                record "bare: make run's audit log holds the demo's changes" 1 "$(grep -m1 -oE "[0-9]+ of the demo's changes on the audit log[^;]*" <<<"$out")"
        else
                record "bare: make run's audit log holds the demo's changes" 0 "$(grep -m1 'audit log' <<<"$out")"
        fi
        url=$(grep -oE 'Gateway: http://[0-9.]+:[0-9]+' <<<"$out" | sed -n 1p) || url=""
        url=${url#Gateway: }
        token=$(sed -nE "s|.*Bearer ([A-Za-z0-9._-]+)' [^ ]*/v1/people\?limit=5.*|\1|p" <<<"$out" | sed -n 1p) || token=""
        if [[ $url == "$want_url" ]]; then
                record "bare: make run prints the URL it uses" 1 "$url (TANDEM_GATEWAY_PORT honoured)"
        else
                record "bare: make run prints the URL it uses" 0 "printed '$url', asked for $want_url"
        fi
        curl_json GET "$url/v1/people?limit=5" "$token"
        if [[ $STATUS == 200 && $(jq '.items | length' <<<"$BODY" 2>/dev/null) -gt 0 ]]; then
                record "bare: the printed admin token answers through the gateway" 1 "GET /v1/people: $(jq '.items | length' <<<"$BODY") people of the demo data"
        else
                record "bare: the printed admin token answers through the gateway" 0 "$STATUS ${BODY:0:200}"
        fi
        curl_json GET "$url/readyz"
        check "bare: the gateway's /readyz" test "$STATUS" = 200
        bare_sh 'cd /root/tandem && make stop' >>"$LOGDIR/bare-make-run.log" 2>&1 || true
        deadline=$((SECONDS + 60))
        until bare_sh 'test -e /root/make-run.rc' || ((SECONDS >= deadline)); do sleep 1; done

        t1=$SECONDS
        rc=0
        bare_sh "cd /root/tandem && TANDEM_TEST_ONLY='$BARE_TEST_ONLY' TANDEM_TEST_FILES='$BARE_TEST_FILES' timeout $BARE_TIMEOUT make test" \
                >"$LOGDIR/bare-make-test.log" 2>&1 || rc=$?
        if ((rc == 0)); then
                record "bare: make test ($BARE_TEST_ONLY)" 1 "$(tail -n 1 "$LOGDIR/bare-make-test.log"), $((SECONDS - t1)) s"
        else
                tail -n 30 "$LOGDIR/bare-make-test.log" | sed 's/^/    /'
                record "bare: make test ($BARE_TEST_ONLY)" 0 "status $rc: $(tail -n 1 "$LOGDIR/bare-make-test.log")"
        fi
        dk rm -f "$c" >/dev/null
        info "bare machine stage: $((SECONDS - t0)) s"
}

printf 'tandem container tests: run dir %s, cache %s\n' "$TANDEM_RUNDIR" "${CACHE#"$TANDEM_ROOT"/}"
stage_static
stage_engine
stage_base
stage_images
stage_migrations
if stage_compose; then stage_shutdown; fi
stage_bare
COMPLETED=1
((FAILED == 0))
