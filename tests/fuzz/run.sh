#!/usr/bin/env bash
# tests/fuzz/run.sh: builds and runs the libFuzzer harnesses tests/fuzz/fuzz_*.c,
# one after another, sharing a time budget.  make test runs it briefly (through
# tests/run-all.sh), make fuzz for as long as asked.
#
# Each harness starts from its seeds (tests/fuzz/corpus/NAME, inputs taken from
# the unit tests) and the corpus earlier runs grew ($TANDEM_BUILD/fuzz/corpus/
# NAME, where new inputs go).  A harness that does not build, or whose run ends
# on a crash, a sanitizer report, a leak, an input slower than the timeout or
# memory over the limit, fails; the input that did it is kept in the log dir
# as fuzz-NAME-crash-..., -timeout-..., -oom-... or -leak-....  Replay one with
# $TANDEM_BUILD/fuzz/fuzz_NAME FILE.
#
# Environment:
#   TANDEM_FUZZ_SECONDS   the whole run's budget, shared evenly (default 600)
#   TANDEM_FUZZ_ONLY      comma list of harness names (default: every one)
#   TANDEM_FUZZ_MAX_LEN   longest input tried, bytes (default 65536, the body limit)
#   TANDEM_FUZZ_TIMEOUT   seconds one input may take (default 10)
#   TANDEM_FUZZ_RSS_MB    memory limit of a harness (default 2048)
#   TANDEM_FUZZ_LOGDIR    logs and reproducers (default $TANDEM_BUILD/fuzz/logs)
#   TANDEM_FUZZ_RESULTS   if set, one line "NAME ok|failed RUNS" per harness is
#                         appended to this file (tests/run-all.sh counts them)
#   TANDEM_BUILD          build dir (default build)
# Exits non-zero when a harness failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

TOTAL=${TANDEM_FUZZ_SECONDS:-600}
MAX_LEN=${TANDEM_FUZZ_MAX_LEN:-65536}
TIMEOUT=${TANDEM_FUZZ_TIMEOUT:-10}
RSS_MB=${TANDEM_FUZZ_RSS_MB:-2048}
LOGDIR=${TANDEM_FUZZ_LOGDIR:-$BUILD_DIR/fuzz/logs}
RESULTS=${TANDEM_FUZZ_RESULTS:-}
for v in TOTAL MAX_LEN TIMEOUT RSS_MB; do
        [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "tests/fuzz/run.sh: $v must be a positive whole number"
done
mkdir -p "$LOGDIR"

names=()
for src in tests/fuzz/fuzz_*.c; do
        name=$(basename "$src" .c)
        name=${name#fuzz_}
        if [[ -n ${TANDEM_FUZZ_ONLY:-} && ,$TANDEM_FUZZ_ONLY, != *,$name,* ]]; then
                continue
        fi
        names+=("$name")
done
((${#names[@]} > 0)) || die "tests/fuzz/run.sh: no harness matches '${TANDEM_FUZZ_ONLY:-}'"
PER=$((TOTAL / ${#names[@]}))
((PER >= 1)) || PER=1

result() { # result NAME ok|failed RUNS
        [[ -z $RESULTS ]] || echo "$1 $2 $3" >>"$RESULTS"
}

# A value from libFuzzer's final statistics in @log ("stat::NAME: value").
stat() { awk -v k="stat::$2:" '$1 == k { v = $2 } END { print v + 0 }' "$1"; }

failed=0
printf 'fuzz: %d harnesses, %d s each, inputs up to %d bytes, %d s and %d MB each at most\n' \
        "${#names[@]}" "$PER" "$MAX_LEN" "$TIMEOUT" "$RSS_MB"
for name in "${names[@]}"; do
        bin=$BUILD_DIR/fuzz/fuzz_$name
        log=$LOGDIR/fuzz-$name.log
        corpus=$BUILD_DIR/fuzz/corpus/$name
        if ! make --no-print-directory -s BUILD="$TANDEM_BUILD" "$TANDEM_BUILD/fuzz/fuzz_$name" >"$LOGDIR/fuzz-$name.build.log" 2>&1 </dev/null; then
                info "$name: FAILED: does not build"
                sed 's/^/      /' "$LOGDIR/fuzz-$name.build.log" | tail -n 20
                result "$name" failed 0
                failed=$((failed + 1))
                continue
        fi
        mkdir -p "$corpus"
        rm -f "$LOGDIR/fuzz-$name-"*
        rc=0
        # libFuzzer stops by itself at max_total_time; timeout is the backstop for
        # a harness stuck before it gets there (loading a large corpus, a hang)
        timeout --kill-after=10 $((PER + 120)) "$bin" -max_total_time="$PER" \
                -max_len="$MAX_LEN" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB" \
                -malloc_limit_mb="$RSS_MB" -print_final_stats=1 \
                -artifact_prefix="$LOGDIR/fuzz-$name-" \
                "$corpus" "tests/fuzz/corpus/$name" >"$log" 2>&1 </dev/null || rc=$?
        runs=$(stat "$log" number_of_executed_units)
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 || true)
        if ((rc == 0)); then
                info "$name: ok, $runs runs in ${PER}s (${cov:-no coverage line}, peak $(stat "$log" peak_rss_mb) MB)"
                result "$name" ok "$runs"
                continue
        fi
        failed=$((failed + 1))
        result "$name" failed "$runs"
        info "$name: FAILED (exit status $rc) after $runs runs"
        grep -E 'ERROR: |runtime error:|SUMMARY:|ALARM|out-of-memory|#[0-9]+ 0x' "$log" |
                grep -v -E 'fuzzer::|libc_start|in _start|in main ' | head -n 14 | sed 's/^/      /' || true
        for f in "$LOGDIR/fuzz-$name-"*; do
                [[ -e $f ]] && info "  reproducer: $f (replay: $bin $f)"
        done
done
((failed == 0))
