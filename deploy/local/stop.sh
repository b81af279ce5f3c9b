#!/usr/bin/env bash
# deploy/local/stop.sh (make stop): stops whatever ./var/run recorded: the
# services (SIGTERM, then SIGKILL after TANDEM_STOP_TIMEOUT s), the gateway and
# the PostgreSQL cluster that make run started.  Safe to run at any time.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/lib.sh
source deploy/local/lib.sh

rundir=$TANDEM_ROOT/var/run
if [[ ! -d $rundir ]]; then
        echo "stop: nothing recorded in var/run"
        exit 0
fi
stop_all "$rundir"
echo "stop: done"
