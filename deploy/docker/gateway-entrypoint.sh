#!/usr/bin/env bash
# deploy/docker/gateway-entrypoint.sh: the gateway container's entry point.
# Renders deploy/nginx/tandem.conf.template (with render_nginx_conf from
# deploy/local/lib.sh, the same code make run uses) from the environment into
# /tmp/nginx, then runs nginx in the foreground as PID 1.  Writes only under
# /tmp, so the root filesystem can be read-only.
#
#   TANDEM_UPSTREAM_<NAME>   host:port of each service (people:8081, ...): one
#                            per upstream in the template, or it refuses to start
#   TANDEM_LISTEN_ADDR       address to listen on (0.0.0.0)
#   TANDEM_PORT              port to listen on (8080)
#   TANDEM_MAX_BODY_BYTES    request body cap, as the services' (65536)
#   TANDEM_NGINX_WORKERS     worker processes (1); TANDEM_NGINX_KEEPALIVE (64)
# Logs: the access log (JSON lines) on stdout, errors on stderr.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source /opt/tandem/deploy/local/lib.sh

run=/tmp/nginx
mkdir -p "$run/log"
ln -sfn /dev/stdout "$run/log/gateway-access.log"
ln -sfn /dev/stderr "$run/log/gateway-error.log"

upstreams=()
while IFS='=' read -r var value; do
        name=${var#TANDEM_UPSTREAM_}
        upstreams+=("${name,,}=$value")
done < <(env | grep -E '^TANDEM_UPSTREAM_[A-Z]+=' | sort)
((${#upstreams[@]} > 0)) || die "set TANDEM_UPSTREAM_<NAME>=host:port for each service"

TANDEM_GATEWAY_LISTEN=${TANDEM_LISTEN_ADDR:-0.0.0.0} \
        render_nginx_conf "$run" "${TANDEM_PORT:-8080}" "${TANDEM_MAX_BODY_BYTES:-65536}" \
        "$run/log" "${upstreams[@]}"
echo "gateway: listening on ${TANDEM_LISTEN_ADDR:-0.0.0.0}:${TANDEM_PORT:-8080}," \
        "upstreams ${upstreams[*]}" >&2
exec nginx -p "$run/" -c "$run/nginx.conf" -e stderr -g 'daemon off;'
