#!/usr/bin/env bash
# tests/check-services.sh (make test, with the lint stage): every list of the
# suite's services agrees with services.txt, the one declaration.
#   made from it:   the Makefile's SERVICES, tests/run-all.sh, deploy/local/run.sh,
#                   deploy/k8s (render.sh --check: the committed manifests are current)
#   checked here:   docker-compose.yml (a service with its port, the gateway's
#                   TANDEM_UPSTREAM_<NAME>), the nginx template (an upstream per
#                   service), shared/config.c (every TANDEM_<NAME>_URL names a service),
#                   each service's migrations (numbered once each, rising: the
#                   check of tools/embed-sql.sh, and that check itself)
# Prints one line per fault and exits 1 when there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

faults=0
fault() {
        echo "services: $*"
        faults=$((faults + 1))
}
words() { tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' '; }

declare -A PORT=()
while read -r name port _; do
        PORT[$name]=$port
done < <(awk '!/^#/ && NF' services.txt)
want=$(printf '%s\n' "${!PORT[@]}" | words)
((${#PORT[@]} > 0)) || fault "services.txt lists no service"

got=$(make -s --no-print-directory print-services | words)
[[ $got == "$want" ]] || fault "Makefile SERVICES ($got) is not services.txt ($want)"
for f in tests/run-all.sh deploy/local/run.sh deploy/k8s/render.sh; do
        grep -q 'services\.txt' "$f" || fault "$f does not read services.txt"
done
got=$(bash deploy/k8s/render.sh --list | words)
[[ $got == "$want" ]] || fault "deploy/k8s/render.sh --list ($got) is not services.txt ($want)"
bash deploy/k8s/render.sh --check || fault "deploy/k8s is stale: run bash deploy/k8s/render.sh"

# docker-compose.yml: each service built with its port, and the gateway's upstream
got=$(grep -oE 'SERVICE: [a-z]+,' docker-compose.yml | awk '{ sub(",", "", $2); print $2 }' | words)
[[ $got == "$want" ]] || fault "docker-compose.yml builds ($got), services.txt lists ($want)"
for name in "${!PORT[@]}"; do
        grep -qE "SERVICE: $name, PORT: \"${PORT[$name]}\"" docker-compose.yml ||
                fault "docker-compose.yml: $name is not built with PORT ${PORT[$name]}"
        grep -qE "TANDEM_UPSTREAM_${name^^}: $name:${PORT[$name]}\$" docker-compose.yml ||
                fault "docker-compose.yml: the gateway has no TANDEM_UPSTREAM_${name^^}: $name:${PORT[$name]}"
done

# the nginx template: one upstream per service, filled from UPSTREAM_<NAME>
tmpl=deploy/nginx/tandem.conf.template
got=$(grep -oE '^ *upstream [a-z]+ \{' "$tmpl" | awk '{ print $2 }' | words)
[[ $got == "$want" ]] || fault "$tmpl has upstreams ($got), services.txt lists ($want)"
for name in "${!PORT[@]}"; do
        grep -qF "server \${UPSTREAM_${name^^}}" "$tmpl" || fault "$tmpl: upstream $name is not \${UPSTREAM_${name^^}}"
        grep -qF "proxy_pass http://$name;" "$tmpl" || fault "$tmpl: nothing is routed to $name"
done

# shared/config.c: the peers a service may call are services of the suite
while read -r var; do
        name=${var#TANDEM_}
        name=${name%_URL}
        name=${name,,}
        [[ -n ${PORT[$name]:-} ]] || fault "shared/config.c reads $var, but services.txt has no $name"
done < <(grep -oE 'TANDEM_[A-Z]+_URL' shared/config.c | grep -v DATABASE | sort -u)

# each service's migrations: versions once each and rising (tools/embed-sql.sh
# refuses the build otherwise), and that refusal itself, on two files of one version
for name in "${!PORT[@]}"; do
        mapfile -t files < <(printf '%s\n' services/"$name"/sql/*.sql | sort)
        bash tools/embed-sql.sh "$name" "${files[@]}" >/dev/null 2>&1 ||
                fault "services/$name/sql: two migrations of one version, or one that is not numbered"
done
scratch=$(mktemp -d)
printf 'SELECT 1;\n' >"$scratch/0001_a.sql"
printf 'SELECT 2;\n' >"$scratch/0001_b.sql"
if bash tools/embed-sql.sh selftest "$scratch/0001_a.sql" "$scratch/0001_b.sql" >/dev/null 2>&1; then
        fault "tools/embed-sql.sh took two migrations numbered 0001"
fi
rm -rf "$scratch"

if ((faults > 0)); then
        echo "services: $faults fault(s)"
        exit 1
fi
echo "services: $(wc -w <<<"$want") services agree across services.txt, the Makefile, run-all.sh, run.sh, deploy/k8s, docker-compose.yml and the nginx template"
