// A measurement, not part of make test: how fast notify delivers nudges to an
// SMTP server on loopback.  It puts NUDGE_BENCH_N (1000) stalled partners
// straight into notify's read model, starts a notify instance with an SMTP
// sink, and prints the time until every message arrived and the instance's
// peak RSS:
//   NUDGE_BENCH_N=1000 TANDEM_TEST_ONLY=integration \
//     TANDEM_TEST_FILES=tests/bench/nudges-delivery.test.mjs make test
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { requireEnv } from '../integration/lib/http.mjs';
import { query } from '../integration/lib/db.mjs';
import { startService } from '../integration/lib/spawn.mjs';

const N = Number(process.env.NUDGE_BENCH_N ?? 1000);
it(`delivers ${N} nudges`, async () => {
  let got = 0;
  let first = 0;
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, disableReverseLookup: true,
    onData(stream, session, cb) { stream.on('data', () => {}); stream.on('end', () => { got++; cb(); }); } });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const prog = randomUUID();
  await query(`INSERT INTO notify.att_person (id, display_name, email, timezone, roles, status, profile_due)
    SELECT gen_random_uuid(), 'Bench ' || g, 'bench-' || g || '-' || $2 || '@example.com', 'UTC', '{partner}', 'active', false
      FROM generate_series(1, $1::int) g`, [N, prog.slice(0, 8)]);
  await query(`INSERT INTO notify.att_enrolment (id, person_id, programme_id, status, current_phase, phases, stall_days, moved_at, stalled_at, updated_at)
    SELECT gen_random_uuid(), p.id, $1::uuid, 'active', 'research', '[]', 7, now() - interval '14.5 days', now() - interval '7.5 days', now()
      FROM notify.att_person p WHERE p.email LIKE 'bench-%-' || $2 || '@example.com'`, [prog, prog.slice(0, 8)]);
  await query(`UPDATE notify.nudge_settings SET quiet_start = 0, quiet_end = 0, quiet_weekends = false`);
  const t0 = Date.now();
  const inst = await startService('notify', { name: 'notify-bench', env: {
    TANDEM_PEOPLE_URL: requireEnv('TANDEM_TEST_PEOPLE_URL'), TANDEM_PHASES_URL: requireEnv('TANDEM_TEST_PHASES_URL'),
    TANDEM_MENTORING_URL: requireEnv('TANDEM_TEST_MENTORING_URL'), TANDEM_STRATEGY_URL: requireEnv('TANDEM_TEST_STRATEGY_URL'),
    TANDEM_SMTP_URL: `smtp://127.0.0.1:${server.server.address().port}`, TANDEM_NUDGE_INTERVAL_MS: '200', TANDEM_THREADS: '4', TANDEM_DB_POOL_SIZE: '6' } });
  await inst.waitReady();
  const t1 = Date.now();
  while (got < N && Date.now() - t1 < 300000) {
    if (got > 0 && !first) first = Date.now();
    await new Promise((r) => setTimeout(r, 50));
  }
  const t2 = Date.now();
  const rss = (await import('node:fs')).readFileSync(`/proc/${inst.child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)[1];
  const [{ plan }] = await query(`SELECT count(*)::int AS plan FROM notify.nudge WHERE programme_id = $1 AND status = 'sent'`, [prog]);
  console.log(`BENCH n=${N} received=${got} sent_rows=${plan} ready_after=${t1 - t0}ms first_after=${first - t1}ms all_after=${t2 - t1}ms rate=${(got / ((t2 - (first || t1)) / 1000)).toFixed(0)}/s peak_rss_kb=${rss}`);
  await inst.stop();
  server.close();
  assert.equal(got, N);
});
