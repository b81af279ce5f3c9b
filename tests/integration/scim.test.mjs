// SCIM 2.0 conformance: the sequence an identity provider (Entra ID, Okta)
// drives (create, find by filter, patch attributes, deactivate, reactivate,
// delete) and the error cases, against the people service with the static
// SCIM token (TANDEM_TEST_SCIM_TOKEN). Every response is held against
// api-specs/scim.yaml (and people.yaml for /v1 calls).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, describe as describeRes, expectProblem, expectStatus, gatewayUrl, requireEnv } from './lib/http.mjs';
import { adminToken, createMentor, createPairing, getPerson, tokenFor, uniq } from './lib/fixtures.mjs';
import { pairingById, personById } from './lib/db.mjs';

const SCIM_TOKEN = requireEnv('TANDEM_TEST_SCIM_TOKEN');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

// One SCIM call, as the provider makes it.
function scim(method, path, o = {}) {
  return api(method, path, {
    service: 'scim',
    token: SCIM_TOKEN,
    ...(o.body !== undefined || o.rawBody !== undefined ? { contentType: 'application/scim+json' } : {}),
    ...o,
  });
}

// Asserts a SCIM error with @status (and @scimType when given); returns it.
function expectScimError(res, status, scimType) {
  assert.equal(res.status, status, `expected ${status}, got ${describeRes(res)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(res.body.schemas, [ERROR]);
  assert.equal(res.body.status, String(status));
  if (scimType) assert.equal(res.body.scimType, scimType, describeRes(res));
  return res.body;
}

// What Entra ID sends to create a user.
function entraUser(o = {}) {
  const u = uniq();
  return {
    schemas: [USER, ENTERPRISE],
    externalId: `oid-${u}`,
    userName: `Ada.${u}@Example.com`,
    active: true,
    displayName: `Ada Lovelace ${u}`,
    title: 'Partner',
    emails: [{ primary: true, type: 'work', value: `ada.${u}@example.com` }],
    name: { formatted: `Ada Lovelace ${u}`, familyName: 'Lovelace', givenName: 'Ada' },
    phoneNumbers: [{ type: 'mobile', value: '+44 20 7946 0000' }],
    addresses: [{ type: 'work', country: 'GB' }],
    [ENTERPRISE]: { department: 'Tax', employeeNumber: '42', manager: { value: 'x' } },
    ...o,
  };
}

async function createUser(o = {}) {
  const res = await scim('POST', '/scim/v2/Users', { body: entraUser(o) });
  expectStatus(res, 201, 'provisioning a user');
  return res.body;
}

const filterPath = (attr, value, extra = '') =>
  `/scim/v2/Users?filter=${encodeURIComponent(`${attr} eq ${JSON.stringify(value)}`)}${extra}`;

const patchOps = (...ops) => ({ schemas: [PATCH], Operations: ops });

describe('SCIM discovery', () => {
  it('ServiceProviderConfig says patch and filter yes, bulk no', async () => {
    const res = expectStatus(await scim('GET', '/scim/v2/ServiceProviderConfig'), 200);
    assert.match(res.headers.get('content-type'), /^application\/scim\+json/);
    assert.equal(res.body.patch.supported, true);
    assert.equal(res.body.filter.supported, true);
    assert.equal(res.body.bulk.supported, false);
    assert.equal(res.body.filter.maxResults, 500);
  });

  it('is reachable through the gateway at /scim/v2', async () => {
    const res = expectStatus(await scim('GET', '/scim/v2/ServiceProviderConfig', { base: gatewayUrl() }), 200);
    assert.equal(res.body.patch.supported, true);
    expectScimError(await scim('GET', '/scim/v2/Users/nope', { base: gatewayUrl() }), 404);
  });

  it('Schemas and ResourceTypes list User, Group and the enterprise extension', async () => {
    const schemas = expectStatus(await scim('GET', '/scim/v2/Schemas'), 200).body;
    assert.deepEqual(
      schemas.Resources.map((s) => s.id).sort(),
      [USER, ENTERPRISE, 'urn:ietf:params:scim:schemas:core:2.0:Group'].sort(),
    );
    const one = expectStatus(await scim('GET', `/scim/v2/Schemas/${USER}`), 200).body;
    assert.ok(one.attributes.some((a) => a.name === 'userName' && a.uniqueness === 'server'));
    const types = expectStatus(await scim('GET', '/scim/v2/ResourceTypes'), 200).body;
    assert.deepEqual(types.Resources.map((t) => t.endpoint).sort(), ['/Groups', '/Users']);
    expectStatus(await scim('GET', '/scim/v2/ResourceTypes/User'), 200);
    expectScimError(await scim('GET', '/scim/v2/Schemas/urn:nope'), 404);
  });
});

describe('SCIM authentication: the SCIM client only', () => {
  it('no token: 401 with WWW-Authenticate, as a SCIM error', async () => {
    const res = await scim('GET', '/scim/v2/Users', { token: null });
    expectScimError(res, 401);
    assert.match(res.headers.get('www-authenticate'), /^Bearer realm="tandem"/);
  });

  it('another static token: 401', async () => {
    expectScimError(await scim('GET', '/scim/v2/Users', { token: `x${SCIM_TOKEN.slice(1)}` }), 401);
  });

  it("a person's token, even an admin's: 403", async () => {
    expectScimError(await scim('GET', '/scim/v2/Users', { token: adminToken() }), 403);
    const mentor = await createMentor();
    expectScimError(await scim('GET', '/scim/v2/Users', { token: tokenFor(mentor) }), 403);
  });

  it('the SCIM token on a /v1 route: 403 problem', async () => {
    expectProblem(await api('GET', '/v1/people', { token: SCIM_TOKEN }), 403, 'forbidden');
    expectProblem(await api('GET', '/v1/me', { token: SCIM_TOKEN }), 403, 'forbidden');
  });
});

describe('SCIM Users: the provider sequence', () => {
  it('create, find by userName and externalId, patch, deactivate, reactivate, delete', async () => {
    // create
    const body = entraUser();
    const res = await scim('POST', '/scim/v2/Users', { body });
    expectStatus(res, 201);
    const user = res.body;
    assert.equal(res.headers.get('location'), `/scim/v2/Users/${user.id}`);
    assert.equal(res.headers.get('etag'), user.meta.version);
    assert.equal(user.userName, body.userName);
    assert.equal(user.externalId, body.externalId);
    assert.equal(user.displayName, body.displayName);
    assert.deepEqual(user.name, { givenName: 'Ada', familyName: 'Lovelace', formatted: body.displayName });
    assert.deepEqual(user.emails, [{ value: body.emails[0].value, type: 'work', primary: true }]);
    assert.equal(user.active, true);
    assert.equal(user[ENTERPRISE].department, 'Tax');
    assert.equal(user.phoneNumbers, undefined, 'phone numbers are not kept');
    const row = await personById(user.id);
    assert.equal(row.status, 'active');
    assert.equal(row.email, body.emails[0].value);
    assert.equal(row.business_unit, 'Tax');
    assert.deepEqual(row.roles, []);

    // find by filter, as the provider does before and after
    for (const [attr, value] of [
      ['userName', body.userName.toLowerCase()],
      ['username', body.userName],
      ['externalId', body.externalId],
      ['emails[type eq "work"].value', body.emails[0].value],
    ]) {
      const list = expectStatus(await scim('GET', filterPath(attr, value)), 200).body;
      assert.equal(list.totalResults, 1, `${attr} eq ${value}`);
      assert.equal(list.Resources[0].id, user.id);
    }
    expectStatus(await scim('GET', `/scim/v2/Users/${user.id}`), 200);

    // patch attributes, Entra style (capitalised ops, paths)
    const p1 = await scim('PATCH', `/scim/v2/Users/${user.id}`, {
      body: patchOps(
        { op: 'Replace', path: 'displayName', value: 'Ada King' },
        { op: 'Replace', path: 'title', value: 'Senior Partner' },
        { op: 'Add', path: 'emails[type eq "work"].value', value: `king.${uniq()}@example.com` },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Audit' },
        { op: 'Remove', path: 'name.givenName' },
      ),
    });
    expectStatus(p1, 200);
    assert.equal(p1.body.displayName, 'Ada King');
    assert.equal(p1.body.title, 'Senior Partner');
    assert.match(p1.body.emails[0].value, /^king\./);
    assert.equal(p1.body[ENTERPRISE].department, 'Audit');
    assert.equal(p1.body.name.givenName, undefined);
    assert.ok(Number(p1.body.meta.version.match(/\d+/)[0]) > Number(user.meta.version.match(/\d+/)[0]));

    // Okta style: no path, a value object
    const p2 = await scim('PATCH', `/scim/v2/Users/${user.id}`, {
      body: patchOps({ op: 'replace', value: { name: { givenName: 'Augusta' }, timezone: 'Europe/London' } }),
    });
    expectStatus(p2, 200);
    assert.equal(p2.body.name.givenName, 'Augusta');
    assert.equal(p2.body.displayName, 'Augusta Lovelace', 'the display name follows the name');
    assert.equal(p2.body.timezone, 'Europe/London');

    // deactivate (Entra sends the boolean as a string)
    const off = await scim('PATCH', `/scim/v2/Users/${user.id}`, {
      body: patchOps({ op: 'Replace', path: 'active', value: 'False' }),
    });
    expectStatus(off, 200);
    assert.equal(off.body.active, false);
    assert.equal((await personById(user.id)).status, 'left');

    // reactivate
    const on = await scim('PATCH', `/scim/v2/Users/${user.id}`, {
      body: patchOps({ op: 'replace', value: { active: true } }),
    });
    expectStatus(on, 200);
    assert.equal(on.body.active, true);
    assert.equal((await personById(user.id)).status, 'active');

    // delete: gone from SCIM, kept in /v1 as left
    expectStatus(await scim('DELETE', `/scim/v2/Users/${user.id}`), 204);
    expectScimError(await scim('GET', `/scim/v2/Users/${user.id}`), 404);
    const gone = expectStatus(await scim('GET', filterPath('userName', body.userName)), 200).body;
    assert.equal(gone.totalResults, 0);
    assert.deepEqual(gone.Resources, []);
    expectScimError(await scim('DELETE', `/scim/v2/Users/${user.id}`), 404);
    assert.equal((await getPerson(user.id)).status, 'left');

    // provisioned again with the same userName: the same person comes back
    const { active: _a, ...noActive } = body;
    const again = await scim('POST', '/scim/v2/Users', { body: { ...noActive, emails: [{ value: `back.${uniq()}@example.com`, primary: true }] } });
    expectStatus(again, 201);
    assert.equal(again.body.id, user.id);
    assert.equal(again.body.active, true);
  });

  it('PUT replaces the provisioned attributes and honours If-Match', async () => {
    const user = await createUser();
    const body = entraUser({ userName: user.userName, externalId: user.externalId, title: undefined });
    delete body.title;
    const stale = await scim('PUT', `/scim/v2/Users/${user.id}`, {
      body,
      headers: { 'If-Match': 'W/"999"' },
    });
    expectScimError(stale, 412);
    const res = await scim('PUT', `/scim/v2/Users/${user.id}`, { body, headers: { 'If-Match': user.meta.version } });
    expectStatus(res, 200);
    assert.equal(res.body.title, undefined, 'left out: cleared');
    assert.equal(res.body.displayName, body.displayName);
  });

  it('paging: startIndex and count', async () => {
    await createUser();
    await createUser();
    const all = expectStatus(await scim('GET', '/scim/v2/Users?count=500'), 200).body;
    assert.ok(all.totalResults >= 2);
    const page = expectStatus(await scim('GET', '/scim/v2/Users?startIndex=2&count=1'), 200).body;
    assert.equal(page.startIndex, 2);
    assert.equal(page.itemsPerPage, 1);
    assert.equal(page.totalResults, all.totalResults);
    assert.equal(page.Resources[0].id, all.Resources[1].id);
    const none = expectStatus(await scim('GET', '/scim/v2/Users?count=0'), 200).body;
    assert.deepEqual(none.Resources, []);
    assert.equal(none.totalResults, all.totalResults);
    const beyond = expectStatus(await scim('GET', `/scim/v2/Users?startIndex=${all.totalResults + 5}`), 200).body;
    assert.deepEqual(beyond.Resources, []);
  });
});

describe("SCIM: the paths Entra ID's and Okta's default mappings send", () => {
  // From Entra ID's default user mapping (and the Microsoft SCIM validator's
  // attribute list) and Okta's: what Tandem does not keep is accepted and dropped.
  const DROPPED = [
    ['phoneNumbers[type eq "work"].value', '+44 20 7946 0001'],
    ['phoneNumbers[type eq "mobile"].value', '+44 7700 900001'],
    ['phoneNumbers[type eq "fax"].value', '+44 20 7946 0002'],
    ['addresses[type eq "work"].streetAddress', '1 Main St'],
    ['addresses[type eq "work"].formatted', '1 Main St, London'],
    ['addresses[type eq "work"].locality', 'London'],
    ['addresses[type eq "work"].region', 'Greater London'],
    ['addresses[type eq "work"].postalCode', 'EC1A 1BB'],
    ['addresses[type eq "work"].country', 'GB'],
    ['addresses[type eq "other"].Formatted', 'Office 3'],
    ['emails[type eq "other"].Value', 'ada.home@example.org'],
    ['roles[primary eq "True"].value', 'Engineer'],
    ['ims[type eq "work"].value', 'ada-im'],
    ['preferredLanguage', 'en-GB'],
    ['locale', 'en-GB'],
    ['nickName', 'Ada'],
    ['userType', 'Employee'],
    ['name.middleName', 'B'],
    [`${ENTERPRISE}:employeeNumber`, '42'],
    [`${ENTERPRISE}:costCenter`, 'CC1'],
    [`${ENTERPRISE}:organization`, 'Org'],
    [`${ENTERPRISE}:division`, 'Div'],
    [`${ENTERPRISE}:manager`, '7d6f3c1e-0000-4000-8000-000000000001'],
  ];

  it('a PATCH with every dropped path and a title change applies the title change', async () => {
    const user = await createUser();
    const ops = DROPPED.map(([path, value]) => ({ op: 'Add', path, value }));
    ops.push({ op: 'Replace', path: 'title', value: 'Lead Partner' });
    const res = await scim('PATCH', `/scim/v2/Users/${user.id}`, { body: patchOps(...ops) });
    const after = expectStatus(res, 200).body;
    assert.equal(after.title, 'Lead Partner');
    assert.equal(after.emails[0].value, user.emails[0].value, 'an "other" address does not replace the work one');
    const row = await personById(user.id);
    assert.equal(row.title, 'Lead Partner');
    assert.equal(row.email, user.emails[0].value);
  });

  it('the issue\'s case: a work phone and a title in one PATCH', async () => {
    const user = await createUser();
    const res = await scim('PATCH', `/scim/v2/Users/${user.id}`, {
      body: patchOps(
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+44 20 7946 0003' },
        { op: 'Replace', path: 'title', value: 'Mentor' },
      ),
    });
    assert.equal(expectStatus(res, 200).body.title, 'Mentor');
  });

  it('a path SCIM does not define is still a 400 invalidPath, and nothing changes', async () => {
    const user = await createUser();
    expectScimError(
      await scim('PATCH', `/scim/v2/Users/${user.id}`, {
        body: patchOps({ op: 'Add', path: 'shoeSize', value: '9' }, { op: 'Replace', path: 'title', value: 'X' }),
      }),
      400,
      'invalidPath',
    );
    assert.equal((await personById(user.id)).title, user.title);
  });

  it('blank identity attributes are refused, blank title and department clear them', async () => {
    const user = await createUser();
    for (const path of ['displayName', 'externalId', 'userName']) {
      const e = expectScimError(
        await scim('PATCH', `/scim/v2/Users/${user.id}`, { body: patchOps({ op: 'Replace', path, value: '  ' }) }),
        400,
        'invalidValue',
      );
      assert.match(e.detail, new RegExp(path));
    }
    const row = await personById(user.id);
    assert.equal(row.external_id, user.externalId, 'the sign-in link stays');
    const res = await scim('PATCH', `/scim/v2/Users/${user.id}`, {
      body: patchOps({ op: 'Replace', path: 'title', value: ' ' }, { op: 'Replace', path: `${ENTERPRISE}:department`, value: '' }),
    });
    expectStatus(res, 200);
    const cleared = await personById(user.id);
    assert.equal(cleared.title, null);
    assert.equal(cleared.business_unit, null);
  });
});

describe('SCIM deprovisioning ends pairings; reactivation restores access only', () => {
  it('active false: status left, pairing cancelled, token refused; active true: token works, pairing stays ended', async () => {
    const user = await createUser();
    expectStatus(
      await scim('PATCH', '/scim/v2/Groups/partner', {
        body: patchOps({ op: 'add', path: 'members', value: [{ value: user.id }] }),
      }),
      204,
    );
    const mentor = await createMentor();
    const pairing = await createPairing(mentor, user.id);
    const person = await getPerson(user.id);
    assert.deepEqual(person.roles, ['partner']);
    const tok = tokenFor(person, ['partner']);
    expectStatus(await api('GET', '/v1/me', { token: tok }), 200);

    expectStatus(
      await scim('PATCH', `/scim/v2/Users/${user.id}`, { body: patchOps({ op: 'replace', path: 'active', value: false }) }),
      200,
    );
    const ended = await pairingById(pairing.id);
    assert.equal(ended.status, 'cancelled');
    assert.equal(ended.end_reason, 'deprovisioned over SCIM');
    expectProblem(await api('GET', '/v1/me', { token: tok }), 403, 'access-withdrawn');
    expectProblem(await api('GET', `/v1/people/${user.id}`, { token: tok }), 403, 'access-withdrawn');

    expectStatus(
      await scim('PATCH', `/scim/v2/Users/${user.id}`, { body: patchOps({ op: 'replace', path: 'active', value: true }) }),
      200,
    );
    expectStatus(await api('GET', '/v1/me', { token: tok }), 200);
    assert.equal((await pairingById(pairing.id)).status, 'cancelled', 'ended pairings stay ended');
  });

  it('DELETE ends pairings too', async () => {
    const user = await createUser();
    await scim('PATCH', '/scim/v2/Groups/partner', {
      body: patchOps({ op: 'add', path: 'members', value: [{ value: user.id }] }),
    });
    const pairing = await createPairing(await createMentor(), user.id);
    expectStatus(await scim('DELETE', `/scim/v2/Users/${user.id}`), 204);
    assert.equal((await pairingById(pairing.id)).status, 'cancelled');
    assert.equal((await personById(user.id)).status, 'left');
  });
});

describe('SCIM Groups: the roles', () => {
  it('lists the five roles and finds one by displayName; an unknown name is an empty list', async () => {
    const all = expectStatus(await scim('GET', '/scim/v2/Groups?excludedAttributes=members'), 200).body;
    assert.deepEqual(all.Resources.map((g) => g.id), ['admin', 'mentor', 'partner', 'comms', 'viewer']);
    assert.ok(all.Resources.every((g) => g.members === undefined));
    const one = expectStatus(
      await scim('GET', `/scim/v2/Groups?filter=${encodeURIComponent('displayName eq "mentor"')}`),
      200,
    ).body;
    assert.equal(one.totalResults, 1);
    assert.equal(one.Resources[0].id, 'mentor');
    const none = expectStatus(
      await scim('GET', `/scim/v2/Groups?filter=${encodeURIComponent('displayName eq "Finance"')}`),
      200,
    ).body;
    assert.equal(none.totalResults, 0);
    expectScimError(await scim('GET', '/scim/v2/Groups/finance'), 404);
  });

  it('POST of a group that exists (every role does) is a 409 uniqueness; another name is a 400', async () => {
    for (const displayName of ['comms', 'mentor']) {
      const res = await scim('POST', '/scim/v2/Groups', {
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName },
      });
      const e = expectScimError(res, 409, 'uniqueness');
      assert.match(e.detail, new RegExp(`/scim/v2/Groups/${displayName}`));
    }
    expectScimError(
      await scim('POST', '/scim/v2/Groups', { body: { schemas: [], displayName: 'Finance' } }),
      400,
      'invalidValue',
    );
  });

  it('a membership check by filter (id and members[value eq]) finds the group only with the member', async () => {
    const a = await createUser();
    const b = await createUser();
    await scim('PATCH', '/scim/v2/Groups/mentor', {
      body: patchOps({ op: 'add', path: 'members', value: [{ value: a.id }] }),
    });
    const check = async (filter) =>
      expectStatus(await scim('GET', `/scim/v2/Groups?excludedAttributes=members&filter=${encodeURIComponent(filter)}`), 200).body;
    const hit = await check(`id eq "mentor" and members[value eq "${a.id}"]`);
    assert.equal(hit.totalResults, 1);
    assert.equal(hit.Resources[0].id, 'mentor');
    const miss = await check(`id eq "mentor" and members[value eq "${b.id}"]`);
    assert.equal(miss.totalResults, 0);
    assert.deepEqual(miss.Resources, []);
    const other = await check(`displayName eq "admin" and members[value eq "${a.id}"]`);
    assert.equal(other.totalResults, 0);
    const groupsOfA = await check(`members[value eq "${a.id}"]`);
    assert.deepEqual(groupsOfA.Resources.map((g) => g.id), ['mentor']);
    expectScimError(
      await scim('GET', `/scim/v2/Groups?filter=${encodeURIComponent('id eq "mentor" or displayName eq "admin"')}`),
      400,
      'invalidFilter',
    );
  });

  it('PUT replaces the members and answers with the group; DELETE is a 501 SCIM error', async () => {
    const a = await createUser();
    const b = await createUser();
    await scim('PATCH', '/scim/v2/Groups/comms', {
      body: patchOps({ op: 'add', path: 'members', value: [{ value: a.id }] }),
    });
    const res = await scim('PUT', '/scim/v2/Groups/comms', {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'comms', members: [{ value: b.id }] },
    });
    const g = expectStatus(res, 200).body;
    assert.ok(g.members.some((m) => m.value === b.id));
    assert.ok(!g.members.some((m) => m.value === a.id));
    assert.deepEqual((await personById(a.id)).roles, []);
    assert.deepEqual((await personById(b.id)).roles, ['comms']);
    expectScimError(
      await scim('PUT', '/scim/v2/Groups/comms', {
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'viewer' },
      }),
      400,
      'mutability',
    );
    assert.deepEqual((await personById(b.id)).roles, ['comms'], 'a refused PUT changes nothing');
    const del = expectScimError(await scim('DELETE', '/scim/v2/Groups/comms'), 501);
    assert.match(del.detail, /PATCH/);
    assert.deepEqual((await personById(b.id)).roles, ['comms']);
    expectScimError(await scim('DELETE', '/scim/v2/Groups/finance'), 404);
  });

  it('members: add, remove by filter path, replace', async () => {
    const a = await createUser();
    const b = await createUser();
    expectStatus(
      await scim('PATCH', '/scim/v2/Groups/mentor', {
        body: patchOps({ op: 'Add', path: 'members', value: [{ value: a.id }, { value: b.id }] }),
      }),
      204,
    );
    const g = expectStatus(await scim('GET', '/scim/v2/Groups/mentor'), 200).body;
    assert.ok(g.members.some((m) => m.value === a.id) && g.members.some((m) => m.value === b.id));
    assert.deepEqual((await scim('GET', `/scim/v2/Users/${a.id}`)).body.groups.map((x) => x.value), ['mentor']);
    expectStatus(
      await scim('PATCH', '/scim/v2/Groups/mentor', {
        body: patchOps({ op: 'Remove', path: `members[value eq "${a.id}"]` }),
      }),
      204,
    );
    assert.deepEqual((await personById(a.id)).roles, []);
    assert.deepEqual((await personById(b.id)).roles, ['mentor']);
    expectStatus(
      await scim('PATCH', '/scim/v2/Groups/viewer', {
        body: patchOps({ op: 'replace', path: 'members', value: [{ value: a.id }] }),
      }),
      204,
    );
    assert.deepEqual((await personById(a.id)).roles, ['viewer']);
    expectScimError(
      await scim('PATCH', '/scim/v2/Groups/viewer', {
        body: patchOps({ op: 'add', path: 'members', value: [{ value: '00000000-0000-4000-8000-000000000000' }] }),
      }),
      400,
      'invalidValue',
    );
  });
});

describe('SCIM errors', () => {
  it('409 uniqueness for a userName taken (in any case)', async () => {
    const user = await createUser();
    const res = await scim('POST', '/scim/v2/Users', {
      body: entraUser({ userName: user.userName.toUpperCase() }),
    });
    const e = expectScimError(res, 409, 'uniqueness');
    assert.match(e.detail, /userName/);
    const ext = await scim('POST', '/scim/v2/Users', { body: entraUser({ externalId: user.externalId }) });
    assert.match(expectScimError(ext, 409, 'uniqueness').detail, /externalId/);
  });

  it('400 invalidValue naming every missing or bad attribute', async () => {
    const res = await scim('POST', '/scim/v2/Users', {
      body: { schemas: [USER], userName: 'no-email-here', emails: [{ value: 'not an address' }], timezone: 'x y' },
      invalid: true,
    });
    const e = expectScimError(res, 400, 'invalidValue');
    assert.match(e.detail, /emails/);
    assert.match(e.detail, /timezone/);
    const noUser = await scim('POST', '/scim/v2/Users', {
      body: { schemas: [USER], emails: [{ value: `x.${uniq()}@example.com` }] },
      invalid: true,
    });
    assert.match(expectScimError(noUser, 400, 'invalidValue').detail, /userName/);
  });

  it('400 for an unknown attribute, a missing schema, a bad body', async () => {
    assert.match(
      expectScimError(await scim('POST', '/scim/v2/Users', { body: entraUser({ favouriteColour: 'red' }) }), 400, 'invalidPath').detail,
      /favouriteColour/,
    );
    expectScimError(
      await scim('POST', '/scim/v2/Users', { body: { ...entraUser(), schemas: ['urn:nope'] } }),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim('POST', '/scim/v2/Users', { rawBody: '{"schemas": [', invalid: true }),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim('POST', '/scim/v2/Users', { rawBody: 'userName=x', contentType: 'text/plain', invalid: true }),
      415,
    );
  });

  it('400 invalidFilter for a filter Tandem does not read', async () => {
    for (const f of ['userName co "a"', 'title eq "x"', 'userName eq unquoted', 'userName eq "a" and active eq true']) {
      expectScimError(await scim('GET', `/scim/v2/Users?filter=${encodeURIComponent(f)}`), 400, 'invalidFilter');
    }
  });

  it('PATCH faults: unknown op, remove without path, read-only and unknown paths, no Operations', async () => {
    const user = await createUser();
    const path = `/scim/v2/Users/${user.id}`;
    expectScimError(await scim('PATCH', path, { body: patchOps({ op: 'move', path: 'title', value: 'x' }) }), 400, 'invalidSyntax');
    expectScimError(await scim('PATCH', path, { body: patchOps({ op: 'remove' }) }), 400, 'noTarget');
    expectScimError(await scim('PATCH', path, { body: patchOps({ op: 'replace', path: 'id', value: 'x' }) }), 400, 'mutability');
    expectScimError(await scim('PATCH', path, { body: patchOps({ op: 'remove', path: 'userName' }) }), 400, 'mutability');
    expectScimError(await scim('PATCH', path, { body: patchOps({ op: 'replace', path: 'shoeSize', value: 9 }) }), 400, 'invalidPath');
    expectScimError(await scim('PATCH', path, { body: { schemas: [PATCH] }, invalid: true }), 400, 'invalidSyntax');
    expectScimError(
      await scim('PATCH', path, { body: patchOps({ op: 'replace', path: 'displayName', value: 'x' }), headers: { 'If-Match': 'W/"999"' } }),
      412,
    );
    // nothing changed
    assert.equal((await scim('GET', path)).body.meta.version, user.meta.version);
  });

  it('404 for ids this service never issued, 404 and 405 for unknown routes and methods', async () => {
    expectScimError(await scim('GET', '/scim/v2/Users/not-a-uuid'), 404);
    expectScimError(await scim('GET', '/scim/v2/Users/00000000-0000-4000-8000-000000000000'), 404);
    expectScimError(await scim('PATCH', '/scim/v2/Users/00000000-0000-4000-8000-000000000000', { body: patchOps({ op: 'replace', path: 'title', value: 'x' }) }), 404);
    expectScimError(await scim('GET', '/scim/v2/Bulk', { invalid: true }), 404);
    const res = await scim('DELETE', '/scim/v2/Users', { invalid: true });
    expectScimError(res, 405);
    assert.match(res.headers.get('allow'), /POST/);
  });
});
