#!/usr/bin/env bash
# Lints every OpenAPI document in api-specs/ with Redocly CLI and Spectral,
# both from the npm packages pinned in tests/package.json (run `npm ci` in
# tests/ first; this script does it when tests/node_modules is missing).
# Exits non-zero when either linter reports an error (or any warning: the
# specs are kept warning-free, so a new warning fails the lint too).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bin="$here/node_modules/.bin"

if [[ ! -x "$bin/redocly" || ! -x "$bin/spectral" ]]; then
        (cd "$here" && npm ci --no-audit --no-fund)
fi

# No telemetry or update checks: the linters must work offline.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export NO_UPDATE_NOTIFIER=1

cd "$root"
# The OpenAPI documents: every api-specs/*.yaml with a top-level `openapi:`
# (api-specs/redocly.yaml is the Redocly configuration, not a spec).
specs=()
for f in api-specs/*.yaml; do
        [[ -f "$f" ]] && grep -q '^openapi:' "$f" && specs+=("$f")
done
if (( ${#specs[@]} == 0 )); then
        echo "lint-specs: no OpenAPI documents in api-specs/" >&2
        exit 1
fi

status=0

echo "== redocly lint ${specs[*]}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# Redocly exits non-zero on errors only; a warning line fails the lint too.
if ! "$bin/redocly" lint --config api-specs/redocly.yaml --format=stylish \
        --max-problems=200 "${specs[@]}" >"$out" 2>&1; then
        status=1
fi
# Drop the boxed "Node.js 20 support is ending" notice; keep everything else.
grep -v -e '║' -e '╔' -e '╚' "$out" || true
if grep -Eq '^[[:space:]]+[0-9]+:[0-9]+[[:space:]]+warning' "$out"; then
        echo "lint-specs: redocly reported warnings" >&2
        status=1
fi

echo "== spectral lint ${specs[*]}"
if ! "$bin/spectral" lint --ruleset "$here/.spectral.yaml" --fail-severity=warn \
        --display-only-failures "${specs[@]}"; then
        status=1
fi

if (( status == 0 )); then
        echo "lint-specs: OK (${#specs[@]} specs, redocly and spectral clean)"
else
        echo "lint-specs: FAILED" >&2
fi
exit "$status"
