#!/usr/bin/env bash
# tests/check-symbols.sh: no service defines a global symbol that libtandem.a
# also defines.  When it does, the linker quietly takes the service's copy for
# every caller inside that binary, shared code included (a shared function then
# calls a namesake with another signature).  Compares `nm` of each service's
# objects with `nm` of the library; prints every clash and exits 1 on any.
#
#   bash tests/check-symbols.sh [BUILD_DIR]     (default: $TANDEM_BUILD or build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-${TANDEM_BUILD:-build}}
LIB=$BUILD_DIR/libtandem.a

# defined, external symbols of the given objects: one name a line, sorted
defined() {
        nm -g --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u
}

[[ -f $LIB ]] || { echo "check-symbols: $LIB is missing (make all)"; exit 1; }
lib_syms=$(mktemp)
trap 'rm -f "$lib_syms"' EXIT
defined "$LIB" >"$lib_syms"
clashes=0 services=0
for dir in services/*/; do
        name=$(basename "$dir")
        objs=()
        # the objects of today's sources (a stale object of a deleted file is no clash)
        for src in "$dir"*.c "$BUILD_DIR/services/$name/migrations_gen.c"; do
                obj=$BUILD_DIR/${src#"$BUILD_DIR"/}
                obj=${obj%.c}.o
                [[ -f $obj ]] || { echo "check-symbols: $obj is missing (make all)"; exit 1; }
                objs+=("$obj")
        done
        services=$((services + 1))
        while read -r sym; do
                [[ -n $sym ]] || continue
                echo "check-symbols: tandem-$name defines '$sym', which libtandem.a also defines"
                clashes=$((clashes + 1))
        done < <(comm -12 <(defined "${objs[@]}") "$lib_syms")
done
if ((clashes > 0)); then
        echo "check-symbols: $clashes clash(es): rename the service's symbol or make it static"
        exit 1
fi
echo "check-symbols: $services services, $(wc -l <"$lib_syms") library symbols, no clash"
