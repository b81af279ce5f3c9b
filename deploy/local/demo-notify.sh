#!/usr/bin/env bash
# deploy/local/demo-notify.sh: lines notify's read model up with the demo's
# spread-back journeys (make run, after demo-data.sh), so that the demo's
# stalled partners are stalled in notify too: its attention list shows them and
# its nudges go out (logged, or e-mailed when TANDEM_SMTP_URL is set).
#
# The demo spreads the journeys back by writing the phases schema directly
# (demo-phases.sh), which emits no event; notify's model, kept from events,
# would otherwise see every partner as having moved today.  For each active
# enrolment that phases has stalled (no progress for longer than the current
# phase's stall_days), this sets the partner's last movement in notify to
# phases' last progress.  Demo tooling only: the services never read each
# other's schemas.
#
#   TANDEM_DEMO_DATABASE_URL  the database (make run sets it for a cluster it manages)
set -euo pipefail
url=${TANDEM_DEMO_DATABASE_URL:-}
[[ -n $url ]] || exit 0
command -v psql >/dev/null || exit 0
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 "$url" "$@"; }

# notify follows the feeds within a second or two of the demo's last change
for _ in $(seq 1 100); do
        missing=$(sql -c "SELECT count(*) FROM phases.enrolment e
                WHERE NOT EXISTS (SELECT 1 FROM notify.att_enrolment a WHERE a.id = e.id)
                   OR EXISTS (SELECT 1 FROM notify.att_person p WHERE p.id = e.person_id
                              AND p.profile_due)") || missing=1
        [[ $missing == 0 ]] && break
        sleep 0.2
done
[[ $missing == 0 ]] || { echo "demo data: notify has not caught up; its model is left as it is"; exit 0; }

n=$(sql <<'SQL'
SET search_path = notify, public;
WITH stalled AS (
    SELECT e.id, e.person_id, e.last_progress_at
      FROM phases.enrolment e
      JOIN phases.enrolment_phase ph ON ph.enrolment_id = e.id AND ph.position = e.current_position
     WHERE e.status = 'active' AND e.last_progress_at < now() - make_interval(days => ph.stall_days)),
moved AS (
    UPDATE notify.att_enrolment a
       SET moved_at = s.last_progress_at,
           stalled_at = s.last_progress_at + make_interval(days => a.stall_days)
      FROM stalled s WHERE a.id = s.id
    RETURNING a.id, a.person_id, a.moved_at),
people AS (
    UPDATE notify.att_person p SET moved_at = m.moved_at FROM moved m WHERE p.id = m.person_id
    RETURNING p.id)
SELECT count(*) FROM (SELECT notify.att_enrolment_sync(id) FROM moved) x;
SQL
)
echo "demo data: $n stalled partner(s) stalled in notify's read model too (attention and nudges)"
