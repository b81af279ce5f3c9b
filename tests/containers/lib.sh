# shellcheck shell=bash
# tests/containers/lib.sh - the building blocks of make test-containers
# (tests/containers/run.sh): the Debian base images made locally, and a Docker
# engine of the test's own.  Source it after deploy/local/lib.sh.
#
# The engine: its own data root, exec root and socket under one directory
# (ENGINE_DIR), no bridge network and no iptables rules
# (--bridge=none --iptables=false --ip-masq=false --ip6tables=false), so it
# changes nothing on the machine; containers use host networking.

DOCKER_BIN=${TANDEM_DOCKER_BIN:-/usr/bin/docker}     # docker.io's client, the engine's version
DOCKERD_BIN=${TANDEM_DOCKERD_BIN:-/usr/sbin/dockerd}

# apt_mirror SUITE: the first mirror this machine's own apt sources use for
# SUITE (deb822 files in /etc/apt/sources.list.d, then one-line sources.list
# files), so a company mirror or proxy works here as it does for apt; nothing
# when none names it.  TANDEM_APT_SOURCES_DIR (/etc/apt) is for the tests.
apt_mirror() {
        local suite=$1 etc=${TANDEM_APT_SOURCES_DIR:-/etc/apt} f
        for f in "$etc"/sources.list.d/*.sources; do
                [[ -f $f ]] || continue
                awk -v want="$suite" '
                        function flush() { if (deb && uri != "" && has) { print uri; found = 1; exit } }
                        /^[[:space:]]*$/ { flush(); deb = 0; uri = ""; has = 0; next }
                        /^#/ { next }
                        tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
                        tolower($1) == "uris:" { uri = $2 }
                        tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) has = 1 }
                        tolower($1) == "enabled:" && tolower($2) == "no" { deb = 0 }
                        END { if (!found) flush() }' "$f"
        done | sed -n 1p | grep . && return 0
        for f in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
                [[ -f $f ]] || continue
                # deb [options] URI SUITE COMPONENTS...
                awk -v want="$suite" '$1 == "deb" {
                        i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                        if ($(i + 1) == want) { print $i; exit } }' "$f"
        done | sed -n 1p | grep .
}
DEBIAN_MIRROR=${TANDEM_DEBIAN_MIRROR:-$(apt_mirror bookworm || echo http://deb.debian.org/debian)}
DEBIAN_SECURITY_MIRROR=${TANDEM_DEBIAN_SECURITY_MIRROR:-$(apt_mirror bookworm-security ||
        echo http://deb.debian.org/debian-security)}
DEBIAN_MIRROR=${DEBIAN_MIRROR%/}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR%/}
ENGINE_DIR=""
ENGINE_PID=""

dk() {
        "$DOCKER_BIN" "$@"
}

# ---- base images -------------------------------------------------------------
# What the official images set up (debuerreotype), so that a Dockerfile behaves
# here as it does on debian:bookworm from a registry.
rootfs_configure() {
        local root=$1
        rm -f "$root/etc/apt/sources.list"
        cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $DEBIAN_SECURITY_MIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
        # no service starts while packages install in a build
        printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
        chmod 755 "$root/usr/sbin/policy-rc.d"
        cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
        echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
        # a mirror that drops a connection or is mid-sync (Hash Sum mismatch)
        # fails a build on its first run only: retry each download
        echo 'Acquire::Retries "5";' >"$root/etc/apt/apt.conf.d/80-tandem-retries"
        # dpkg without an fsync per file: a build's layer is written in one go
        echo 'force-unsafe-io' >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
        printf 'Apt::AutoRemove::SuggestsImportant "false";\n' \
                >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
}

# rootfs_upgrade ROOT: the point releases and security updates, as in the
# official images, which are rebuilt with them.
rootfs_upgrade() {
        local root=$1 rc=0
        mount -t proc proc "$root/proc"
        chroot "$root" bash -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive \
                apt-get -y -q -o Dpkg::Options::=--force-confold upgrade' || rc=$?
        umount "$root/proc" || umount -l "$root/proc" || true
        return "$rc"
}

# The parts the official -slim variant leaves out, and its dpkg filter, so
# packages installed later leave them out too.
rootfs_slim() {
        local root=$1
        cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
        find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
        find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
        rm -rf "$root"/usr/share/{groff,info,linda,locale,man}/* "$root/usr/share/lintian/overrides"
}

# base_tarballs CACHE: CACHE/bookworm.tar and CACHE/bookworm-slim.tar, made once
# with debootstrap (minbase, like the official images) and kept: a later run
# only imports them.  Needs the Debian mirror the first time.
base_tarballs() {
        local cache=$1 root stamp
        # made again when the recipe below changes
        stamp=$( { declare -f base_tarballs rootfs_configure rootfs_upgrade rootfs_slim
                   echo "$DEBIAN_MIRROR $DEBIAN_SECURITY_MIRROR"; } | sha256sum | cut -c1-16)
        if [[ -s $cache/bookworm.tar && -s $cache/bookworm-slim.tar &&
                $(cat "$cache/base.stamp" 2>/dev/null) == "$stamp" ]]; then
                return 0
        fi
        command -v debootstrap >/dev/null || die "debootstrap is missing (make deps-containers)"
        mkdir -p "$cache"
        root=$cache/rootfs.tmp
        if [[ -d $root ]]; then
                umount "$root/proc" 2>/dev/null || true
                rm -rf "$root"
        fi
        info "debootstrap bookworm from $DEBIAN_MIRROR (once; cached in ${cache#"$TANDEM_ROOT"/})"
        if ! debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" \
                >"$cache/debootstrap.log" 2>&1; then
                tail -n 20 "$cache/debootstrap.log" >&2
                die "debootstrap failed (log: $cache/debootstrap.log)"
        fi
        rootfs_configure "$root"
        rootfs_upgrade "$root" >>"$cache/debootstrap.log" 2>&1 ||
                die "apt-get upgrade in the new root failed (log: $cache/debootstrap.log)"
        rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb \
                "$root"/var/cache/apt/*.bin "$root"/tmp/* "$root"/var/log/apt/* \
                "$root"/var/log/dpkg.log "$root"/var/log/bootstrap.log
        tar --numeric-owner --xattrs -C "$root" -cf "$cache/bookworm.tar.tmp" .
        rootfs_slim "$root"
        tar --numeric-owner --xattrs -C "$root" -cf "$cache/bookworm-slim.tar.tmp" .
        mv "$cache/bookworm.tar.tmp" "$cache/bookworm.tar"
        mv "$cache/bookworm-slim.tar.tmp" "$cache/bookworm-slim.tar"
        echo "$stamp" >"$cache/base.stamp"
        rm -rf "$root"
}

# base_tarballs_locked CACHE: base_tarballs, one run at a time.
base_tarballs_locked() {
        mkdir -p "$1"
        (
                flock 8
                base_tarballs "$1"
        ) 8>"$1/.lock"
}

# base_import CACHE: tags them debian:bookworm and debian:bookworm-slim.
base_import() {
        local cache=$1 v
        for v in bookworm bookworm-slim; do
                dk import --change 'CMD ["bash"]' "$cache/$v.tar" "debian:$v" >/dev/null ||
                        die "docker import of $v failed"
        done
}

# ---- the engine ------------------------------------------------------------------
# engine_start DIR: starts dockerd with everything under DIR (keep DIR short:
# containerd's sockets live under it), exports DOCKER_HOST, and waits until it
# answers; returns 1, with the end of its log, when it cannot start.  dockerd
# does not inherit fd 9 (run.sh's lock), so a run killed outright leaves its
# lock free for the next run to clean up after it.
engine_start() {
        local dir=$1 deadline
        [[ -x $DOCKERD_BIN ]] || die "no Docker engine at $DOCKERD_BIN (make deps-containers)"
        [[ $(id -u) == 0 ]] || die "the Docker engine needs root"
        ENGINE_DIR=$dir
        mkdir -p "$dir/data" "$dir/exec"
        echo '{}' >"$dir/daemon.json"   # nothing from /etc/docker/daemon.json
        "$DOCKERD_BIN" --config-file "$dir/daemon.json" \
                --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
                --host "unix://$dir/docker.sock" \
                --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
                --userland-proxy=false --exec-opt native.cgroupdriver=cgroupfs \
                --log-level=warn >"$dir/dockerd.log" 2>&1 </dev/null 9>&- &
        ENGINE_PID=$!
        export DOCKER_HOST=unix://$dir/docker.sock
        deadline=$((SECONDS + 60))
        until dk version >/dev/null 2>&1; do
                if ! is_running "$ENGINE_PID" || ((SECONDS >= deadline)); then
                        tail -n 30 "$dir/dockerd.log" >&2
                        return 1
                fi
                sleep 0.3
        done
        # the only networks must be host and none: no bridge was made
        # (no grep -q at the end of a pipe: it may close it early, SIGPIPE, 141)
        # shellcheck disable=SC2143
        if [[ -n $(dk network ls --format '{{.Driver}}' | grep -vxE 'host|null') ]]; then
                warn "the engine has a network other than host and none"
                return 1
        fi
}

# engine_stop: removes every container (they are all this test's: the engine
# is its own), stops dockerd (SIGTERM, SIGKILL after 30 s), ends any process
# left that runs from ENGINE_DIR (containerd, shims), unmounts what is still
# mounted below it and removes it.
engine_stop() {
        local dir=$ENGINE_DIR ids pid m
        [[ -n $dir ]] || return 0
        if [[ -n $ENGINE_PID ]] && is_running "$ENGINE_PID"; then
                ids=$(dk -H "unix://$dir/docker.sock" ps -aq 2>/dev/null) || ids=""
                # shellcheck disable=SC2086
                [[ -z $ids ]] || dk -H "unix://$dir/docker.sock" rm -f -v $ids >/dev/null 2>&1 || true
                stop_pid "$ENGINE_PID" dockerd 30 || true
        fi
        for pid in $(pgrep -f -- "$dir/" 2>/dev/null); do
                [[ $pid == "$$" ]] && continue
                pid_matches "$pid" "$dir/" && kill -KILL "$pid" 2>/dev/null || true
        done
        # deepest first
        for m in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done
        rm -rf "$dir"
        ENGINE_DIR=""
        ENGINE_PID=""
}
