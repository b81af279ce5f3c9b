// Phases follows mentoring's and strategy's event feeds (issue 12):
//  1. a partner's activity elsewhere counts as progress on their stall clock;
//  4. comms signing off the current integration completes the journey, with a
//     history entry naming the sign-off; a return shows in the history; an
//     admin override to operational stays possible and says it was one;
//  a mentor's sign-off revoked is in the history, and the stall clock the
//  sign-off restarted goes back unless progress since moved it.
// Over real HTTP against the real services, as a person would act.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, requireEnv } from './lib/http.mjs';
import { adminToken, createPerson, serviceToken, tokenFor, uniq } from './lib/fixtures.mjs';
import { startService } from './lib/spawn.mjs';
import { age, enrol, getEnrolment, overrideAdvance, partnerWithMentor, ph } from './lib/phases.mjs';
import { createSession, holdSession, createItem, createCompletion } from './lib/mentoring.mjs';
import {
  createPlaybook, decide, integrate, playbookBody, programme, publishStrategy, savePlaybook,
} from './lib/strategy.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The harness's own phases instance is told that mentoring and strategy live
// where nothing answers (for phases' own evidence tests); its followers fail
// and step down. This file's instance, on the same database, is wired to the
// real services and takes over following.
let follower;

async function followersOf(instance) {
  const res = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(3000) });
  return res.status === 200 ? (await res.json()).followers ?? [] : [];
}

before(async () => {
  follower = await startService('phases', {
    name: `phases-follow-${uniq(3)}`,
    env: {
      TANDEM_PEOPLE_URL: requireEnv('TANDEM_TEST_PEOPLE_URL'),
      TANDEM_MENTORING_URL: requireEnv('TANDEM_TEST_MENTORING_URL'),
      TANDEM_STRATEGY_URL: requireEnv('TANDEM_TEST_STRATEGY_URL'),
      TANDEM_THREADS: '2',
      TANDEM_DB_POOL_SIZE: '4',
    },
  });
  await follower.waitReady();
  // both subscriptions caught up with everything written so far
  for (let i = 0; i < 600; i++) {
    const f = await followersOf(follower);
    if (f.length === 2 && f.every((x) => x.state === 'following')) break;
    await sleep(100);
  }
});

after(async () => {
  const res = follower ? await follower.stop() : { code: 0 };
  assert.equal(res.code, 0, `the follower instance exits 0 on SIGTERM\n${follower?.output()}`);
});

// Polls @probe until it returns a truthy value or @ms pass; returns [value, elapsed ms].
async function within(ms, probe) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return [v, Date.now() - t0];
    if (Date.now() - t0 > ms) return [null, Date.now() - t0];
    await sleep(100);
  }
}

async function history(enrolmentId) {
  return expectStatus(
    await ph('GET', `/v1/enrolments/${enrolmentId}/history?limit=100`, { token: adminToken() }),
    200,
  ).body.items;
}

async function stalledEnrolment(person) {
  const e = await enrol(person);
  await age(e.id, { progressDays: 60 });
  assert.equal((await getEnrolment(e.id)).pace, 'stalled');
  return e;
}

describe('consequence 1: own pace sees all activity', () => {
  it('a session held in mentoring: the stalled partner reads on_track within 2 s', async () => {
    const w = await partnerWithMentor();
    const e = await stalledEnrolment(w.partner);
    const s = await createSession(w.pairing, w.mt());
    const t0 = Date.now();
    await holdSession(s, w.mt());
    const [ok] = await within(2000, async () => (await getEnrolment(e.id)).pace === 'on_track');
    assert.ok(ok, `still ${(await getEnrolment(e.id)).pace} ${Date.now() - t0} ms after the session was held`);
  });

  it('a completion recorded in mentoring counts too', async () => {
    const w = await partnerWithMentor();
    const e = await stalledEnrolment(w.partner);
    const item = await createItem(w.partner, w.pt());
    await createCompletion(w.partner, item, w.pt());
    const [ok] = await within(2000, async () => (await getEnrolment(e.id)).pace === 'on_track');
    assert.ok(ok, 'a completion is progress');
  });

  it('a completion verified by the mentor counts too', async () => {
    const w = await partnerWithMentor();
    const e = await stalledEnrolment(w.partner);
    const item = await createItem(w.partner, w.pt());
    const c = await createCompletion(w.partner, item, w.pt());
    // the completion itself was progress: let it land, then stall the clock again
    const [landed] = await within(3000, async () => (await getEnrolment(e.id)).pace === 'on_track');
    assert.ok(landed, 'the completion was applied');
    await age(e.id, { progressDays: 60 });
    assert.equal((await getEnrolment(e.id)).pace, 'stalled');
    expectStatus(await api('PUT', `/v1/checklists/${w.partner.id}/completions/${c.id}/verification`, {
      service: 'mentoring', token: w.mt(), body: {},
    }), 200);
    const [ok] = await within(2000, async () => (await getEnrolment(e.id)).pace === 'on_track');
    assert.ok(ok, 'a verification is progress');
  });

  it('a playbook section saved in strategy counts too', async () => {
    const w = await partnerWithMentor();
    const e = await stalledEnrolment(w.partner);
    const pb = await createPlaybook(tokenFor(w.partner), playbookBody(programme()));
    await age(e.id, { progressDays: 60 });   // creating it was no section save
    await savePlaybook(tokenFor(w.partner), pb.id, { voice: 'Plainer still.' });
    const [ok] = await within(2000, async () => (await getEnrolment(e.id)).pace === 'on_track');
    assert.ok(ok, 'a section save is progress');
  });

  it('phases reports its followers in /readyz: following here, in trouble on the instance wired to nowhere', async () => {
    // (people-access, every service's follower of people, is leaving.test.mjs's)
    const progress = (body) => body.followers.filter((f) => f.name.endsWith('-progress'));
    const here = expectStatus(await api('GET', '/readyz', { service: 'phases', base: follower.url }), 200);
    assert.deepEqual(progress(here.body).map((f) => f.name).sort(), ['mentoring-progress', 'strategy-progress']);
    assert.ok(progress(here.body).every((f) => f.state === 'following'), JSON.stringify(here.body.followers));
    // the harness's instance: ready all the same, and says why it does not follow
    const there = expectStatus(await api('GET', '/readyz', { service: 'phases' }), 200);
    assert.ok(progress(there.body).every((f) => ['unreachable', 'standby'].includes(f.state)),
      JSON.stringify(there.body.followers));
    // both reach people: one of the two follows its person events, the other stands by
    const access = [here.body, there.body].map((b) => b.followers.find((f) => f.name === 'people-access').state);
    assert.deepEqual(access.sort(), ['following', 'standby'], JSON.stringify(access));
  });

  it('progress in phases is an event of its own, naming its cause', async () => {
    const w = await partnerWithMentor();
    const e = await stalledEnrolment(w.partner);
    const s = await createSession(w.pairing, w.mt());
    await holdSession(s, w.mt());
    const [ev] = await within(3000, async () => {
      const res = expectStatus(
        await api('GET', '/v1/events?type=tandem.phases.enrolment.progressed&limit=1000', { service: 'phases', token: serviceToken() }),
        200,
      );
      return res.body.items.find((x) => x.subject === e.id);
    });
    assert.ok(ev);
    assert.equal(ev.data.cause_type, 'tandem.mentoring.session.held');
    assert.equal(ev.personid, w.partner.id);
    assert.equal(ev.actor, 'service:phases');
  });
});

describe('consequence 4: sign-off completes the journey', () => {
  // A partner enrolled and moved (by override) to the last phase, integration.
  async function atIntegration() {
    const w = await partnerWithMentor();
    const e = await enrol(w.partner);
    let cur = e;
    for (let i = 0; i < 10 && cur.current_phase !== 'integration'; i++) cur = await overrideAdvance(e.id);
    assert.equal(cur.current_phase, 'integration');
    return { ...w, e };
  }

  it('comms signs off: the enrolment is operational, the history names the sign-off', async () => {
    const w = await atIntegration();
    const comms = await createPerson({ roles: ['comms'] });
    await publishStrategy(tokenFor(comms));
    const pb = await createPlaybook(tokenFor(w.partner), playbookBody(programme()));
    const i = await integrate(tokenFor(w.partner), pb.id);
    await decide(tokenFor(comms), i.id, 'signed_off');
    const [done] = await within(3000, async () => (await getEnrolment(w.e.id)).status === 'operational');
    assert.ok(done, 'operational after the sign-off');
    const h = await history(w.e.id);
    const last = h.filter((x) => x.kind === 'operational');
    assert.equal(last.length, 1);
    assert.equal(last[0].override, false);
    assert.equal(last[0].actor.role, 'comms');
    assert.equal(last[0].actor.person_id, comms.id);
    assert.equal(last[0].evidence[0].evidence.integration_id, i.id);
    assert.match(last[0].evidence[0].detail, new RegExp(i.id));
  });

  it('a returned integration shows in the history and leaves the enrolment where it was', async () => {
    const w = await atIntegration();
    const comms = await createPerson({ roles: ['comms'] });
    await publishStrategy(tokenFor(comms));
    const pb = await createPlaybook(tokenFor(w.partner), playbookBody(programme()));
    const i = await integrate(tokenFor(w.partner), pb.id);
    await decide(tokenFor(comms), i.id, 'returned', 'Tone down the golf.');
    const [entry] = await within(3000, async () => (await history(w.e.id)).find((x) => x.kind === 'integration_returned'));
    assert.ok(entry, 'the return is in the history');
    assert.match(entry.reason, new RegExp(i.id));
    assert.equal(entry.reason.includes('golf'), false, "comms' comment stays in strategy");
    const now = await getEnrolment(w.e.id);
    assert.equal(now.status, 'active');
    assert.equal(now.current_phase, 'integration');
  });

  it('an admin override to operational without a sign-off stays possible and is recorded as one', async () => {
    const w = await atIntegration();
    const done = await overrideAdvance(w.e.id, 'signed off on paper');
    assert.equal(done.status, 'operational');
    const op = (await history(w.e.id)).find((x) => x.kind === 'operational');
    assert.equal(op.override, true);
    assert.equal(op.reason, 'signed off on paper');
    assert.equal(op.actor.role, 'admin');
  });
});

describe("a mentor's sign-off revoked", () => {
  async function signOff(w) {
    return expectStatus(await api('POST', '/v1/signoffs', {
      service: 'mentoring', token: w.mt(), body: { partner_id: w.partner.id, note: 'Ready to go.' },
    }), 201).body;
  }

  async function revoke(w, so) {
    expectStatus(await api('DELETE', `/v1/signoffs/${so.id}`, { service: 'mentoring', token: w.mt() }), 204);
  }

  const revocation = async (e) => (await history(e.id)).find((x) => x.kind === 'mentor_signoff_revoked');

  it('the history shows the revocation by the mentor, and the stall clock is back where it was', async () => {
    const w = await partnerWithMentor();
    const e = await stalledEnrolment(w.partner);
    const before = await getEnrolment(e.id);
    const so = await signOff(w);
    const [moved] = await within(3000, async () => (await getEnrolment(e.id)).pace === 'on_track');
    assert.ok(moved, 'the sign-off is progress');
    assert.equal(await revocation(e), undefined, 'a sign-off recorded is no revocation');
    await revoke(w, so);
    const [entry] = await within(3000, () => revocation(e));
    assert.ok(entry, 'the revocation is in the history');
    assert.match(entry.reason, new RegExp(so.id));
    assert.equal(entry.reason.includes('Ready to go'), false, "the mentor's note stays in mentoring");
    assert.deepEqual([entry.actor.role, entry.actor.person_id], ['mentor', w.mentor.id]);
    assert.equal(entry.phase, before.current_phase);
    assert.equal(entry.override, false);
    const now = await getEnrolment(e.id);
    assert.equal(now.pace, 'stalled');
    assert.equal(now.last_progress_at, before.last_progress_at);
    assert.deepEqual([now.status, now.current_phase], [before.status, before.current_phase]);
    // the partner reads the same line in their own journey
    const mine = expectStatus(await ph('GET', `/v1/enrolments/${e.id}/history?limit=100`, { token: w.pt() }), 200).body.items;
    assert.equal(mine.filter((x) => x.kind === 'mentor_signoff_revoked').length, 1);
  });

  it('progress since the sign-off stays: a session held after it keeps the partner on track', async () => {
    const w = await partnerWithMentor();
    const e = await stalledEnrolment(w.partner);
    const so = await signOff(w);
    const [signed] = await within(3000, async () => {
      const now = await getEnrolment(e.id);
      return now.pace === 'on_track' ? now : null;
    });
    assert.ok(signed, 'the sign-off is progress');
    await holdSession(await createSession(w.pairing, w.mt()), w.mt());
    const [held] = await within(3000, async () => {
      const now = await getEnrolment(e.id);
      return now.last_progress_at !== signed.last_progress_at ? now : null;
    });
    assert.ok(held, 'the session held moved the clock on');
    await revoke(w, so);
    const [entry] = await within(3000, () => revocation(e));
    assert.ok(entry, 'the revocation is in the history');
    const now = await getEnrolment(e.id);
    assert.equal(now.pace, 'on_track');
    assert.equal(now.last_progress_at, held.last_progress_at);
  });

  it('a sign-off signed again after a revocation is progress again, and its own revocation is a second line', async () => {
    const w = await partnerWithMentor();
    const e = await stalledEnrolment(w.partner);
    await revoke(w, await signOff(w));
    const [first] = await within(3000, () => revocation(e));
    assert.ok(first);
    assert.equal((await getEnrolment(e.id)).pace, 'stalled');
    const again = await signOff(w);
    const [moved] = await within(3000, async () => (await getEnrolment(e.id)).pace === 'on_track');
    assert.ok(moved, 'the second sign-off is progress');
    await revoke(w, again);
    const [both] = await within(3000, async () => {
      const lines = (await history(e.id)).filter((x) => x.kind === 'mentor_signoff_revoked');
      return lines.length === 2 ? lines : null;
    });
    assert.ok(both, 'two revocations, two lines');
    assert.match(both[1].reason, new RegExp(again.id));
    assert.equal((await getEnrolment(e.id)).pace, 'stalled');
  });
});
