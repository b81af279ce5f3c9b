#!/usr/bin/env bash
# tests/memcheck.sh (make memcheck): the unit tests and the integration tests
# with every C binary under valgrind.  Fails on any memory error or definite
# leak: in a unit test binary (its exit status), or in a service (its exit
# status after SIGTERM and its valgrind log, checked by run-all.sh stage (g)).
# Reuses tests/run-all.sh with wrappers; the integration tests run unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

vg=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
        --show-leak-kinds=definite --num-callers=40 --child-silent-after-fork=yes
        --suppressions="$PWD/deploy/valgrind.supp")

command -v valgrind >/dev/null || {
        echo "memcheck: valgrind is not installed (make deps)" >&2
        exit 1
}

# unit tests: valgrind's report goes into the unit test's own log (printed on
# failure); CK_FORK=no keeps every test in the one process valgrind watches
export TANDEM_UNIT_WRAPPER="${vg[*]}"
export CK_FORK=no
# services: one valgrind log per process, next to the service log
export TANDEM_SERVICE_WRAPPER="${vg[*]} --log-file=@LOGDIR@/valgrind-@NAME@.%p.log"
# valgrind is 10-50x slower: give start, tests and shutdown more time
export TANDEM_READY_TIMEOUT=${TANDEM_READY_TIMEOUT:-180}
export TANDEM_STOP_TIMEOUT=${TANDEM_STOP_TIMEOUT:-120}
export TANDEM_TEST_TIMEOUT=${TANDEM_TEST_TIMEOUT:-3600}
export TANDEM_TEST_ONLY=${TANDEM_TEST_ONLY:-unit,integration}

exec bash tests/run-all.sh
