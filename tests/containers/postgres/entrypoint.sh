#!/usr/bin/env bash
# The stand-in postgres:15's entry point (see Dockerfile): on an empty data
# directory, initdb with POSTGRES_USER and POSTGRES_PASSWORD (password
# authentication over TCP, trust on the local socket, as the official image),
# and POSTGRES_DB created in single-user mode; then exec the command.
set -euo pipefail
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [[ ${1:-} == postgres && ! -s $PGDATA/PG_VERSION ]]; then
        [[ -n ${POSTGRES_PASSWORD:-} ]] || { echo "set POSTGRES_PASSWORD" >&2; exit 1; }
        pwfile=$(mktemp)
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
        initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust \
                --auth-host=scram-sha-256 --encoding=UTF8 --no-locale >/dev/null
        rm -f "$pwfile"
        echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
        echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
        if [[ $db != postgres ]]; then
                echo "CREATE DATABASE \"$db\" OWNER \"$user\"" |
                        postgres --single -D "$PGDATA" postgres >/dev/null
        fi
        echo "postgres stand-in: initialised $PGDATA (user $user, database $db)" >&2
fi
exec "$@"
