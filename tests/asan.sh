#!/usr/bin/env bash
# tests/asan.sh (make asan): the unit and integration tests against the
# AddressSanitizer/UBSan build (TANDEM_BUILD, default build-asan, built by the
# Makefile's asan target).  Fails on any sanitizer report: in a unit test (its
# exit status) or in a service (its exit status after SIGTERM, and
# "ERROR: AddressSanitizer" / "ERROR: LeakSanitizer" / "runtime error:" in its
# log, checked by run-all.sh stage (g)).  Reuses tests/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

export TANDEM_BUILD=${TANDEM_BUILD:-build-asan}
[[ -x $TANDEM_BUILD/bin/tandem-people ]] || {
        echo "asan: $TANDEM_BUILD/bin/tandem-people is missing: run make asan" >&2
        exit 1
}

supp=$PWD/deploy/lsan.supp
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1:print_summary=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:print_summary=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$supp:print_suppressions=0}
export CK_FORK=no  # leaks are checked when the one test process exits
ulimit -c 0        # abort_on_error: no core files in the tree
export TANDEM_READY_TIMEOUT=${TANDEM_READY_TIMEOUT:-60}
export TANDEM_STOP_TIMEOUT=${TANDEM_STOP_TIMEOUT:-30}
export TANDEM_TEST_ONLY=${TANDEM_TEST_ONLY:-unit,integration}

exec bash tests/run-all.sh
