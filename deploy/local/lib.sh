# shellcheck shell=bash
# deploy/local/lib.sh - shared functions for run.sh, bench.sh, stop.sh and the
# test scripts.  Source it; it sets nothing but variables and functions.
#
# Layout of a run dir (TANDEM_RUNDIR):
#   pids/NAME.pid      "PID<newline>MATCH": a process this run started; MATCH is a
#                      string its /proc/PID/cmdline must contain (guards against
#                      a recycled pid after a crash or a reboot)
#   pg.dirs            PostgreSQL cluster dirs this run started (one a line)
#   nginx.dirs         nginx dirs (config, pid file, temp dirs) it started
#   gateway/           the gateway's nginx dir, by convention
#   ports              ports handed out by free_port in this run
#   logs/              logs (run.sh uses ./var/log instead)
# Everything started records itself there first, so stop_all works even after
# the script that started it died.

TANDEM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TANDEM_BUILD=${TANDEM_BUILD:-build}
case $TANDEM_BUILD in
/*) BUILD_DIR=$TANDEM_BUILD ;;
*) BUILD_DIR=$TANDEM_ROOT/$TANDEM_BUILD ;;
esac
TANDEM_STOP_TIMEOUT=${TANDEM_STOP_TIMEOUT:-10}
NGINX_BIN=${TANDEM_NGINX_BIN:-/usr/sbin/nginx}
NGINX_TEMPLATE=$TANDEM_ROOT/deploy/nginx/tandem.conf.template

# PostgreSQL binaries: TANDEM_PG_BIN, else the newest /usr/lib/postgresql/N/bin.
if [[ -z ${TANDEM_PG_BIN:-} ]]; then
        TANDEM_PG_BIN=/usr/lib/postgresql/15/bin
        for _d in /usr/lib/postgresql/*/bin; do
                [[ -x $_d/initdb ]] && TANDEM_PG_BIN=$_d
        done
        unset _d
fi
PG_BIN=$TANDEM_PG_BIN

# ---- messages ------------------------------------------------------------------
step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
        printf 'error: %s\n' "$*" >&2
        exit 1
}

# rand_hex N: N random bytes as lowercase hex.
rand_hex() {
        od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# ---- processes -------------------------------------------------------------------
# is_running PID: the process exists and is not a zombie.
is_running() {
        local pid=$1 stat
        [[ $pid =~ ^[0-9]+$ ]] || return 1
        kill -0 "$pid" 2>/dev/null || return 1
        # the state follows the command name, which is in parentheses
        stat=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
        [[ $stat != Z && $stat != X ]]
}

# pid_matches PID MATCH: PID's command line contains MATCH.
pid_matches() {
        local pid=$1 match=$2 cmd
        [[ -z $match ]] && return 0
        cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
        [[ $cmd == *"$match"* ]]
}

# stop_pid PID NAME [TIMEOUT]: SIGTERM, wait up to TIMEOUT s (TANDEM_STOP_TIMEOUT),
# then SIGKILL.  Returns the exit status when PID is a child of this shell, 137
# when it had to be killed, otherwise 0.
stop_pid() {
        local pid=$1 name=$2 timeout=${3:-$TANDEM_STOP_TIMEOUT} rc=0 deadline
        if ! is_running "$pid"; then
                wait "$pid" 2>/dev/null || rc=$?
                [[ $rc == 127 ]] && rc=0 # not our child: nothing to report
                return "$rc"
        fi
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$((SECONDS + timeout))
        while is_running "$pid" && ((SECONDS < deadline)); do
                sleep 0.1
        done
        if is_running "$pid"; then
                warn "$name (pid $pid) still running after ${timeout}s: SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                return 137
        fi
        wait "$pid" 2>/dev/null || rc=$?
        [[ $rc == 127 ]] && rc=0
        return "$rc"
}

# stop_pidfile FILE [TIMEOUT]: stops what FILE records (see the layout above) and
# removes FILE.  Returns like stop_pid.
stop_pidfile() {
        local file=$1 timeout=${2:-$TANDEM_STOP_TIMEOUT} pid match name rc=0
        [[ -f $file ]] || return 0
        name=$(basename "$file" .pid)
        { read -r pid || true; read -r match || true; } <"$file"
        if [[ $pid =~ ^[0-9]+$ ]] && is_running "$pid" && pid_matches "$pid" "${match:-}"; then
                stop_pid "$pid" "$name" "$timeout" || rc=$?
        elif [[ $pid =~ ^[0-9]+$ ]]; then
                # gone already (crashed or stopped): collect its status if it was ours
                wait "$pid" 2>/dev/null || rc=$?
                [[ $rc == 127 ]] && rc=0
        fi
        rm -f "$file"
        return "$rc"
}

# ---- ports -------------------------------------------------------------------------
# port_in_use PORT: something listens on (or a socket is bound to) 127.0.0.1:PORT.
port_in_use() {
        local port=$1
        if command -v ss >/dev/null 2>&1; then
                if ss -Htan 2>/dev/null | awk -v p=":$port" '
                        { n = length($4) - length(p) + 1; if (n > 0 && substr($4, n) == p) f = 1 }
                        END { exit !f }'; then
                        return 0
                fi
        fi
        # a connect that succeeds means a listener (bash's /dev/tcp, no extra tools)
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# free_port: prints a TCP port free on 127.0.0.1, picked at random in
# TANDEM_PORT_LO..TANDEM_PORT_HI (default 20000..32000: below the kernel's
# ephemeral range, so outgoing connections cannot take it meanwhile).  A port
# is free when ss shows no socket on it and nothing accepts a connection there.
# Ports already handed out in this run (TANDEM_RUNDIR/ports) are skipped, so
# several calls before anything binds return different ports.
free_port() {
        local lo=${TANDEM_PORT_LO:-20000} hi=${TANDEM_PORT_HI:-32000} p i reserve=""
        [[ -n ${TANDEM_RUNDIR:-} && -d ${TANDEM_RUNDIR:-} ]] && reserve=$TANDEM_RUNDIR/ports
        for ((i = 0; i < 500; i++)); do
                p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
                if [[ -n $reserve && -f $reserve ]] && grep -qx "$p" "$reserve"; then
                        continue
                fi
                port_in_use "$p" && continue
                [[ -n $reserve ]] && echo "$p" >>"$reserve"
                echo "$p"
                return 0
        done
        echo "free_port: no free port in $lo..$hi" >&2
        return 1
}

# pick_port PREFERRED: PREFERRED when free, else a free port (make run's choice).
pick_port() {
        if port_in_use "$1"; then free_port; else echo "$1"; fi
}

# ---- HTTP ----------------------------------------------------------------------------
# wait_http URL TIMEOUT [PID]: polls URL until it answers 200, for at most
# TIMEOUT seconds; gives up at once when PID (if given) has exited.
wait_http() {
        local url=$1 timeout=$2 pid=${3:-} code deadline
        deadline=$((SECONDS + timeout))
        while ((SECONDS < deadline)); do
                code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null) || true
                [[ $code == 200 ]] && return 0
                if [[ -n $pid ]] && ! is_running "$pid"; then
                        echo "wait_http: process $pid exited before $url answered 200" >&2
                        return 1
                fi
                sleep 0.2
        done
        echo "wait_http: $url did not answer 200 within ${timeout}s (last status ${code:-none})" >&2
        return 1
}

# expand_wrapper STRING NAME LOGDIR: a wrapper command line (valgrind ...) with
# @NAME@ and @LOGDIR@ filled in.
expand_wrapper() {
        local w=$1
        w=${w//@NAME@/$2}
        w=${w//@LOGDIR@/$3}
        printf '%s\n' "$w"
}

# ---- services ------------------------------------------------------------------------
# start_service NAME PORT LOGFILE [VAR=VALUE...]
# Starts $BUILD_DIR/bin/tandem-NAME in the background on 127.0.0.1:PORT with the
# given environment (plus TANDEM_PORT and TANDEM_LISTEN_ADDR), stdout and stderr
# appended to LOGFILE, under TANDEM_SERVICE_WRAPPER when set (e.g. valgrind;
# "@NAME@" in it becomes NAME, "@LOGDIR@" the directory of LOGFILE).  Records
# the pid in TANDEM_RUNDIR/pids/NAME.pid and sets STARTED_PID.  Must run in the calling shell (not in $(...)), so the
# service stays its child and its exit status can be collected.
start_service() {
        local name=$1 port=$2 log=$3 bin kv
        shift 3
        [[ -n ${TANDEM_RUNDIR:-} ]] || die "start_service: TANDEM_RUNDIR is not set"
        bin=$BUILD_DIR/bin/tandem-$name
        [[ -x $bin ]] || die "start_service: $bin is missing (build it: make)"
        for kv in "$@"; do
                [[ $kv == *=* ]] || die "start_service: '$kv' is not VAR=VALUE"
        done
        local -a wrap=()
        if [[ -n ${TANDEM_SERVICE_WRAPPER:-} ]]; then
                read -r -a wrap <<<"$(expand_wrapper "$TANDEM_SERVICE_WRAPPER" "$name" "$(dirname "$log")")"
        fi
        mkdir -p "$TANDEM_RUNDIR/pids" "$(dirname "$log")"
        env TANDEM_PORT="$port" TANDEM_LISTEN_ADDR=127.0.0.1 "$@" \
                "${wrap[@]}" "$bin" >>"$log" 2>&1 </dev/null &
        STARTED_PID=$!
        printf '%s\n%s\n' "$STARTED_PID" "tandem-$name" >"$TANDEM_RUNDIR/pids/$name.pid"
}

# start_ready NAME PORT LOGFILE [VAR=VALUE...]: start_service, then waits up to 30 s
# for its /readyz to answer 200, or dies.  Sets STARTED_PID; runs in the calling shell.
start_ready() {
        start_service "$@"
        wait_http "http://127.0.0.1:$2/readyz" 30 "$STARTED_PID" || die "$1 did not become ready"
}

# stack_env DB_URL JWT_SECRET ISSUER AUDIENCE PEOPLE PHASES MENTORING STRATEGY: sets
# STACK_ENV, the VAR=VALUE list a service of a local stack starts with (start_service):
# its database, the stack's JWT settings and its four peers on 127.0.0.1 ports.
stack_env() {
        # shellcheck disable=SC2034  # (the caller's)
        STACK_ENV=(
                TANDEM_DATABASE_URL="$1"
                TANDEM_JWT_SECRET="$2" TANDEM_JWT_ISSUER="$3" TANDEM_JWT_AUDIENCE="$4"
                TANDEM_PEOPLE_URL="http://127.0.0.1:$5" TANDEM_PHASES_URL="http://127.0.0.1:$6"
                TANDEM_MENTORING_URL="http://127.0.0.1:$7" TANDEM_STRATEGY_URL="http://127.0.0.1:$8"
        )
}

# stop_service NAME: stops one service started by start_service; returns its
# exit status (0 for a clean shutdown on SIGTERM).
stop_service() {
        stop_pidfile "$TANDEM_RUNDIR/pids/$1.pid"
}

# ---- PostgreSQL ----------------------------------------------------------------------
# as_pg CMD...: runs CMD as the postgres user when we are root (initdb refuses root).
# It runs from / : the caller's directory (a clone in /root) is often not
# searchable by postgres, and pg_ctl, initdb and psql then complain "could not
# change directory to ...: Permission denied".  So every path given to it must
# be absolute (abs_path).
as_pg() {
        if [[ $(id -u) == 0 ]]; then
                (cd / && exec runuser -u postgres -- "$@")
        else
                "$@"
        fi
}

# pg_sockdir DIR: the unix socket directory of the cluster in DIR.
pg_sockdir() {
        if [[ -f $1/sockdir ]]; then cat "$1/sockdir"; else echo "$1/sock"; fi
}

# pg_port DIR: the port the cluster in DIR was last started on.
pg_port() {
        cat "$1/port" 2>/dev/null
}

# abs_path PATH: PATH made absolute against the current directory (it need not exist).
abs_path() {
        if [[ $1 == /* ]]; then printf '%s\n' "$1"; else printf '%s\n' "$PWD/$1"; fi
}

# pg_running DIR: its postmaster is up.
pg_running() {
        local dir
        dir=$(abs_path "$1")
        [[ -f $dir/data/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

# pg_psql DIR [psql args...]: psql as the superuser over the cluster's socket.
pg_psql() {
        local dir=$1
        shift
        psql -X -q -v ON_ERROR_STOP=1 -h "$(pg_sockdir "$dir")" -p "$(pg_port "$dir")" -U postgres "$@"
}

# pg_url DIR [DB]: a libpq URL for role tandem over the unix socket (faster than
# TCP for a service on the same host).
pg_url() {
        printf 'postgresql://tandem@/%s?host=%s&port=%s\n' "${2:-tandem}" "$(pg_sockdir "$1")" "$(pg_port "$1")"
}

# pg_tcp_url PORT [DB]: the same over TCP on 127.0.0.1.
pg_tcp_url() {
        printf 'postgresql://tandem@127.0.0.1:%s/%s\n' "$1" "${2:-tandem}"
}

# pg_start DIR PORT [throwaway]
# Creates (once) and starts a cluster in DIR/data: trust authentication, listens
# on 127.0.0.1:PORT and a unix socket dir inside DIR only.  "throwaway" turns off
# fsync and synchronous_commit (test and bench clusters only).  Ensures role
# tandem (LOGIN) and database tandem owned by it.  Records DIR in
# TANDEM_RUNDIR/pg.dirs when TANDEM_RUNDIR is set.  Log: DIR/postgres.log.
pg_start() {
        local dir=$1 port=$2 mode=${3:-} sock
        [[ -x $PG_BIN/initdb ]] || die "no PostgreSQL in $PG_BIN (run make deps)"
        mkdir -p "$dir"
        dir=$(cd "$dir" && pwd)
        if [[ $(id -u) == 0 ]]; then
                chown postgres: "$dir"
                as_pg test -w "$dir" ||
                        die "user postgres cannot write $dir (a parent directory is not searchable by it); use another location or set TANDEM_DATABASE_URL"
        fi
        # a unix socket path must stay under ~107 bytes
        sock=$dir/sock
        if ((${#sock} > 80)); then
                if [[ -f $dir/sockdir ]]; then
                        sock=$(cat "$dir/sockdir")
                else
                        sock=$(mktemp -d /tmp/tandem-pgsock.XXXXXX)
                fi
                echo "$sock" >"$dir/sockdir"
        fi
        mkdir -p "$sock"
        [[ $(id -u) == 0 ]] && chown postgres: "$sock"

        if [[ ! -f $dir/data/PG_VERSION ]]; then
                rm -rf "$dir/data"
                as_pg "$PG_BIN/initdb" -D "$dir/data" --auth=trust -U postgres \
                        --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
                        {
                                cat "$dir/initdb.log" >&2
                                die "initdb failed in $dir"
                        }
                {
                        echo "# --- tandem (deploy/local/lib.sh) ---"
                        echo "listen_addresses = '127.0.0.1'"
                        echo "max_connections = 200"
                        echo "shared_buffers = 128MB"
                        echo "log_line_prefix = '%m [%p] %q%u@%d '"
                        echo "log_min_duration_statement = -1"
                        if [[ $mode == throwaway ]]; then
                                echo "# throwaway cluster: speed over durability"
                                echo "fsync = off"
                                echo "synchronous_commit = off"
                                echo "full_page_writes = off"
                        fi
                } | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
        fi
        if [[ -n ${TANDEM_RUNDIR:-} ]]; then
                mkdir -p "$TANDEM_RUNDIR"
                grep -qxF "$dir" "$TANDEM_RUNDIR/pg.dirs" 2>/dev/null || echo "$dir" >>"$TANDEM_RUNDIR/pg.dirs"
        fi
        echo "$port" >"$dir/port"
        if ! pg_running "$dir"; then
                # port and socket dir on the command line: a reused cluster may move
                as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/postgres.log" \
                        -o "-p $port -k $sock -c listen_addresses=127.0.0.1" >/dev/null ||
                        {
                                tail -n 20 "$dir/postgres.log" >&2
                                echo "pg_start: PostgreSQL did not start on port $port" >&2
                                return 1
                        }
        fi
        if [[ $(pg_psql "$dir" -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'tandem'") != 1 ]]; then
                pg_psql "$dir" -d postgres -c "CREATE ROLE tandem LOGIN CREATEDB"
        fi
        if [[ $(pg_psql "$dir" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'tandem'") != 1 ]]; then
                pg_psql "$dir" -d postgres -c "CREATE DATABASE tandem OWNER tandem"
        fi
}

# pg_stop DIR: fast shutdown of the cluster in DIR (immediate after 30 s).
pg_stop() {
        local dir pid
        dir=$(abs_path "$1")
        [[ -f $dir/data/postmaster.pid ]] || return 0
        if ! as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 >/dev/null 2>&1; then
                as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 10 >/dev/null 2>&1 || true
        fi
        pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null) || pid=""
        if [[ -n $pid ]] && is_running "$pid" && pid_matches "$pid" "$dir/data"; then
                kill -KILL "$pid" 2>/dev/null || true
        fi
        return 0
}

# ---- nginx (the gateway) -------------------------------------------------------------
# local_mint SUB ROLES EMAIL TTL: prints a token from the local OpenID provider
# at TANDEM_MINT_URL (web/dev/local-op.mjs --local-mint; make run sets it when the
# services trust that provider), or returns 1 when it is not set.
local_mint() {
        [[ -n ${TANDEM_MINT_URL:-} ]] || return 1
        curl -fsS --max-time 5 --data-urlencode "sub=$1" --data-urlencode "roles=$2" \
                --data-urlencode "email=$3" --data-urlencode "ttl=$4" "$TANDEM_MINT_URL"
}

# render_nginx_conf OUTDIR GATEWAY_PORT MAX_BODY LOGDIR NAME=HOST:PORT...
# Renders deploy/nginx/tandem.conf.template into OUTDIR/nginx.conf.  Each
# NAME=HOST:PORT fills ${UPSTREAM_NAME} (e.g. people=127.0.0.1:8081 fills
# ${UPSTREAM_PEOPLE}; HOST may be a name, as in a container network).
# TANDEM_GATEWAY_LISTEN (127.0.0.1) is the address it listens on;
# TANDEM_NGINX_WORKERS (1) and TANDEM_NGINX_KEEPALIVE (64
# idle upstream connections per worker) tune it.  The web app: TANDEM_WEB_ROOT
# (web/dist), TANDEM_WEB_OIDC_ISSUER (its sign-in provider, also allowed by the
# CSP), TANDEM_WEB_OIDC_CLIENT_ID (tandem-web), TANDEM_WEB_OIDC_RESOURCE.  Pid and temp dirs live in OUTDIR; the logs in LOGDIR:
# gateway-access.log (JSON lines, with the request id) and gateway-error.log.
# (OUTDIR/error.log only gets what nginx says before it has read the config.)
render_nginx_conf() {
        local out=$1 gw_port=$2 max_body=$3 logdir=$4 conf kv name user="" workers
        shift 4
        mkdir -p "$out/tmp" "$logdir"
        out=$(cd "$out" && pwd)
        logdir=$(cd "$logdir" && pwd)
        conf=$(<"$NGINX_TEMPLATE")
        if [[ $(id -u) == 0 ]]; then
                # the master runs as root; workers drop to nobody and only need the
                # temp dirs, which nginx creates and chowns to that user itself
                user="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
        fi
        workers=${TANDEM_NGINX_WORKERS:-1}
        local -A val=([USER_DIRECTIVE]=$user [WORKER_PROCESSES]=$workers [RUN_DIR]=$out
                [LOG_DIR]=$logdir [GATEWAY_PORT]=$gw_port [MAX_BODY]=$max_body
                [GATEWAY_LISTEN]=${TANDEM_GATEWAY_LISTEN:-127.0.0.1}
                [UPSTREAM_KEEPALIVE]=${TANDEM_NGINX_KEEPALIVE:-64}
                [WEB_ROOT]=${TANDEM_WEB_ROOT:-$TANDEM_ROOT/web/dist}
                [WEB_OIDC_ISSUER]=${TANDEM_WEB_OIDC_ISSUER:-}
                [WEB_OIDC_CLIENT_ID]=${TANDEM_WEB_OIDC_CLIENT_ID:-tandem-web}
                [WEB_OIDC_RESOURCE]=${TANDEM_WEB_OIDC_RESOURCE:-})
        # a service not started here is routed to the discard port, where nothing
        # listens: its prefixes answer the gateway's 502 problem, never another's data
        local -a named
        mapfile -t named < <(grep -oE 'UPSTREAM_[A-Z]+' <<<"$conf" | sort -u)
        for name in "${named[@]}"; do
                [[ $name == UPSTREAM_KEEPALIVE ]] || val[$name]=127.0.0.1:9
        done
        for kv in "$@"; do
                [[ $kv =~ ^([a-z]+)=([A-Za-z0-9.-]+:[0-9]+)$ ]] || die "render_nginx_conf: bad upstream '$kv'"
                name=${BASH_REMATCH[1]^^}
                val[UPSTREAM_$name]=${BASH_REMATCH[2]}
        done
        for name in "${!val[@]}"; do
                conf=${conf//"\${$name}"/"${val[$name]}"}
        done
        # placeholders left outside comments: a missing upstream argument
        local left
        left=$(grep -v '^[[:space:]]*#' <<<"$conf" | grep -oE '[$][{][A-Z_]+[}]' | sort -u | tr '\n' ' ') || true
        [[ -z $left ]] || die "render_nginx_conf: no value for $left(missing NAME=HOST:PORT?)"
        printf '%s\n' "$conf" >"$out/nginx.conf"
}

# nginx_start OUTDIR: tests the rendered config and starts nginx as a daemon
# with its pid file in OUTDIR (stop_all finds it there).
nginx_start() {
        local dir=$1
        [[ -x $NGINX_BIN ]] || die "nginx not found at $NGINX_BIN (run make deps)"
        "$NGINX_BIN" -q -t -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" ||
                die "nginx rejected $dir/nginx.conf"
        if [[ -n ${TANDEM_RUNDIR:-} ]]; then
                grep -qxF "$dir" "$TANDEM_RUNDIR/nginx.dirs" 2>/dev/null || echo "$dir" >>"$TANDEM_RUNDIR/nginx.dirs"
        fi
        "$NGINX_BIN" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" ||
                {
                        tail -n 20 "$dir/error.log" >&2
                        return 1
                }
}

# nginx_stop OUTDIR: fast shutdown (SIGTERM), then SIGKILL after the timeout.
nginx_stop() {
        local dir=$1 pid
        [[ -f $dir/nginx.pid ]] || return 0
        pid=$(cat "$dir/nginx.pid" 2>/dev/null) || return 0
        if [[ $pid =~ ^[0-9]+$ ]] && is_running "$pid" && pid_matches "$pid" "nginx -p $dir/"; then
                stop_pid "$pid" nginx || true
        fi
        rm -f "$dir/nginx.pid"
}

# ---- everything ----------------------------------------------------------------------
# stop_all RUNDIR: stops the services recorded in RUNDIR/pids (SIGTERM, up to
# TANDEM_STOP_TIMEOUT s, then SIGKILL), then nginx, then PostgreSQL.
stop_all() {
        local rundir=$1 f d
        [[ -d $rundir ]] || return 0
        if [[ -d $rundir/pids ]]; then
                for f in "$rundir"/pids/*.pid; do
                        [[ -e $f ]] || continue
                        stop_pidfile "$f" || true
                done
        fi
        if [[ -f $rundir/nginx.dirs ]]; then
                while read -r d; do
                        [[ -n $d ]] && nginx_stop "$d"
                done <"$rundir/nginx.dirs"
                rm -f "$rundir/nginx.dirs"
        fi
        if [[ -f $rundir/pg.dirs ]]; then
                while read -r d; do
                        [[ -n $d ]] && pg_stop "$d"
                done <"$rundir/pg.dirs"
                rm -f "$rundir/pg.dirs"
        fi
        rm -f "$rundir/ports"
}
