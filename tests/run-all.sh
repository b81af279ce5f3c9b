#!/usr/bin/env bash
# tests/run-all.sh (make test): every test on a throwaway stack.
#
#   (a) unit      the Check suites in $TANDEM_BUILD/tests/test_*
#   (a) symbols   bash tests/check-symbols.sh: no service redefines a global
#                 symbol of libtandem.a (runs with the unit stage)
#   (b) lint      bash tests/lint-specs.sh, and tests/check-services.sh: every
#                 list of services agrees with services.txt
#   (c)-(f) integration: a throwaway PostgreSQL, every service, the nginx
#             gateway, then node --test tests/integration/ against them
#   (g) shutdown  SIGTERM to each service: it must exit 0, and no sanitizer or
#                 valgrind report may appear in its logs
#   (h) fuzz      every libFuzzer harness (tests/fuzz/run.sh) briefly: about
#                 TANDEM_FUZZ_BRIEF_SECONDS in all; reproducers stay in the logs
# Ends with "N passed, N failed" (unit checks + node tests + one each for lint,
# for every service's clean shutdown and for every fuzz harness; a stage that
# cannot start counts as one failure) and exits non-zero on any failure.
#
# Environment:
#   TANDEM_TEST_ONLY         comma list of unit, lint, integration, fuzz (default: all)
#   TANDEM_TEST_FILES        integration test files to run (space-separated paths;
#                            default every file in tests/integration/)
#   TANDEM_BUILD             build dir (default build; make asan uses build-asan)
#   TANDEM_UNIT_WRAPPER      command prefix for unit test binaries (valgrind ...)
#   TANDEM_SERVICE_WRAPPER   command prefix for services; @NAME@ and @LOGDIR@ are
#                            replaced by the service name and the log dir
#   TANDEM_READY_TIMEOUT     seconds to wait for /readyz (default 30)
#   TANDEM_TEST_TIMEOUT      seconds for the node tests (default 1800: the browser
#                            tests add 1-4 minutes on a loaded 2-core machine)
#   TANDEM_STOP_TIMEOUT      seconds a service gets to exit on SIGTERM (default 10)
#   CK_FORK                  passed to the Check suites (default yes)
#   TANDEM_FUZZ_BRIEF_SECONDS  the fuzz stage's budget, shared by the harnesses (60)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

ONLY=${TANDEM_TEST_ONLY:-all}
for s in ${ONLY//,/ }; do
        case $s in
        all | unit | lint | integration | fuzz) ;;
        *) die "TANDEM_TEST_ONLY: unknown stage '$s' (use unit, lint, integration, fuzz)" ;;
        esac
done
want() { [[ $ONLY == all || ,$ONLY, == *,$1,* ]]; }

READY_TIMEOUT=${TANDEM_READY_TIMEOUT:-30}
TEST_TIMEOUT=${TANDEM_TEST_TIMEOUT:-1800}
MAX_BODY=65536
# the suite's services, in the order they start (services.txt)
mapfile -t SERVICES < <(awk '!/^#/ && NF { print $1 }' services.txt)

PASSED=0
FAILED=0
RESULTS=()
COMPLETED=0
NODE_PID=""
record() { # record STAGE PASSED FAILED [NOTE]
        PASSED=$((PASSED + $2))
        FAILED=$((FAILED + $3))
        RESULTS+=("$(printf '%-16s %4d passed %4d failed  %s' "$1" "$2" "$3" "${4:-}")")
}

TANDEM_RUNDIR=$(mktemp -d /tmp/tandem-test.XXXXXX)
export TANDEM_RUNDIR
chmod 755 "$TANDEM_RUNDIR" # the postgres user must reach its cluster dir
LOGDIR=$TANDEM_RUNDIR/logs
mkdir -p "$LOGDIR"
KEEP_LOGS=$TANDEM_ROOT/build/test-logs

summary() {
        step "summary"
        local r
        for r in "${RESULTS[@]}"; do info "$r"; done
        echo "$PASSED passed, $FAILED failed"
}

# Stops everything, keeps and shows the logs on failure, and ends with the
# summary line (always the last line of output).
cleanup() {
        local rc=$? f
        trap - EXIT INT TERM
        if [[ -n $NODE_PID ]]; then
                kill -TERM -- "-$NODE_PID" 2>/dev/null || kill -TERM "$NODE_PID" 2>/dev/null || true
                wait "$NODE_PID" 2>/dev/null || true
        fi
        stop_all "$TANDEM_RUNDIR" >/dev/null 2>&1 || true
        if ((!COMPLETED)); then
                # died on an unexpected error or a signal: say so in the count
                record aborted 0 1 "run-all.sh stopped early (status $rc)"
        fi
        if ((rc != 0 || FAILED > 0)); then
                rm -rf "$KEEP_LOGS"
                mkdir -p "$KEEP_LOGS"
                cp -r "$LOGDIR"/. "$KEEP_LOGS"/ 2>/dev/null || true
                [[ -f $TANDEM_RUNDIR/pg/postgres.log ]] && cp "$TANDEM_RUNDIR/pg/postgres.log" "$KEEP_LOGS/"
                [[ -s $TANDEM_RUNDIR/gateway/error.log ]] && cp "$TANDEM_RUNDIR/gateway/error.log" "$KEEP_LOGS/gateway-startup.log"
                for f in "$KEEP_LOGS"/*.log; do
                        [[ -s $f ]] || continue
                        case $f in */unit-*.log | */lint.log | */services.log | */symbols.log | */fuzz-*.log) continue ;; esac # already shown
                        printf '\n---- tail of %s\n' "$f"
                        tail -n 25 "$f"
                done
                printf '\nlogs kept in %s\n' "$KEEP_LOGS"
                ((rc != 0)) || rc=1
        fi
        rm -rf "$TANDEM_RUNDIR"
        summary
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- (a) unit tests ----------------------------------------------------------------
stage_unit() {
        step "(a) unit tests ($TANDEM_BUILD/tests)"
        local src name bin log rc checks fails errs p=0 f=0 n=0
        local -a wrap=()
        for src in tests/unit/test_*.c; do
                [[ -e $src ]] || continue
                n=$((n + 1))
                name=$(basename "$src" .c)
                bin=$BUILD_DIR/tests/$name
                log=$LOGDIR/unit-$name.log
                if [[ ! -x $bin ]]; then
                        info "$name: not built ($bin missing)"
                        f=$((f + 1))
                        continue
                fi
                rc=0
                read -r -a wrap <<<"$(expand_wrapper "${TANDEM_UNIT_WRAPPER:-}" "$name" "$LOGDIR")"
                CK_FORK=${CK_FORK:-yes} "${wrap[@]}" "$bin" >"$log" 2>&1 </dev/null || rc=$?
                read -r checks fails errs < <(awk '
                        /^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
                                gsub(/,/, ""); c += $3; fl += $5; e += $7 }
                        END { print c + 0, fl + 0, e + 0 }' "$log")
                p=$((p + checks - fails - errs))
                f=$((f + fails + errs))
                if ((rc != 0 && fails + errs == 0)); then
                        f=$((f + 1)) # crashed, or valgrind/sanitizer found something
                        info "$name: exit status $rc with no failed check reported"
                fi
                if ((rc != 0 || fails + errs > 0)); then
                        info "$name: FAILED"
                        sed 's/^/      /' "$log" | tail -n 40
                else
                        info "$name: $checks checks ok"
                fi
        done
        if ((n == 0)); then
                info "no unit tests (tests/unit/test_*.c) yet"
        fi
        record unit "$p" "$f"
}

# ---- (a) duplicate global symbols --------------------------------------------------
stage_symbols() {
        step "(a) global symbols (tests/check-symbols.sh)"
        if bash tests/check-symbols.sh "$BUILD_DIR" >"$LOGDIR/symbols.log" 2>&1 </dev/null; then
                sed 's/^/    /' "$LOGDIR/symbols.log"
                record symbols 1 0
        else
                sed 's/^/    /' "$LOGDIR/symbols.log" | tail -n 40
                record symbols 0 1
        fi
}

# ---- (b) spec lint -------------------------------------------------------------------
stage_lint() {
        step "(b) spec lint (tests/lint-specs.sh)"
        if [[ ! -f tests/lint-specs.sh ]]; then
                info "tests/lint-specs.sh does not exist yet: skipped"
                record lint 0 0 "skipped: no tests/lint-specs.sh"
                return 0
        fi
        if bash tests/lint-specs.sh >"$LOGDIR/lint.log" 2>&1 </dev/null; then
                sed 's/^/    /' "$LOGDIR/lint.log" | tail -n 20
                record lint 1 0
        else
                sed 's/^/    /' "$LOGDIR/lint.log" | tail -n 60
                record lint 0 1
        fi
}

# ---- (b) the service lists ------------------------------------------------------------
stage_services() {
        step "(b) service lists (tests/check-services.sh: services.txt is the one declaration)"
        if bash tests/check-services.sh >"$LOGDIR/services.log" 2>&1 </dev/null; then
                sed 's/^/    /' "$LOGDIR/services.log"
                record services 1 0
        else
                sed 's/^/    /' "$LOGDIR/services.log" | tail -n 40
                record services 0 1
        fi
}

# ---- (c)-(g) integration -------------------------------------------------------------
stage_integration() {
        local pg_port svc_port gw_port secret scim_token dead_port issuer=tandem-test audience=tandem-test-api
        local i pid name rc
        local -A port_of=()
        local -a dead_evidence=()
        local -a peers=() upstreams=()

        step "(c) PostgreSQL throwaway cluster"
        for i in 1 2 3; do
                pg_port=$(free_port)
                if pg_start "$TANDEM_RUNDIR/pg" "$pg_port" throwaway; then
                        info "listening on 127.0.0.1:$pg_port and $(pg_sockdir "$TANDEM_RUNDIR/pg")"
                        break
                fi
                pg_port=""
                pg_stop "$TANDEM_RUNDIR/pg"
        done
        if [[ -z $pg_port ]]; then
                record integration 0 1 "PostgreSQL did not start"
                return 0
        fi

        step "(d) services"
        secret=$(rand_hex 48)
        # every service learns every other service's URL (TANDEM_<NAME>_URL)
        for name in "${SERVICES[@]}"; do
                port_of[$name]=$(free_port)
                peers+=("TANDEM_${name^^}_URL=http://127.0.0.1:${port_of[$name]}")
                upstreams+=("$name=127.0.0.1:${port_of[$name]}")
        done
        scim_token=$(rand_hex 32)
        webhook_key=$(rand_hex 32)   # notify seals webhook secrets at rest with it
        # a loopback port nothing listens on: the main phases instance is told that
        # mentoring and strategy live there, so its own tests meet evidence that does
        # not answer; e2e tests start a phases instance wired to the real services
        dead_port=$(free_port)
        for name in "${SERVICES[@]}"; do
                if [[ ! -x $BUILD_DIR/bin/tandem-$name ]]; then
                        info "$BUILD_DIR/bin/tandem-$name is missing (make all)"
                        record integration 0 1 "tandem-$name not built"
                        return 0
                fi
                dead_evidence=()
                [[ $name == phases ]] && dead_evidence=(
                        "TANDEM_MENTORING_URL=http://127.0.0.1:$dead_port"
                        "TANDEM_STRATEGY_URL=http://127.0.0.1:$dead_port")
                start_service "$name" "${port_of[$name]}" "$LOGDIR/$name.log" \
                        TANDEM_DATABASE_URL="$(pg_url "$TANDEM_RUNDIR/pg")" \
                        TANDEM_JWT_SECRET="$secret" \
                        TANDEM_JWT_ISSUER="$issuer" \
                        TANDEM_JWT_AUDIENCE="$audience" \
                        TANDEM_SCIM_TOKEN="$scim_token" \
                        TANDEM_MAX_BODY_BYTES="$MAX_BODY" \
                        TANDEM_LOG_LEVEL=info \
                        TANDEM_WEBHOOK_ALLOW=loopback \
                        TANDEM_WEBHOOK_RETRY_BASE_MS=100 \
                        TANDEM_WEBHOOK_SECRET_KEY="$webhook_key" \
                        "${peers[@]}" "${dead_evidence[@]}"
                pid=$STARTED_PID
                if ! wait_http "http://127.0.0.1:${port_of[$name]}/readyz" "$READY_TIMEOUT" "$pid"; then
                        record integration 0 1 "$name did not become ready"
                        return 0
                fi
                info "$name ready on 127.0.0.1:${port_of[$name]} (pid $pid)"
        done
        svc_port=${port_of[people]}

        step "(e) nginx gateway"
        gw_port=$(free_port)
        render_nginx_conf "$TANDEM_RUNDIR/gateway" "$gw_port" "$MAX_BODY" "$LOGDIR" \
                "${upstreams[@]}"
        if ! nginx_start "$TANDEM_RUNDIR/gateway" ||
                ! wait_http "http://127.0.0.1:$gw_port/healthz" 10; then
                record integration 0 1 "nginx did not start"
                return 0
        fi
        info "gateway on 127.0.0.1:$gw_port"

        step "(f) integration tests (node --test tests/integration/)"
        run_node_tests "$svc_port" "$gw_port" "$pg_port" "$secret" "$issuer" "$audience" \
                "$scim_token" "$dead_port" "${upstreams[@]}"

        step "(g) shutdown: SIGTERM, clean exit, no sanitizer or valgrind reports"
        nginx_stop "$TANDEM_RUNDIR/gateway"
        for name in "${SERVICES[@]}"; do
                rc=0
                stop_service "$name" || rc=$?
                if ((rc == 0)); then
                        info "$name: exited 0"
                        record "stop $name" 1 0
                else
                        info "$name: exit status $rc after SIGTERM"
                        record "stop $name" 0 1 "exit status $rc"
                fi
        done
        check_reports
}

run_node_tests() {
        local svc_port=$1 gw_port=$2 pg_port=$3 secret=$4 issuer=$5 audience=$6 scim_token=$7
        local dead_port=$8
        local tap=$LOGDIR/integration.tap rc=0 pass fail cancelled up name phases_wrap
        local -a files=() conc=() urls=() targets=(tests/integration/)
        [[ -n ${TANDEM_TEST_FILES:-} ]] && read -r -a targets <<<"$TANDEM_TEST_FILES"
        shift 8
        # TANDEM_TEST_<NAME>_URL for every service (NAME=HOST:PORT arguments)
        for up in "$@"; do
                name=${up%%=*}
                urls+=("TANDEM_TEST_${name^^}_URL=http://${up#*=}")
        done
        mapfile -t files < <(find tests/integration -type f \( -name '*.test.*js' -o -name '*-test.*js' \
                -o -name '*_test.*js' -o -name 'test-*.*js' -o -name 'test.*js' \) 2>/dev/null)
        local -a targets=(tests/integration/)
        if [[ -n ${TANDEM_TEST_FILES:-} ]]; then
                read -r -a targets <<<"$TANDEM_TEST_FILES"
                for name in "${targets[@]}"; do
                        [[ -f $name ]] || die "TANDEM_TEST_FILES: no file $name"
                done
                files=("${targets[@]}")
        fi
        if ((${#files[@]} == 0)); then
                info "no tests in tests/integration yet: skipped"
                record integration 0 0 "skipped: no test files"
                return 0
        fi
        if [[ -f tests/package.json && ! -d tests/node_modules ]]; then
                info "tests/node_modules is missing: run make deps"
                record integration 0 1 "tests/node_modules missing"
                return 0
        fi
        # (a here-string, not node | grep -q: grep closing the pipe early is a SIGPIPE)
        [[ $(node --help 2>/dev/null) == *--test-concurrency* ]] && conc=(--test-concurrency=1)
        local extra_wrap phases_wrap
        extra_wrap=$(expand_wrapper "${TANDEM_SERVICE_WRAPPER:-}" people-extra "$LOGDIR")
        phases_wrap=$(expand_wrapper "${TANDEM_SERVICE_WRAPPER:-}" phases-extra "$LOGDIR")
        # SCIM is served by the people service; its spec is api-specs/scim.yaml.
        # TANDEM_TEST_DEAD_URL: where nothing listens (see dead_port)
        env "${urls[@]}" \
                "TANDEM_TEST_PEOPLE_URL=http://127.0.0.1:$svc_port" \
                "TANDEM_TEST_SCIM_URL=http://127.0.0.1:$svc_port" \
                "TANDEM_TEST_SCIM_TOKEN=$scim_token" \
                "TANDEM_TEST_DEAD_URL=http://127.0.0.1:$dead_port" \
                "TANDEM_TEST_PHASES_BIN=$BUILD_DIR/bin/tandem-phases" \
                "TANDEM_TEST_PHASES_WRAPPER=$phases_wrap" \
                "TANDEM_TEST_LOGDIR=$LOGDIR" \
                "TANDEM_TEST_GATEWAY_URL=http://127.0.0.1:$gw_port" \
                "TANDEM_TEST_DATABASE_URL=$(pg_tcp_url "$pg_port")" \
                "TANDEM_TEST_JWT_SECRET=$secret" \
                "TANDEM_TEST_JWT_ISSUER=$issuer" \
                "TANDEM_TEST_JWT_AUDIENCE=$audience" \
                "TANDEM_TEST_MAX_BODY=$MAX_BODY" \
                "TANDEM_TEST_PEOPLE_BIN=$BUILD_DIR/bin/tandem-people" \
                "TANDEM_TEST_STRATEGY_BIN=$BUILD_DIR/bin/tandem-strategy" \
                "TANDEM_TEST_TOKEN_BIN=$BUILD_DIR/bin/tandem-token" \
                "TANDEM_TEST_PROBE_BIN=$BUILD_DIR/bin/tandem-probe" \
                "TANDEM_TEST_SERVICE_WRAPPER=$extra_wrap" \
                "TANDEM_TEST_RUNDIR=$TANDEM_RUNDIR" \
                timeout --kill-after=10 "$TEST_TIMEOUT" \
                node --test "${conc[@]}" \
                --test-reporter=spec --test-reporter-destination=stdout \
                --test-reporter=tap --test-reporter-destination="$tap" \
                "${targets[@]}" </dev/null &
        # in the background so a signal reaches the trap at once; timeout leads its
        # own process group, which cleanup kills whole (node's per-file children too)
        NODE_PID=$!
        wait "$NODE_PID" || rc=$?
        NODE_PID=""
        read -r pass fail cancelled < <(awk '
                /^# pass /      { p = $3 }
                /^# fail /      { f = $3 }
                /^# cancelled / { c = $3 }
                END { print p + 0, f + 0, c + 0 }' "$tap" 2>/dev/null || echo 0 0 0)
        fail=$((fail + cancelled))
        if ((rc == 124 || rc == 137)); then
                record integration "$pass" $((fail + 1)) "timed out after ${TEST_TIMEOUT}s"
        elif ((rc != 0 && fail == 0)); then
                record integration "$pass" 1 "node exited $rc"
        else
                record integration "$pass" "$fail"
        fi
}

# Sanitizer and valgrind reports in the services' logs (unit logs are judged
# by their exit status in stage (a)).
check_reports() {
        local f hits=0
        for f in "$LOGDIR"/*; do
                [[ -f $f ]] || continue
                case $(basename "$f") in unit-* | lint.log | services.log | symbols.log | integration.* | gateway-*) continue ;; esac
                if grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$f"; then
                        info "report in $(basename "$f"):"
                        grep -E -m 5 'ERROR: |runtime error:|ERROR SUMMARY|definitely lost' "$f" | sed 's/^/      /'
                        hits=$((hits + 1))
                fi
                if [[ $(basename "$f") == valgrind-* ]] && ! grep -q 'ERROR SUMMARY:' "$f"; then
                        info "$(basename "$f"): valgrind wrote no summary (killed?)"
                        hits=$((hits + 1))
                fi
        done
        if ((hits == 0)); then
                record reports 1 0
        else
                record reports 0 "$hits"
        fi
}

# ---- (h) fuzzing ----------------------------------------------------------------------
# One result per harness.  Short inputs and a per-input timeout keep the stage
# bounded; make fuzz runs the same harnesses for longer with inputs up to the
# body limit.
stage_fuzz() {
        local secs=${TANDEM_FUZZ_BRIEF_SECONDS:-60} results=$LOGDIR/fuzz.results p f
        step "(h) fuzzing (tests/fuzz/run.sh, ${secs}s in all)"
        : >"$results"
        TANDEM_FUZZ_SECONDS=$secs TANDEM_FUZZ_MAX_LEN=4096 TANDEM_FUZZ_TIMEOUT=10 \
                TANDEM_FUZZ_RSS_MB=2048 TANDEM_FUZZ_LOGDIR=$LOGDIR TANDEM_FUZZ_RESULTS=$results \
                bash tests/fuzz/run.sh </dev/null || true
        p=$(awk '$2 == "ok"' "$results" | wc -l)
        f=$(awk '$2 != "ok"' "$results" | wc -l)
        if ((p + f == 0)); then
                record fuzz 0 1 "tests/fuzz/run.sh ran no harness"
        else
                record fuzz "$p" "$f"
        fi
}

printf 'tandem tests: build %s, stages %s, run dir %s\n' "$TANDEM_BUILD" "$ONLY" "$TANDEM_RUNDIR"
# (if, not &&: a function called from an && list runs with set -e ignored)
if want unit; then stage_unit; stage_symbols; fi
if want lint; then stage_lint; stage_services; fi
if want integration; then stage_integration; fi
if want fuzz; then stage_fuzz; fi
COMPLETED=1
((FAILED == 0)) # cleanup (the EXIT trap) prints the summary
