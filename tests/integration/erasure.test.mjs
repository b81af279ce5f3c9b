// Erasure reaches every service (issue 12, consequence 3): a partner with a
// whole journey (enrolment, sessions with write-up and private note, a
// learning, checklist item and completion, a playbook with revisions and a
// comment) is erased in people; phases, mentoring and strategy remove or
// anonymise their words and confirm, which the erasure report shows; then no
// table of any schema holds a word of theirs, while the rows statistics count
// stay.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus } from './lib/http.mjs';
import { adminToken, createMentor, createPairing, createPartner, tokenFor, uniq } from './lib/fixtures.mjs';
import { createCompletion, createItem, createSession, holdSession, m } from './lib/mentoring.mjs';
import { createPlaybook, playbookBody, programme, sapi, savePlaybook } from './lib/strategy.mjs';
import { enrol, overrideAdvance } from './lib/phases.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every row of every table of every schema but PostgreSQL's own whose text
// holds @word: [{table, rows}].
async function hits(word) {
  const tables = await db.query(
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  assert.ok(tables.length > 20, `only ${tables.length} tables found`);
  const out = [];
  for (const { t } of tables) {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM ${t} x WHERE strpos(x::text, $1) > 0`, [word]);
    if (n > 0) out.push({ table: t, rows: n });
  }
  return out;
}

describe('erasure reaches every service', () => {
  it('a partner with a full journey erased: every service confirms, and no table holds their words', async () => {
    const W = `Quokkaword${uniq(4)}`;
    const mentor = await createMentor();
    const partner = await createPartner({ display_name: `Pat ${W}`, purpose: `Purpose ${W}` });
    const pairing = await createPairing(mentor, partner);
    const pt = tokenFor(partner);
    const mt = tokenFor(mentor);

    // phases: enrolled and moved on, with a reason about them
    const enrolment = await enrol(partner);
    await overrideAdvance(enrolment.id, `Moved on because ${W}`);

    // mentoring: a session the partner scheduled, held and written up, a private note,
    // a learning, an item of their own and a completion with a reflection
    const s = await createSession(pairing, pt, { agenda: `Agenda ${W}`, objectives: [`Objective ${W}`] });
    await holdSession(s, mt);
    expectStatus(await m('PATCH', `/v1/sessions/${s.id}/write-up`, { token: pt, body: { partner_reflection: `Reflection ${W}` } }), 200);
    expectStatus(await m('PUT', `/v1/sessions/${s.id}/private-notes`, { token: pt, body: { text: `Private ${W}` } }), 201);
    expectStatus(await m('POST', '/v1/learnings', {
      token: pt, body: { kind: 'insight', text: `Learning ${W}`, visibility: 'pairing', pairing_id: pairing.id },
    }), 201);
    const item = await createItem(partner, pt, { title: `Item ${W}` });
    await createCompletion(partner, item, pt, { reflection: `Done ${W}` });

    // strategy: a playbook with two revisions and a comment
    const pb = await createPlaybook(pt, playbookBody(programme(), { purpose: `Purpose ${W}`, voice: `Voice ${W}` }));
    await savePlaybook(pt, pb.id, { vision: `Vision ${W}` });
    expectStatus(await sapi('POST', `/v1/playbooks/${pb.id}/comments`, { token: pt, body: { section: 'voice', body: `Comment ${W}` } }), 201);

    const before = await hits(W);
    const schemas = new Set(before.map((h) => h.table.split('.')[0]));
    for (const schema of ['people', 'phases', 'mentoring', 'strategy']) {
      assert.ok(schemas.has(schema), `the search finds their words in ${schema} before: ${JSON.stringify(before)}`);
    }
    const pending = expectStatus(await api('GET', `/v1/people/${partner.id}/erasure`, { token: adminToken() }), 200).body;
    assert.equal(pending.erased_at, null);
    assert.equal(pending.complete, false);

    expectStatus(await api('DELETE', `/v1/people/${partner.id}`, { token: adminToken() }), 204);

    let report;
    const since = Date.now();
    for (let i = 0; i < 100; i++) {
      report = expectStatus(await api('GET', `/v1/people/${partner.id}/erasure`, { token: adminToken() }), 200).body;
      if (report.complete || Date.now() - since > 10000) break;
      await sleep(100);
    }
    assert.equal(report.complete, true, `not every service confirmed: ${JSON.stringify(report)}`);
    const by = Object.fromEntries(report.services.map((x) => [x.service, x]));
    assert.deepEqual(Object.keys(by), ['people', 'phases', 'mentoring', 'strategy']);
    for (const x of report.services) assert.ok(Date.parse(x.confirmed_at) >= Date.parse(report.erased_at) - 1000);
    assert.equal(by.people.removed.profile, 1);
    assert.ok(by.phases.removed.enrolment_reasons >= 1, JSON.stringify(by.phases));
    for (const kind of ['sessions', 'private_notes', 'learnings', 'checklist_items', 'completion_reflections']) {
      assert.ok(by.mentoring.removed[kind] >= 1, `mentoring removed no ${kind}: ${JSON.stringify(by.mentoring)}`);
    }
    for (const kind of ['playbooks', 'playbook_revisions', 'playbook_comments']) {
      assert.ok(by.strategy.removed[kind] >= 1, `strategy removed no ${kind}: ${JSON.stringify(by.strategy)}`);
    }

    assert.deepEqual(await hits(W), [], 'a word of theirs is still stored');

    // the rows statistics count stay
    const [session] = await db.query('SELECT status FROM mentoring.session WHERE id = $1', [s.id]);
    assert.equal(session.status, 'held');
    assert.equal((await db.query('SELECT 1 FROM strategy.playbook WHERE id = $1', [pb.id])).length, 1);
    assert.equal((await db.query('SELECT 1 FROM phases.enrolment WHERE id = $1', [enrolment.id])).length, 1);
    assert.equal((await db.query('SELECT 1 FROM mentoring.completion WHERE partner_id = $1', [partner.id])).length, 1);
  });

  it('the erasure report: admin only; 404 for nobody', async () => {
    const p = await createPartner();
    expectStatus(await api('GET', `/v1/people/${p.id}/erasure`, { token: tokenFor(p) }), 403);
    expectStatus(await api('GET', '/v1/people/00000000-0000-4000-8000-000000000000/erasure', { token: adminToken() }), 404);
  });
});
