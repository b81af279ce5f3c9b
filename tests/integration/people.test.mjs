// People: create, read, list (filters, q, pagination), PATCH with If-Match,
// self-edit rules, erasure, /v1/me.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import {
  adminToken,
  createMentor,
  createPairing,
  createPartner,
  createPerson,
  getPerson,
  ids,
  listAll,
  personBody,
  tokenFor,
  uniq,
} from './lib/fixtures.mjs';
import { token } from './lib/tokens.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const MINUTE = 60 * 1000;
const recent = (t) => Math.abs(Date.parse(t) - Date.now()) < 10 * MINUTE;

describe('POST /v1/people and GET /v1/people/{id}', () => {
  it('creates a person with defaults, Location and ETag, and stores it', async () => {
    const body = personBody({ external_id: undefined, roles: ['partner'] });
    const res = expectStatus(await api('POST', '/v1/people', { token: adminToken(), body }), 201);
    const p = res.body;
    assert.equal(res.headers.get('location'), `/v1/people/${p.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(p.version, 1);
    assert.equal(p.email.toLowerCase(), body.email);
    assert.equal(p.display_name, body.display_name);
    assert.deepEqual(p.roles, ['partner']);
    assert.equal(p.status, 'active');
    assert.equal(p.timezone, 'UTC');
    assert.equal(p.mentor_capacity, 0);
    for (const f of ['external_id', 'title', 'business_unit', 'purpose', 'vision', 'erased_at']) {
      assert.equal(p[f], null, `${f} defaults to null`);
    }
    assert.ok(recent(p.created_at) && recent(p.updated_at), 'created_at/updated_at are now');

    const got = expectStatus(await api('GET', `/v1/people/${p.id}`, { token: adminToken() }), 200);
    assert.deepEqual(got.body, p);
    assert.equal(got.headers.get('etag'), '"1"');

    const rows = await db.peopleByEmail(body.email);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, p.id);
    assert.equal(rows[0].display_name, body.display_name);
    assert.deepEqual(rows[0].roles, ['partner']);
  });

  it('stores every writable field given at creation', async () => {
    const body = personBody({
      roles: ['mentor', 'partner'],
      title: 'Head of Digital',
      business_unit: `bu-${uniq()}`,
      status: 'paused',
      timezone: 'Europe/London',
      purpose: 'Share what we learn building things.',
      vision: 'A trusted voice on engineering leadership.',
      mentor_capacity: 3,
    });
    const res = expectStatus(await api('POST', '/v1/people', { token: adminToken(), body }), 201);
    const p = res.body;
    for (const [k, v] of Object.entries(body)) {
      if (k === 'email') assert.equal(p.email.toLowerCase(), v);
      else if (k === 'roles') assert.deepEqual([...p.roles].sort(), [...v].sort());
      else assert.deepEqual(p[k], v, k);
    }
    const row = await db.personById(p.id);
    assert.equal(row.timezone, 'Europe/London');
    assert.equal(row.mentor_capacity, 3);
    assert.equal(row.status, 'paused');
  });

  it('answers 404 for an id that does not exist', async () => {
    const res = await api('GET', '/v1/people/00000000-0000-4000-8000-000000000000', { token: adminToken() });
    expectProblem(res, 404, 'not-found');
  });
});

describe('GET /v1/people filters and paging', () => {
  it('filters by business_unit, role, status and q, in creation order', async () => {
    const bu = `bu-${uniq()}`;
    const tag = uniq();
    const a = await createPerson({ business_unit: bu, roles: ['partner'] });
    const b = await createPerson({ business_unit: bu, roles: ['mentor'], status: 'paused', mentor_capacity: 1 });
    const c = await createPerson({
      business_unit: bu,
      roles: ['partner', 'mentor'],
      display_name: `Zebra-${tag} Jones`,
    });
    await createPerson({ business_unit: `${bu}-other`, roles: ['partner'], display_name: `Zebra-${tag} Other` });

    const list = async (qs) => {
      const res = expectStatus(await api('GET', `/v1/people?${qs}`, { token: adminToken() }), 200);
      return ids(res.body.items);
    };
    const enc = encodeURIComponent;
    assert.deepEqual(await list(`business_unit=${enc(bu)}`), [a.id, b.id, c.id]);
    assert.deepEqual(await list(`business_unit=${enc(bu)}&role=mentor`), [b.id, c.id]);
    assert.deepEqual(await list(`business_unit=${enc(bu)}&role=partner`), [a.id, c.id]);
    assert.deepEqual(await list(`business_unit=${enc(bu)}&status=paused`), [b.id]);
    assert.deepEqual(await list(`business_unit=${enc(bu)}&role=partner&status=active`), [a.id, c.id]);
    assert.deepEqual(await list(`business_unit=${enc(bu)}&status=left`), []);
    // q: case-insensitive substring of display_name ...
    assert.deepEqual(await list(`business_unit=${enc(bu)}&q=${enc(`zEBRA-${tag}`.toUpperCase())}`), [c.id]);
    assert.equal((await list(`q=${enc(`zebra-${tag}`)}`)).length, 2, 'q without other filters finds both Zebras');
    // ... or of email
    const local = a.email.split('@')[0];
    assert.deepEqual(await list(`q=${enc(local.toUpperCase())}`), [a.id]);
    // q is a substring, not a pattern: LIKE wildcards match only themselves
    assert.deepEqual(await list(`business_unit=${enc(bu)}&q=${enc('%')}`), []);
    assert.deepEqual(await list(`business_unit=${enc(bu)}&q=${enc('_')}`), []);
  });

  it('pages with limit=2 through every match once, in order, ending with next_cursor null', async () => {
    const bu = `bu-page-${uniq()}`;
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createPerson({ business_unit: bu }));

    const first = expectStatus(
      await api('GET', `/v1/people?business_unit=${bu}&limit=2`, { token: adminToken() }),
      200,
    );
    assert.equal(first.body.items.length, 2);
    assert.equal(typeof first.body.next_cursor, 'string');

    const { items, pages } = await listAll(`/v1/people?business_unit=${bu}&limit=2`);
    assert.deepEqual(pages.slice(0, 3), [2, 2, 1], `page sizes ${pages}`);
    assert.ok(pages.slice(3).every((n) => n === 0), 'nothing after the last item');
    assert.deepEqual(ids(items), ids(created), 'no duplicates, no gaps, creation order');
    assert.equal(new Set(ids(items)).size, 5);

    // without a limit the whole (small) set comes in one page
    const all = expectStatus(await api('GET', `/v1/people?business_unit=${bu}`, { token: adminToken() }), 200);
    assert.deepEqual(ids(all.body.items), ids(created));
    assert.equal(all.body.next_cursor, null);
  });

  it('pages stay stable when people are created between pages', async () => {
    const bu = `bu-grow-${uniq()}`;
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await createPerson({ business_unit: bu }));
    const p1 = expectStatus(await api('GET', `/v1/people?business_unit=${bu}&limit=2`, { token: adminToken() }), 200);
    created.push(await createPerson({ business_unit: bu }));
    const p2 = expectStatus(
      await api('GET', `/v1/people?business_unit=${bu}&limit=2&cursor=${encodeURIComponent(p1.body.next_cursor)}`, {
        token: adminToken(),
      }),
      200,
    );
    assert.deepEqual([...ids(p1.body.items), ...ids(p2.body.items)], ids(created));
  });
});

describe('PATCH /v1/people/{id}', () => {
  it('honours If-Match: current passes (strong, weak, *), stale is 412 and changes nothing', async () => {
    const p = await createPerson();
    let res = await api('PATCH', `/v1/people/${p.id}`, {
      token: adminToken(),
      body: { title: 'Director' },
      headers: { 'If-Match': '"1"' },
    });
    expectStatus(res, 200);
    assert.equal(res.body.title, 'Director');
    assert.equal(res.body.version, 2);
    assert.equal(etagVersion(res), 2);
    assert.ok(Date.parse(res.body.updated_at) >= Date.parse(p.updated_at));

    res = await api('PATCH', `/v1/people/${p.id}`, {
      token: adminToken(),
      body: { title: 'Stale write' },
      headers: { 'If-Match': '"1"' },
    });
    expectProblem(res, 412, 'precondition-failed');
    const still = await getPerson(p.id);
    assert.equal(still.title, 'Director');
    assert.equal(still.version, 2);
    assert.equal((await db.personById(p.id)).title, 'Director');

    res = await api('PATCH', `/v1/people/${p.id}`, {
      token: adminToken(),
      body: { title: 'Weak' },
      headers: { 'If-Match': 'W/"2"' },
    });
    expectStatus(res, 200);
    assert.equal(res.body.version, 3);

    res = await api('PATCH', `/v1/people/${p.id}`, {
      token: adminToken(),
      body: { title: 'Star' },
      headers: { 'If-Match': '*' },
    });
    expectStatus(res, 200);
    assert.equal(res.body.version, 4);

    res = await api('PATCH', `/v1/people/${p.id}`, { token: adminToken(), body: { title: 'No precondition' } });
    expectStatus(res, 200);
    assert.equal(res.body.version, 5);
    assert.equal(res.headers.get('etag'), '"5"');
  });

  it('lets an admin change roles, status, capacity, email and external_id, and null nullable fields', async () => {
    const p = await createPerson({ title: 'T', purpose: 'P', vision: 'V', business_unit: 'BU' });
    const email = `changed-${uniq()}@example.com`;
    const ext = `ext-changed-${uniq()}`;
    const res = expectStatus(
      await api('PATCH', `/v1/people/${p.id}`, {
        token: adminToken(),
        body: {
          roles: ['mentor', 'comms'],
          status: 'paused',
          mentor_capacity: 7,
          email,
          external_id: ext,
          title: null,
          purpose: null,
          vision: null,
          business_unit: null,
        },
      }),
      200,
    );
    const q = res.body;
    assert.deepEqual([...q.roles].sort(), ['comms', 'mentor']);
    assert.equal(q.status, 'paused');
    assert.equal(q.mentor_capacity, 7);
    assert.equal(q.email.toLowerCase(), email);
    assert.equal(q.external_id, ext);
    for (const f of ['title', 'purpose', 'vision', 'business_unit']) assert.equal(q[f], null, f);
    assert.equal(q.version, p.version + 1);
    const row = await db.personById(p.id);
    assert.equal(row.email.toLowerCase(), email);
    assert.equal(row.title, null);
  });

  it('refuses a duplicate email or external_id with 409 naming the field', async () => {
    const a = await createPerson();
    const b = await createPerson();
    let res = await api('PATCH', `/v1/people/${b.id}`, { token: adminToken(), body: { email: a.email.toUpperCase() } });
    expectProblem(res, 409, 'conflict', ['email']);
    res = await api('PATCH', `/v1/people/${b.id}`, { token: adminToken(), body: { external_id: a.external_id } });
    expectProblem(res, 409, 'conflict', ['external_id']);
    const row = await db.personById(b.id);
    assert.equal(row.email.toLowerCase(), b.email.toLowerCase());
    assert.equal(row.external_id, b.external_id);
    assert.equal(Number(row.version), 1);
  });

  it('answers 404 for a person that does not exist', async () => {
    const res = await api('PATCH', '/v1/people/00000000-0000-4000-8000-000000000000', {
      token: adminToken(),
      body: { title: 'x' },
    });
    expectProblem(res, 404, 'not-found');
  });
});

describe('self-edit', () => {
  it('a partner may change their own display_name, title, business_unit, timezone, purpose, vision', async () => {
    const p = await createPartner();
    const change = {
      display_name: `Renamed ${uniq()}`,
      title: 'VP Sales',
      business_unit: 'Sales',
      timezone: 'America/New_York',
      purpose: 'Why I post',
      vision: 'Where I want to be',
    };
    const res = expectStatus(
      await api('PATCH', `/v1/people/${p.id}`, { token: tokenFor(p), body: change }),
      200,
    );
    for (const [k, v] of Object.entries(change)) assert.equal(res.body[k], v, k);
    assert.equal(res.body.version, 2);
    const row = await db.personById(p.id);
    assert.equal(row.timezone, 'America/New_York');
    assert.equal(row.purpose, 'Why I post');
  });

  it('a mentor may edit their own allowed fields too', async () => {
    const m = await createMentor();
    const res = await api('PATCH', `/v1/people/${m.id}`, { token: tokenFor(m), body: { title: 'Mentor lead' } });
    expectStatus(res, 200);
    assert.equal(res.body.title, 'Mentor lead');
  });

  for (const [field, value] of [
    ['roles', ['admin']],
    ['status', 'left'],
    ['email', 'someone-else@example.com'],
    ['external_id', 'ext-hijack'],
    ['mentor_capacity', 10],
  ]) {
    it(`a partner touching their own ${field} gets 403 naming it, and nothing changes`, async () => {
      const p = await createPartner();
      const res = await api('PATCH', `/v1/people/${p.id}`, {
        token: tokenFor(p),
        body: { title: 'Sneaky', [field]: value },
      });
      expectProblem(res, 403, 'forbidden', [field]);
      const row = await db.personById(p.id);
      assert.deepEqual(row.roles, ['partner']);
      assert.equal(row.status, 'active');
      assert.equal(row.email.toLowerCase(), p.email.toLowerCase());
      assert.equal(row.external_id, p.external_id);
      assert.equal(row.mentor_capacity, 0);
      assert.equal(row.title, null, 'the allowed field in the same request was not written either');
      assert.equal(Number(row.version), 1);
    });
  }

  it("a partner cannot edit someone else's record", async () => {
    const p = await createPartner();
    const other = await createPartner();
    const res = await api('PATCH', `/v1/people/${other.id}`, { token: tokenFor(p), body: { title: 'Hijacked' } });
    expectProblem(res, 403, 'forbidden');
    assert.equal((await db.personById(other.id)).title, null);
  });
});

describe('DELETE /v1/people/{id} (erasure)', () => {
  it('anonymises the person, keeps the row, ends active pairings, and is repeatable', async () => {
    const mentor = await createMentor({ mentor_capacity: 1 });
    const partner = await createPartner({
      title: 'CFO',
      business_unit: 'Finance',
      purpose: 'private purpose',
      vision: 'private vision',
      timezone: 'Europe/Berlin',
    });
    const pairing = await createPairing(mentor, partner);
    const before = await getPerson(partner.id);
    const oldEmail = partner.email;
    const oldToken = tokenFor(partner);

    let res = await api('DELETE', `/v1/people/${partner.id}`, {
      token: adminToken(),
      headers: { 'If-Match': `"${before.version + 5}"` },
    });
    expectProblem(res, 412, 'precondition-failed');
    assert.equal((await db.personById(partner.id)).email, oldEmail);

    res = await api('DELETE', `/v1/people/${partner.id}`, {
      token: adminToken(),
      headers: { 'If-Match': `"${before.version}"` },
    });
    expectStatus(res, 204);
    assert.equal(res.text, '');

    res = expectStatus(await api('GET', `/v1/people/${partner.id}`, { token: adminToken() }), 200);
    const e = res.body;
    assert.equal(e.id, partner.id);
    assert.equal(e.display_name, 'Erased person');
    for (const f of ['email', 'external_id', 'title', 'business_unit', 'purpose', 'vision']) {
      assert.equal(e[f], null, `${f} erased`);
    }
    assert.deepEqual(e.roles, []);
    assert.equal(e.status, 'left');
    assert.ok(recent(e.erased_at), 'erased_at set');
    assert.equal(e.version, before.version + 1);
    assert.equal(etagVersion(res), e.version);

    const row = await db.personById(partner.id);
    assert.ok(row, 'the row stays');
    assert.equal(row.email, null);
    assert.equal(row.external_id, null);
    assert.equal(row.title, null);
    assert.equal(row.business_unit, null);
    assert.equal(row.purpose, null);
    assert.equal(row.vision, null);
    assert.equal(row.display_name, 'Erased person');
    assert.deepEqual(row.roles, []);
    assert.ok(row.erased_at instanceof Date);
    assert.equal(JSON.stringify(row).includes(oldEmail), false, 'the old email is nowhere in the row');

    // the active pairing ended as cancelled, "person erased"
    const pr = expectStatus(await api('GET', `/v1/pairings/${pairing.id}`, { token: adminToken() }), 200).body;
    assert.equal(pr.status, 'cancelled');
    assert.equal(pr.end_reason, 'person erased');
    assert.ok(recent(pr.ended_at));
    assert.equal(pr.version, pairing.version + 1);
    const prow = await db.pairingById(pairing.id);
    assert.equal(prow.status, 'cancelled');
    assert.equal(prow.end_reason, 'person erased');

    // the mentor's capacity is free again
    await createPairing(mentor, await createPartner());

    // the old identity no longer finds anyone, nor does a search for the old email
    expectProblem(await api('GET', '/v1/me', { token: oldToken }), 404, 'not-found');
    const found = expectStatus(
      await api('GET', `/v1/people?q=${encodeURIComponent(oldEmail)}`, { token: adminToken() }),
      200,
    );
    assert.deepEqual(found.body.items, []);

    // the email can be registered again by a new person
    await createPerson({ email: oldEmail });

    // erasing again is a 204 and leaves the person erased
    expectStatus(await api('DELETE', `/v1/people/${partner.id}`, { token: adminToken() }), 204);
    const again = await getPerson(partner.id);
    assert.equal(again.email, null);
    assert.equal(again.display_name, 'Erased person');
  });

  it('answers 404 for a person that does not exist', async () => {
    const res = await api('DELETE', '/v1/people/00000000-0000-4000-8000-000000000000', { token: adminToken() });
    expectProblem(res, 404, 'not-found');
  });
});

describe('GET /v1/me', () => {
  it('finds the caller by external_id = sub', async () => {
    const p = await createPartner();
    const res = expectStatus(await api('GET', '/v1/me', { token: tokenFor(p) }), 200);
    assert.equal(res.body.id, p.id);
    assert.equal(etagVersion(res), p.version);
  });

  it('else by the email claim, case-insensitively', async () => {
    const p = await createPartner({ external_id: undefined });
    const t = token({ sub: `unknown-${uniq()}`, email: p.email.toUpperCase(), roles: ['partner'] });
    const res = expectStatus(await api('GET', '/v1/me', { token: t }), 200);
    assert.equal(res.body.id, p.id);
  });

  it('prefers the external_id match over the email match', async () => {
    const bySub = await createPartner();
    const byEmail = await createPartner();
    const t = token({ sub: bySub.external_id, email: byEmail.email, roles: ['partner'] });
    const res = expectStatus(await api('GET', '/v1/me', { token: t }), 200);
    assert.equal(res.body.id, bySub.id);
  });

  it('answers 404 when the token matches no person', async () => {
    const t = token({ sub: `nobody-${uniq()}`, email: `nobody-${uniq()}@example.com`, roles: ['partner'] });
    expectProblem(await api('GET', '/v1/me', { token: t }), 404, 'not-found');
  });
});
