// Bad input: every fault gets a 4xx that says what is wrong, and a refused
// write leaves nothing behind in the database.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, expectProblem, expectStatus, namesField } from './lib/http.mjs';
import { adminToken, createMentor, createPartner, createPerson, personBody, uniq } from './lib/fixtures.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const MAX_BODY = Number(process.env.TANDEM_TEST_MAX_BODY || 65536);

// POSTs @body (invalid on purpose) and asserts a 400 naming @fields, and
// that no person with the body's email was stored.
async function rejectsCreate(body, fields, slug = 'validation') {
  const res = await api('POST', '/v1/people', { token: adminToken(), body, invalid: true });
  const p = expectProblem(res, 400, slug, fields);
  if (typeof body?.email === 'string') {
    assert.equal((await db.peopleByEmail(body.email)).length, 0, 'nothing stored');
  }
  return p;
}

describe('bodies that are not a JSON object', () => {
  for (const [label, raw] of [
    ['malformed JSON', '{"email": "a@example.com", "display_name": '],
    ['trailing garbage', '{"display_name": "x"} extra'],
    ['a JSON array', '[{"email": "a@example.com"}]'],
    ['a JSON string', '"hello"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['an empty body', ''],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ]) {
    it(`${label} -> 400 malformed`, async () => {
      const res = await api('POST', '/v1/people', { token: adminToken(), rawBody: raw, invalid: true });
      expectProblem(res, 400, 'malformed');
    });
  }

  it('malformed JSON on PATCH -> 400 malformed, nothing changed', async () => {
    const p = await createPartner();
    const res = await api('PATCH', `/v1/people/${p.id}`, { token: adminToken(), rawBody: '{"title": ', invalid: true });
    expectProblem(res, 400, 'malformed');
    assert.equal(Number((await db.personById(p.id)).version), 1);
  });
});

describe('field validation on POST /v1/people', () => {
  it('reports every missing required field at once', async () => {
    await rejectsCreate({}, ['email', 'display_name', 'roles']);
  });

  it('reports wrong types, all at once', async () => {
    const body = personBody({
      display_name: 5,
      roles: 'partner',
      mentor_capacity: '3',
      status: 1,
      title: ['x'],
      timezone: false,
    });
    await rejectsCreate(body, ['display_name', 'roles', 'mentor_capacity', 'status', 'title', 'timezone']);
  });

  it('names each unknown member with "unknown field"', async () => {
    const body = personBody({ nickname: 'Bob', id: '00000000-0000-4000-8000-000000000000' });
    const p = await rejectsCreate(body, ['nickname', 'id']);
    const e = p.errors.find((x) => x.field === 'nickname');
    assert.ok(e, 'field is exactly the member name');
    assert.equal(e.message, 'unknown field');
  });

  it('refuses over-long strings and accepts them at the limit', async () => {
    await rejectsCreate(
      personBody({
        display_name: 'd'.repeat(201),
        title: 't'.repeat(201),
        business_unit: 'b'.repeat(101),
        purpose: 'p'.repeat(4001),
        vision: 'v'.repeat(4001),
        external_id: 'e'.repeat(256),
        timezone: `Europe/${'x'.repeat(60)}`,
      }),
      ['display_name', 'title', 'business_unit', 'purpose', 'vision', 'external_id', 'timezone'],
    );
    const local = `l${uniq()}`;
    await rejectsCreate(personBody({ email: `${local}@${'a'.repeat(250)}.com` }), ['email']);
    const ok = await createPerson({
      display_name: 'd'.repeat(200),
      title: 't'.repeat(200),
      business_unit: 'b'.repeat(100),
      purpose: 'p'.repeat(4000),
      vision: 'v'.repeat(4000),
      external_id: `${uniq()}${'e'.repeat(245)}`,
    });
    assert.equal(ok.display_name.length, 200);
    assert.equal(ok.purpose.length, 4000);
    assert.equal(ok.external_id.length, 255);
  });

  it('counts length in characters, not bytes', async () => {
    const p = await createPerson({ display_name: 'é'.repeat(200), title: '日本'.repeat(100) });
    assert.equal(p.display_name, 'é'.repeat(200));
    assert.equal(p.title, '日本'.repeat(100));
  });

  it('refuses an empty display_name', async () => {
    await rejectsCreate(personBody({ display_name: '' }), ['display_name']);
  });

  for (const email of ['not-an-email', 'a@', '@example.com', 'a b@example.com', 'a@b@example.com', '']) {
    it(`refuses the email ${JSON.stringify(email)}`, async () => {
      await rejectsCreate(personBody({ email }), ['email']);
    });
  }

  it('refuses unknown, duplicate, empty or null roles', async () => {
    await rejectsCreate(personBody({ roles: ['superuser'] }), ['roles']);
    await rejectsCreate(personBody({ roles: ['service'] }), ['roles']);
    await rejectsCreate(personBody({ roles: ['partner', 'partner'] }), ['roles']);
    await rejectsCreate(personBody({ roles: [] }), ['roles']);
    await rejectsCreate(personBody({ roles: null }), ['roles']);
    await rejectsCreate(personBody({ roles: [1] }), ['roles']);
  });

  it('refuses a bad status, capacity or timezone', async () => {
    await rejectsCreate(personBody({ status: 'retired' }), ['status']);
    await rejectsCreate(personBody({ mentor_capacity: 101 }), ['mentor_capacity']);
    await rejectsCreate(personBody({ mentor_capacity: -1 }), ['mentor_capacity']);
    await rejectsCreate(personBody({ mentor_capacity: 1.5 }), ['mentor_capacity']);
    await rejectsCreate(personBody({ timezone: 'Mars/Olympus_Mons' }), ['timezone']);
    await rejectsCreate(personBody({ timezone: '' }), ['timezone']);
    await rejectsCreate(personBody({ timezone: '../../etc/passwd' }), ['timezone']);
  });

  it('accepts a real IANA time zone', async () => {
    const p = await createPerson({ timezone: 'Asia/Kolkata' });
    assert.equal(p.timezone, 'Asia/Kolkata');
  });
});

describe('field validation on PATCH /v1/people/{id}', () => {
  it('an empty object -> 400 naming "body"', async () => {
    const p = await createPartner();
    const res = await api('PATCH', `/v1/people/${p.id}`, { token: adminToken(), body: {}, invalid: true });
    expectProblem(res, 400, 'validation', ['body']);
  });

  it('null for a field that may not be null -> 400 naming it, nothing changed', async () => {
    const p = await createPartner();
    for (const field of ['display_name', 'email', 'roles', 'status', 'timezone', 'mentor_capacity']) {
      const res = await api('PATCH', `/v1/people/${p.id}`, {
        token: adminToken(),
        body: { [field]: null },
        invalid: true,
      });
      expectProblem(res, 400, 'validation', [field]);
    }
    const row = await db.personById(p.id);
    assert.equal(Number(row.version), 1);
    assert.equal(row.display_name, p.display_name);
  });

  it('bad values and unknown members, all reported, nothing changed', async () => {
    const p = await createPartner();
    const res = await api('PATCH', `/v1/people/${p.id}`, {
      token: adminToken(),
      body: { title: 'ok', timezone: 'Nowhere/Land', mentor_capacity: 500, colour: 'blue' },
      invalid: true,
    });
    expectProblem(res, 400, 'validation', ['timezone', 'mentor_capacity', 'colour']);
    const row = await db.personById(p.id);
    assert.equal(row.title, null);
    assert.equal(Number(row.version), 1);
  });
});

describe('ids', () => {
  for (const bad of ['not-a-uuid', '123', '00000000-0000-4000-8000-00000000000', "1'%20OR%20'1'='1", 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']) {
    it(`a path id ${JSON.stringify(bad)} -> 404 on every people and pairings route`, async () => {
      const opts = { token: adminToken(), invalid: true };
      expectProblem(await api('GET', `/v1/people/${bad}`, opts), 404, 'not-found');
      expectProblem(await api('PATCH', `/v1/people/${bad}`, { ...opts, body: { title: 'x' } }), 404, 'not-found');
      expectProblem(await api('DELETE', `/v1/people/${bad}`, opts), 404, 'not-found');
      expectProblem(await api('GET', `/v1/pairings/${bad}`, opts), 404, 'not-found');
      expectProblem(
        await api('PATCH', `/v1/pairings/${bad}`, { ...opts, body: { status: 'completed', reason: 'x' } }),
        404,
        'not-found',
      );
    });
  }

  it('ids in a body that are not UUIDs -> 400 naming them', async () => {
    const res = await api('POST', '/v1/pairings', {
      token: adminToken(),
      body: { mentor_id: 'nope', partner_id: 42 },
      invalid: true,
    });
    expectProblem(res, 400, 'validation', ['mentor_id', 'partner_id']);
  });

  it('a pairing body with missing or unknown members -> 400', async () => {
    const m = await createMentor();
    const opts = { token: adminToken(), invalid: true };
    expectProblem(await api('POST', '/v1/pairings', { ...opts, body: {} }), 400, 'validation', ['mentor_id', 'partner_id']);
    expectProblem(
      await api('POST', '/v1/pairings', { ...opts, body: { mentor_id: m.id, partner_id: m.id, note: 'x' } }),
      400,
      'validation',
      ['note'],
    );
    assert.equal((await db.pairingsOf({ mentorId: m.id })).length, 0);
  });
});

describe('body size and media type', () => {
  it(`a body over TANDEM_MAX_BODY (${MAX_BODY} bytes) -> 413, nothing stored`, async () => {
    const body = personBody();
    body.purpose = 'x'.repeat(MAX_BODY);
    const res = await api('POST', '/v1/people', { token: adminToken(), body, invalid: true });
    expectProblem(res, 413, 'payload-too-large');
    assert.equal((await db.peopleByEmail(body.email)).length, 0);
  });

  it('a body just under the limit is read (and judged on its fields)', async () => {
    const body = personBody();
    const base = Buffer.byteLength(JSON.stringify({ ...body, purpose: '' }));
    body.purpose = 'x'.repeat(Math.max(0, MAX_BODY - base - 1));
    const res = await api('POST', '/v1/people', { token: adminToken(), body, invalid: true });
    // purpose is far over 4000 characters: a validation error, not a 413
    expectProblem(res, 400, 'validation', ['purpose']);
  });

  for (const [label, ct] of [
    ['text/plain', 'text/plain'],
    ['form-encoded', 'application/x-www-form-urlencoded'],
    ['application/xml', 'application/xml'],
    ['no Content-Type', null],
  ]) {
    it(`${label} -> 415, nothing stored`, async () => {
      const body = personBody();
      const res = await api('POST', '/v1/people', {
        token: adminToken(),
        rawBody: JSON.stringify(body),
        contentType: ct,
        invalid: true,
      });
      expectProblem(res, 415, 'unsupported-media-type');
      assert.equal((await db.peopleByEmail(body.email)).length, 0);
    });
  }

  it('application/json; charset=utf-8 is JSON', async () => {
    const body = personBody();
    const res = await api('POST', '/v1/people', {
      token: adminToken(),
      body,
      contentType: 'application/json; charset=utf-8',
    });
    expectStatus(res, 201);
  });

  it('415 on PATCH too', async () => {
    const p = await createPartner();
    const res = await api('PATCH', `/v1/people/${p.id}`, {
      token: adminToken(),
      rawBody: 'title=x',
      contentType: 'application/x-www-form-urlencoded',
      invalid: true,
    });
    expectProblem(res, 415, 'unsupported-media-type');
  });
});

describe('query parameters', () => {
  const get = (qs) => api('GET', `/v1/people?${qs}`, { token: adminToken(), invalid: true });
  for (const limit of ['0', '501', '-1', 'abc', '1.5', '99999999999999999999']) {
    it(`limit=${limit} -> 400 naming limit`, async () => {
      expectProblem(await get(`limit=${encodeURIComponent(limit)}`), 400, 'validation', ['limit']);
    });
  }

  it('limit=1 and limit=500 are fine', async () => {
    const one = expectStatus(await api('GET', '/v1/people?limit=1', { token: adminToken() }), 200);
    assert.ok(one.body.items.length <= 1);
    expectStatus(await api('GET', '/v1/people?limit=500', { token: adminToken() }), 200);
  });

  for (const cursor of ['!!!', 'not a cursor', '%00']) {
    it(`cursor=${cursor} -> 400 naming cursor`, async () => {
      expectProblem(await get(`cursor=${encodeURIComponent(cursor)}`), 400, 'validation', ['cursor']);
    });
  }

  it('an unknown query parameter -> 400 naming it', async () => {
    expectProblem(await get('colour=blue'), 400, 'validation', ['colour']);
    const res = await api('GET', '/v1/pairings?mentor=x', { token: adminToken(), invalid: true });
    expectProblem(res, 400, 'validation', ['mentor']);
  });

  it('a bad role or status filter -> 400 naming it', async () => {
    expectProblem(await get('role=superuser'), 400, 'validation', ['role']);
    expectProblem(await get('status=retired'), 400, 'validation', ['status']);
  });
});

describe('uniqueness and idempotency', () => {
  it('a duplicate email, in any case, -> 409 naming email; one row stays', async () => {
    const p = await createPerson({ email: `Dup-${uniq()}@Example.com` });
    for (const email of [p.email, p.email.toLowerCase(), p.email.toUpperCase()]) {
      const res = await api('POST', '/v1/people', { token: adminToken(), body: personBody({ email }) });
      expectProblem(res, 409, 'conflict', ['email']);
    }
    assert.equal((await db.peopleByEmail(p.email)).length, 1);
  });

  it('a duplicate external_id -> 409 naming external_id', async () => {
    const p = await createPerson();
    const body = personBody({ external_id: p.external_id });
    const res = await api('POST', '/v1/people', { token: adminToken(), body });
    expectProblem(res, 409, 'conflict', ['external_id']);
    assert.equal((await db.peopleByExternalId(p.external_id)).length, 1);
    assert.equal((await db.peopleByEmail(body.email)).length, 0);
  });

  it('a repeated Idempotency-Key with the same body returns the first response and stores one row', async () => {
    const key = `idem-${uniq()}`;
    const body = personBody();
    const opts = { token: adminToken(), body, headers: { 'Idempotency-Key': key } };
    const first = expectStatus(await api('POST', '/v1/people', opts), 201);
    assert.notEqual(first.headers.get('idempotent-replayed'), 'true');
    const again = expectStatus(await api('POST', '/v1/people', opts), 201);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    assert.equal(again.headers.get('etag'), first.headers.get('etag'));
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal((await db.peopleByEmail(body.email)).length, 1);

    // the same key with another body -> 422, and that body is not stored
    const other = personBody();
    const res = await api('POST', '/v1/people', { ...opts, body: other });
    expectProblem(res, 422, 'idempotency-key-reused');
    assert.equal((await db.peopleByEmail(other.email)).length, 0);
  });

  it('without Idempotency-Key a retry is a new request (here: a 409 duplicate)', async () => {
    const body = personBody();
    expectStatus(await api('POST', '/v1/people', { token: adminToken(), body }), 201);
    expectProblem(await api('POST', '/v1/people', { token: adminToken(), body }), 409, 'conflict', ['email']);
  });

  it('Idempotency-Key on POST /v1/pairings: one pairing however often it is sent', async () => {
    const m = await createMentor();
    const p = await createPartner();
    const opts = {
      token: adminToken(),
      body: { mentor_id: m.id, partner_id: p.id },
      headers: { 'Idempotency-Key': `idem-${uniq()}` },
    };
    const first = expectStatus(await api('POST', '/v1/pairings', opts), 201);
    const again = expectStatus(await api('POST', '/v1/pairings', opts), 201);
    assert.equal(again.body.id, first.body.id);
    assert.deepEqual(again.body, first.body);
    assert.equal((await db.pairingsOf({ partnerId: p.id })).length, 1);
  });

  it('an Idempotency-Key over 200 characters -> 400', async () => {
    const body = personBody();
    const res = await api('POST', '/v1/people', {
      token: adminToken(),
      body,
      headers: { 'Idempotency-Key': 'k'.repeat(201) },
      invalid: true,
    });
    const p = expectProblem(res, 400, 'validation');
    assert.ok(p.errors.some((e) => namesField(e, 'Idempotency-Key') || /idempotency/i.test(e.field)));
    assert.equal((await db.peopleByEmail(body.email)).length, 0);
  });
});

// JSON that jansson cannot hold, or that no field accepts, is named by field and
// fault (shared/jsonbody.c), on every service: \u0000 is valid JSON but no field
// takes it (PostgreSQL text cannot store U+0000), a lone surrogate is not a
// character, an integer beyond 64 bits does not fit any number of the API.
describe('JSON values the API cannot take are named by field and fault', () => {
  const cases = [
    ['\\u0000 in a string', '"title": "Lead\\u0000er"', 'title', /\\u0000/],
    ['a lone surrogate', '"display_name": "Ann \\ud800"', 'display_name', /surrogate/],
    ['an integer beyond 64 bits', '"mentor_capacity": 18446744073709551616', 'mentor_capacity', /64 bits/],
  ];
  for (const [label, member, field, fault] of cases) {
    it(`${label} -> 400 validation naming ${field}, nothing stored`, async () => {
      const email = `nul-${uniq()}@example.com`;
      const raw = `{"email": "${email}", "roles": ["partner"], "display_name": "x", ${member}}`
        .replace('"display_name": "x", "display_name"', '"display_name"');
      const res = await api('POST', '/v1/people', { token: adminToken(), rawBody: raw, invalid: true });
      const p = expectProblem(res, 400, 'validation', [field]);
      assert.match(p.errors.find((e) => e.field === field).message, fault);
      assert.doesNotMatch(p.detail, /not valid JSON/);
      assert.equal((await db.peopleByEmail(email)).length, 0, 'nothing stored');
    });
  }

  it('a nested member is named by its path; a PATCH changes nothing', async () => {
    const p = await createPartner();
    const res = await api('PATCH', `/v1/people/${p.id}`, {
      token: adminToken(),
      rawBody: '{"title": "ok", "roles": ["partner", "\\udc00"]}',
      invalid: true,
    });
    const prob = expectProblem(res, 400, 'validation', ['roles[1]']);
    assert.equal(prob.errors[0].field, 'roles[1]');
    assert.equal(Number((await db.personById(p.id)).version), 1);
  });

  it('a member given twice is malformed, and named', async () => {
    const res = await api('POST', '/v1/people', {
      token: adminToken(),
      rawBody: '{"email": "a@example.com", "title": "a", "title": "b"}',
      invalid: true,
    });
    const prob = expectProblem(res, 400, 'malformed', ['title']);
    assert.match(prob.detail, /title is given twice/);
  });

  for (const [service, path] of [
    ['phases', '/v1/programmes'],
    ['mentoring', '/v1/activity-templates'],
  ]) {
    it(`${service} names the field too (shared code)`, async () => {
      const res = await api('POST', path, {
        service,
        token: adminToken(),
        rawBody: '{"name": "x\\u0000y"}',
        invalid: true,
      });
      const p = expectProblem(res, 400, 'validation', ['name']);
      assert.match(p.errors[0].message, /\\u0000/);
    });
  }
});

// A blank external_id would cut the person off from their sign-in; blank names
// and labels are noise. Blanks: "" or white space only, Unicode spaces too.
describe('blanks in people fields', () => {
  const BLANKS = ['', '   ', '\t\n', '\u00a0', '\u3000', ' \u200b '];

  it('an admin cannot create a person with a blank display_name, external_id, title or business_unit', async () => {
    for (const blank of BLANKS) {
      const email = `blank-${uniq()}@example.com`;
      const res = await api('POST', '/v1/people', {
        token: adminToken(),
        body: personBody({ email, display_name: blank, external_id: blank, title: blank, business_unit: blank }),
        invalid: true,
      });
      const p = expectProblem(res, 400, 'validation', ['display_name', 'external_id', 'title', 'business_unit']);
      for (const e of p.errors) assert.match(e.message, /blank/, JSON.stringify(blank));
      assert.equal((await db.peopleByEmail(email)).length, 0, 'nothing stored');
    }
  });

  it('an admin cannot PATCH them to blanks; null still clears title and business_unit', async () => {
    const person = await createPerson({ external_id: `ext-${uniq()}`, title: 'Lead', business_unit: 'Tax' });
    for (const field of ['display_name', 'external_id', 'title', 'business_unit']) {
      const res = await api('PATCH', `/v1/people/${person.id}`, {
        token: adminToken(),
        body: { [field]: ' \u00a0 ' },
        invalid: true,
      });
      expectProblem(res, 400, 'validation', [field]);
    }
    const row = await db.personById(person.id);
    assert.equal(Number(row.version), 1, 'nothing changed');
    assert.equal(row.external_id, person.external_id);
    const ok = await api('PATCH', `/v1/people/${person.id}`, { token: adminToken(), body: { title: null, business_unit: null } });
    expectStatus(ok, 200);
    assert.equal(ok.body.title, null);
  });
});

// Oversized headers sent straight to a service: a 431 problem+json like every
// other error (shared/server.c), not libmicrohttpd's empty 431; a header that
// the gateway lets through (up to 32 KB) is taken.
describe('oversized request headers', () => {
  for (const service of ['people', 'phases', 'strategy', 'mentoring']) {
    it(`${service}: 100 KB of headers -> 431 problem+json; 40 KB are taken`, async () => {
      const big = await api('GET', '/healthz', { service, headers: { 'X-Filler': 'x'.repeat(100 * 1024) } });
      const p = expectProblem(big, 431, 'request-header-fields-too-large');
      assert.match(p.detail, /at most 65536/);
      const token = adminToken();
      const fine = await api('GET', '/healthz', { service, token, headers: { 'X-Filler': 'y'.repeat(40 * 1024) } });
      expectStatus(fine, 200);
    });
  }

  it('a 16 KB bearer token (group claims) is taken on a /v1 route', async () => {
    const groups = Array.from({ length: 460 }, (_, i) => `Group-${i}-${uniq(8)}`);
    const { token } = await import('./lib/tokens.mjs');
    const t = token({ sub: `big-${uniq()}`, roles: ['admin'], extra: { groups } });
    assert.ok(t.length > 16 * 1024, `token is ${t.length} bytes`);
    // a person that does not exist: 404 once the token is taken (401 otherwise)
    expectProblem(await api('GET', `/v1/people/${randomUUID()}`, { token: t }), 404, 'not-found');
  });
});
