// Private notes: seen by their author alone. Every reader is tried: the
// author, the other party, admin, service, viewer, comms, another mentor and
// partner; and every other way out: the session, lists, statistics,
// evidence, the service's log and PostgreSQL's log.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { uniq } from './lib/fixtures.mjs';
import { assertNowhere, cast, createSession, holdSession, m, MISSING } from './lib/mentoring.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const w = {};
const secret = { mentor: `mentor-only-${uniq()}`, partner: `partner-only-${uniq()}` };

before(async () => {
  Object.assign(w, await cast());
  w.S = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
  const put = (tok, text) => m('PUT', `/v1/sessions/${w.S.id}/private-notes`, { token: tok, body: { text } });
  w.mentorNote = expectStatus(await put(w.t.mentor, secret.mentor), 201).body;
  w.partnerNote = expectStatus(await put(w.t.partner, secret.partner), 201).body;
});

const notes = () => `/v1/sessions/${w.S.id}/private-notes`;

describe('private notes: the author reads their own', () => {
  it('the mentor reads the mentor\'s note, and only it', async () => {
    const res = expectStatus(await m('GET', notes(), { token: w.t.mentor }), 200);
    assert.equal(res.body.text, secret.mentor);
    assert.equal(res.body.author_id, w.M.id);
    assert.equal(res.body.session_id, w.S.id);
    assert.equal(etagVersion(res), 1);
    assertNowhere(res.body, secret.partner, 'the mentor\'s read');
  });

  it('the partner reads the partner\'s note, and only it', async () => {
    const res = expectStatus(await m('GET', notes(), { token: w.t.partner }), 200);
    assert.equal(res.body.text, secret.partner);
    assert.equal(res.body.author_id, w.P.id);
    assertNowhere(res.body, secret.mentor, 'the partner\'s read');
  });

  it('replacing a note answers 200 with version 2; a stale If-Match is a 412', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.partner), w.t.partner);
    const p = `/v1/sessions/${s.id}/private-notes`;
    expectStatus(await m('PUT', p, { token: w.t.partner, body: { text: 'first' } }), 201);
    const second = expectStatus(await m('PUT', p, { token: w.t.partner, body: { text: 'second' } }), 200);
    assert.equal(second.body.version, 2);
    expectProblem(
      await m('PUT', p, { token: w.t.partner, body: { text: 'third' }, headers: { 'If-Match': '"1"' } }),
      412,
      'precondition-failed',
    );
    assert.equal(expectStatus(await m('GET', p, { token: w.t.partner }), 200).body.text, 'second');
    expectProblem(await m('DELETE', p, { token: w.t.partner, headers: { 'If-Match': '"1"' } }), 412, 'precondition-failed');
    expectStatus(await m('DELETE', p, { token: w.t.partner }), 204);
    expectProblem(await m('GET', p, { token: w.t.partner }), 404, 'not-found');
    expectProblem(await m('DELETE', p, { token: w.t.partner }), 404, 'not-found');
  });

  it('validates the text: required, 1..10000 characters, nothing else', async () => {
    for (const [body, fields] of [
      [{}, ['text']],
      [{ text: '' }, ['text']],
      [{ text: 'x'.repeat(10001) }, ['text']],
      [{ text: 5 }, ['text']],
      [{ text: 'ok', author_id: w.P.id }, ['author_id']],
    ]) {
      expectProblem(await m('PUT', notes(), { token: w.t.mentor, body, invalid: true }), 400, 'validation', fields);
    }
    assert.equal(expectStatus(await m('GET', notes(), { token: w.t.mentor }), 200).body.text, secret.mentor);
  });
});

describe('private notes: nobody else reads them', () => {
  const others = [
    ['admin', 403],
    ['service', 403],
    ['viewer', 403],
    ['comms', 403],
    ['mentor2', 403],
    ['partner2', 403],
    ['loner', 403],
  ];
  for (const [role, status] of others) {
    it(`${role} gets ${status} and no text`, async () => {
      const res = await m('GET', notes(), { token: w.t[role] });
      expectProblem(res, status, 'forbidden');
      assertNowhere(res.text, secret.mentor, `${role}'s answer`);
      assertNowhere(res.text, secret.partner, `${role}'s answer`);
    });
  }

  it('the other party gets a 404 for the note they do not keep, never the other\'s', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    const p = `/v1/sessions/${s.id}/private-notes`;
    const text = `only-the-mentor-${uniq()}`;
    expectStatus(await m('PUT', p, { token: w.t.mentor, body: { text } }), 201);
    const res = await m('GET', p, { token: w.t.partner });
    expectProblem(res, 404, 'not-found');
    assertNowhere(res.text, text, 'the partner\'s answer');
    // deleting "your" note does not touch the other's
    expectProblem(await m('DELETE', p, { token: w.t.partner }), 404, 'not-found');
    assert.equal(expectStatus(await m('GET', p, { token: w.t.mentor }), 200).body.text, text);
  });

  it('nobody but the session\'s mentor and partner may write one', async () => {
    for (const role of ['admin', 'mentor2', 'partner2', 'service']) {
      expectProblem(await m('PUT', notes(), { token: w.t[role], body: { text: 'mine' } }), 403, 'forbidden');
      expectProblem(await m('DELETE', notes(), { token: w.t[role] }), 403, 'forbidden');
    }
    for (const role of ['viewer', 'comms']) {
      expectProblem(await m('PUT', notes(), { token: w.t[role], body: { text: 'mine' } }), 403, 'forbidden');
    }
    const rows = await db.query('SELECT author_id FROM mentoring.private_note WHERE session_id = $1 ORDER BY author_id', [w.S.id]);
    assert.deepEqual(rows.map((r) => r.author_id).sort(), [w.M.id, w.P.id].sort());
  });

  it('a session that does not exist is a 404, whatever the reader', async () => {
    expectProblem(await m('GET', `/v1/sessions/${MISSING}/private-notes`, { token: w.t.mentor }), 404, 'not-found');
    expectProblem(await m('GET', '/v1/sessions/not-a-uuid/private-notes', { token: w.t.mentor, invalid: true }), 404, 'not-found');
  });
});

describe('private notes appear nowhere else', () => {
  it('not in the session, for any reader', async () => {
    for (const role of ['mentor', 'partner', 'admin', 'service']) {
      const res = expectStatus(await m('GET', `/v1/sessions/${w.S.id}`, { token: w.t[role] }), 200);
      assertNowhere(res.text, secret.mentor, `GET session as ${role}`);
      assertNowhere(res.text, secret.partner, `GET session as ${role}`);
    }
  });

  it('not in session lists, statistics or evidence', async () => {
    const reads = [
      ['GET', `/v1/sessions?pairing_id=${w.MP.id}`, 'mentor'],
      ['GET', `/v1/sessions?partner_id=${w.P.id}`, 'partner'],
      ['GET', '/v1/sessions?limit=500', 'admin'],
      ['GET', '/v1/stats/mentoring', 'viewer'],
      ['GET', '/v1/stats/mentoring', 'admin'],
      ['GET', `/v1/evidence/mentoring/${w.P.id}?weeks=4`, 'service'],
      ['GET', `/v1/checklists/${w.P.id}`, 'mentor'],
      ['GET', '/v1/learnings', 'mentor'],
    ];
    for (const [method, p, role] of reads) {
      const res = expectStatus(await m(method, p, { token: w.t[role] }), 200);
      assertNowhere(res.text, secret.mentor, `${p} as ${role}`);
      assertNowhere(res.text, secret.partner, `${p} as ${role}`);
    }
  });

  it('not in the service\'s log nor PostgreSQL\'s log', async (t) => {
    const dir = process.env.TANDEM_TEST_RUNDIR;
    if (!dir) {
      t.skip('TANDEM_TEST_RUNDIR is not set (not run by tests/run-all.sh)');
      return;
    }
    const files = [path.join(dir, 'logs', 'mentoring.log'), path.join(dir, 'pg', 'postgres.log')];
    let read = 0;
    for (const f of files) {
      if (!existsSync(f)) continue;
      const text = readFileSync(f, 'utf8');
      assertNowhere(text, secret.mentor, f);
      assertNowhere(text, secret.partner, f);
      read++;
    }
    assert.ok(read >= 1, 'at least the service log was read');
  });
});
