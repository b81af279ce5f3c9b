// The views, one per role.  Each loads what it shows from the public API and
// offers only what its role may do (the API refuses the rest anyway).
import { useEffect, useState } from 'preact/hooks';
import { api, calls, get, ApiError } from './api.js';
import { Bars, DataTable, Lines } from './charts.jsx';

const PACE = { on_track: 'On track', behind_own_plan: 'Behind own plan', stalled: 'Stalled', paused: 'Paused' };
const paceText = (p) => PACE[p] || p || '–';
const day = (t) => (t ? String(t).slice(0, 10) : '–');
const cadenceText = (c) => (c && typeof c === 'object' ? Object.entries(c).map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ') : c);

// Runs @load once (and again on reload()); gives {data, error, loading, reload}.
function useLoad(load, deps = []) {
  const [state, setState] = useState({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    calls.viewStart = performance.now(); // (the tests report the time to render from here)
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

function Status({ st, children }) {
  if (st.error) return <p role="alert" class="error">Could not load: {st.error.message}</p>;
  if (st.loading && !st.data) return <p aria-live="polite">Loading…</p>;
  return children(st.data);
}

function Problem({ err }) {
  if (!err) return null;
  return (
    <div role="alert" class="error">
      <p>{err.message}</p>
      {err instanceof ApiError && err.fields.length > 0 && <ul>{err.fields.map((f) => <li key={f}>{f}</li>)}</ul>}
    </div>
  );
}

// Display names of the people @ids that the caller may read (GET
// /v1/people/names: names only, 100 a call, the calls side by side).  Ids the
// caller may not read are left out: the caller shows those by id.
export async function namesOf(ids) {
  const uniqueIds = [...new Set(ids)];
  const batches = [];
  for (let i = 0; i < uniqueIds.length; i += 100) batches.push(uniqueIds.slice(i, i + 100));
  const pages = await Promise.all(batches.map((b) => get(`/v1/people/names?ids=${b.join(',')}`)));
  return new Map(pages.flatMap((p) => p.items.map((x) => [x.id, x.display_name])));
}

// ---- aggregate charts (lead and viewer) ------------------------------------------
async function loadAggregates() {
  const [stats, trend, strategy] = await Promise.all([
    get('/v1/stats/phases'),
    get('/v1/stats/phases/trend?interval=week'),
    get('/v1/stats/strategy').catch(() => null),
  ]);
  return { stats, trend, strategy };
}

function Aggregates({ a, onPhase, onPace }) {
  const { stats, trend, strategy } = a;
  const keys = trend.phases;
  return (
    <div class="grid">
      <Bars id="funnel" title="Partners per phase (the funnel)" items={stats.phases.map((p) => ({ label: p.name, key: p.key, value: p.partners }))} onPick={onPhase} />
      <Bars id="pace" title="Pace across the programme" items={Object.entries(stats.pace).map(([k, v]) => ({ label: paceText(k), key: k, value: v }))} onPick={onPace} />
      <figure class="chart" aria-labelledby="days-t">
        <figcaption id="days-t">Days per phase (completed stays)</figcaption>
        <DataTable caption="Median and 90th percentile days per phase" columns={['phase', 'median days', 'p90 days', 'completed']} rows={stats.phases.map((p) => [p.name, p.median_days, p.p90_days, p.completed])} />
      </figure>
      <figure class="chart" aria-labelledby="growth-t">
        <figcaption id="growth-t">Confidence and capability growth per platform</figcaption>
        <DataTable caption="Mean change from baseline self-assessment" columns={['platform', 'partners', 'confidence', 'capability']} rows={stats.assessment_growth.map((g) => [g.platform, g.partners, g.confidence_change, g.capability_change])} />
      </figure>
      {strategy && (
        <Bars id="pillars" title={`Pillar coverage (${strategy.pillar_coverage?.operational_leaders ?? 0} operational leaders)`} items={(strategy.pillar_coverage?.pillars || []).map((p) => ({ label: p.pillar, value: p.leaders }))} />
      )}
      <Lines id="trend-op" title="Operational journeys, week by week" weeks={trend.weeks} series={[{ key: 'op', label: 'operational', values: trend.weeks.map((w) => w.operational) }]} />
      <Lines id="trend-in" title="Partners entering each phase per week" weeks={trend.weeks} series={keys.map((k) => ({ key: k, label: k, values: trend.weeks.map((w) => w.entered[k] ?? 0) }))} />
      <Lines id="trend-out" title="Partners leaving (completing) each phase per week" weeks={trend.weeks} series={keys.map((k) => ({ key: k, label: k, values: trend.weeks.map((w) => w.left[k] ?? 0) }))} />
    </div>
  );
}

export function ViewerView() {
  const st = useLoad(loadAggregates);
  return (
    <section aria-labelledby="h-viewer">
      <h2 id="h-viewer">Programme at a glance</h2>
      <p>Aggregates only: no person's record is shown here.</p>
      <Status st={st}>{(a) => <Aggregates a={a} />}</Status>
    </section>
  );
}

// ---- the attention list (GET /v1/attention: what needs the caller now) -------------
const REASON = {
  stalled: 'Stalled', behind_own_plan: 'Behind own plan', write_up_owed: 'Write-up owed',
  section_review: 'Section to review', completion_verification: 'Completion to verify',
  integration_pending_review: 'Sign-off waiting (comms)', integration_returned: 'Integration returned',
};
const ON_JOURNEY = new Set(['stalled', 'behind_own_plan']); // their subject is the enrolment

function AttentionPanel({ onJourney }) {
  const st = useLoad(() => get('/v1/attention?limit=500'));
  const who = (i) => i.person.name || i.person.id;
  return (
    <section aria-labelledby="h-attention" class="panel">
      <h3 id="h-attention">Needs attention</h3>
      <Status st={st}>
        {(d) => (
          <>
            <p class="note">{d.items.length}{d.next_cursor ? ' (the oldest 500)' : ''}: partners stalled or behind their own plan, write-ups owed, reviews and sign-offs waiting, oldest first.</p>
            {d.items.length === 0 ? <p>Nothing needs attention now.</p> : (
              <table>
                <caption>What needs attention</caption>
                <thead><tr><th scope="col">partner</th><th scope="col">reason</th><th scope="col">since</th></tr></thead>
                <tbody>
                  {d.items.map((i) => (
                    <tr key={`${i.reason}/${i.subject_id}/${i.section || ''}`}>
                      <th scope="row">{ON_JOURNEY.has(i.reason) ? <button type="button" class="link" onClick={() => onJourney({ id: i.subject_id, name: i.person.name })}>{who(i)}</button> : who(i)}</th>
                      <td><span class={`pace ${i.reason}`}>{REASON[i.reason] || i.reason}</span>{i.phase || i.section ? ` (${i.phase || i.section})` : ''}{i.count > 1 ? ` ×${i.count}` : ''}</td>
                      <td>{day(i.since)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Status>
    </section>
  );
}

// ---- the programme lead ---------------------------------------------------------
async function loadLead() {
  const [agg, page] = await Promise.all([loadAggregates(), get('/v1/enrolments?status=active&limit=500')]);
  const names = await namesOf(page.items.map((e) => e.person_id));
  return { agg, enrolments: page.items, more: page.next_cursor !== null, names };
}

export function LeadView() {
  const st = useLoad(loadLead);
  const [pick, setPick] = useState(null); // {title, filter}
  const [journey, setJourney] = useState(null);
  if (journey) return <Journey enrolmentId={journey.id} name={journey.name} onBack={() => setJourney(null)} />;
  return (
    <section aria-labelledby="h-lead">
      <h2 id="h-lead">Programme dashboard</h2>
      <Status st={st}>
        {(d) => {
          const list = pick ? d.enrolments.filter(pick.filter) : null;
          const row = (e) => (
            <tr key={e.id}>
              <th scope="row"><button type="button" class="link" onClick={() => setJourney({ id: e.id, name: d.names.get(e.person_id) })}>{d.names.get(e.person_id) || e.person_id}</button></th>
              <td>{e.current_phase}</td>
              <td><span class={`pace ${e.pace}`}>{paceText(e.pace)}</span></td>
              <td>{day(e.last_progress_at)}</td>
            </tr>
          );
          const table = (caption, items) => (
            <table>
              <caption>{caption}</caption>
              <thead><tr><th scope="col">partner</th><th scope="col">phase</th><th scope="col">pace</th><th scope="col">last progress</th></tr></thead>
              <tbody>{items.map(row)}</tbody>
            </table>
          );
          return (
            <>
              <AttentionPanel onJourney={setJourney} />
              {list && (
                <section aria-labelledby="h-drill" class="panel">
                  <h3 id="h-drill">{pick.title} ({list.length})</h3>
                  <button type="button" onClick={() => setPick(null)}>Close the list</button>
                  {table(pick.title, list)}
                </section>
              )}
              <Aggregates
                a={d.agg}
                onPhase={(it) => setPick({ title: `Partners in ${it.label}`, filter: (e) => e.current_phase === it.key })}
                onPace={(it) => setPick({ title: `Partners: ${it.label}`, filter: (e) => e.pace === it.key })}
              />
            </>
          );
        }}
      </Status>
    </section>
  );
}

// ---- one journey (the partner's own, or drilled into) ----------------------------------
function Journey({ enrolmentId, name, onBack, canShift }) {
  const st = useLoad(async () => {
    const e = await get(`/v1/enrolments/${enrolmentId}`);
    const crit = e.status === 'active' ? await get(`/v1/enrolments/${enrolmentId}/criteria`) : null;
    return { e, crit };
  }, [enrolmentId]);
  return (
    <section aria-labelledby="h-journey" class="panel">
      <h3 id="h-journey">{name ? `${name}'s journey` : 'My journey'}</h3>
      {onBack && <button type="button" onClick={onBack}>Back to the dashboard</button>}
      <Status st={st}>
        {({ e, crit }) => (
          <>
            <p>
              Status: <strong data-testid="journey-status">{e.status}</strong>
              {e.status !== 'operational' && <> · now in <strong>{e.current_phase}</strong> · pace <span class={`pace ${e.pace}`}>{paceText(e.pace)}</span></>}
            </p>
            <ol class="phases">
              {e.phases.map((p) => (
                <li key={p.key} class={p.status} aria-current={p.position === e.current_position && e.status !== 'operational' ? 'step' : undefined}>
                  <strong>{p.name}</strong> <span class="muted">{p.status.replace('_', ' ')}</span>
                  <br />
                  target <span data-testid={`target-${p.key}`}>{p.target_date || 'none'}</span>
                  {p.completed_at && <> · done {day(p.completed_at)}</>}
                </li>
              ))}
            </ol>
            {crit && (
              <>
                <h4>What the next gate still needs</h4>
                {crit.ready ? <p>Everything is in place to move on.</p> : (
                  <ul>{crit.criteria.filter((c) => c.status !== 'met').map((c, i) => <li key={i}>{c.detail}</li>)}</ul>
                )}
              </>
            )}
            {canShift && e.status === 'active' && <ShiftTarget e={e} onDone={st.reload} />}
          </>
        )}
      </Status>
    </section>
  );
}

function ShiftTarget({ e, onDone }) {
  const open = e.phases.filter((p) => p.status !== 'completed');
  const [phase, setPhase] = useState(open[0]?.key);
  const [date, setDate] = useState('');
  const [reason, setReason] = useState('');
  const [err, setErr] = useState(null);
  const [done, setDone] = useState('');
  const submit = async (ev) => {
    ev.preventDefault();
    setErr(null);
    try {
      await api('PATCH', `/v1/enrolments/${e.id}/target-dates`, { body: { targets: { [phase]: date }, reason }, ifMatch: e.version });
      setDone(`Target for ${phase} moved to ${date}.`);
      onDone();
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <form onSubmit={submit} class="panel" aria-labelledby="h-shift">
      <h4 id="h-shift">Shift one of my target dates</h4>
      <label>Phase <select value={phase} onChange={(x) => setPhase(x.target.value)}>{open.map((p) => <option key={p.key} value={p.key}>{p.name}</option>)}</select></label>
      <label>New target date <input type="date" required value={date} onInput={(x) => setDate(x.target.value)} /></label>
      <label>Reason <input type="text" required maxLength={500} value={reason} onInput={(x) => setReason(x.target.value)} /></label>
      <button type="submit">Shift the date</button>
      <Problem err={err} />
      <p aria-live="polite">{done}</p>
    </form>
  );
}

// ---- the partner ----------------------------------------------------------------------
export function PartnerView({ me }) {
  const st = useLoad(async () => {
    const [enrolments, checklist, playbooks] = await Promise.all([
      get('/v1/enrolments'),
      get(`/v1/checklists/${me.id}`).catch(() => null),
      get('/v1/playbooks'),
    ]);
    return { enrolments: enrolments.items, checklist, playbooks: playbooks.items };
  });
  return (
    <section aria-labelledby="h-partner">
      <h2 id="h-partner">My programme</h2>
      <Status st={st}>
        {(d) => (
          <>
            {d.enrolments.length === 0 ? <p>You are not enrolled yet.</p> : d.enrolments.map((e) => <Journey key={e.id} enrolmentId={e.id} canShift />)}
            {d.checklist && <Checklist c={d.checklist} title="My checklist" />}
            <section aria-labelledby="h-playbook" class="panel">
              <h3 id="h-playbook">My playbook</h3>
              {d.playbooks.length === 0 ? <p>No playbook yet.</p> : d.playbooks.map((p) => (
                <DataTable key={p.id} caption={`Playbook revision ${p.revision}${p.operational ? ' (operational)' : ''}`} columns={['section', 'status']} rows={Object.entries(p.section_status).map(([k, v]) => [k, v.replace(/_/g, ' ')])} />
              ))}
            </section>
          </>
        )}
      </Status>
    </section>
  );
}

function Checklist({ c, title }) {
  const r = c.regularity;
  return (
    <section class="panel" aria-label={title}>
      <h3>{title}</h3>
      <p>Streak <strong>{r.current_streak_weeks}</strong> weeks (longest {r.longest_streak_weeks}) · {Math.round((r.on_cadence_ratio || 0) * 100)}% on cadence over {r.weeks} weeks · {r.rate_per_week} a week</p>
      <DataTable caption="This week's items" columns={['item', 'cadence', 'this window', 'streak']} rows={c.items.filter((i) => i.status === 'active').map((i) => [i.title, cadenceText(i.cadence), `${i.regularity.current_window?.completions ?? 0} done (${i.regularity.current_window?.state ?? '–'})`, i.regularity.current_streak])} />
    </section>
  );
}

// ---- the mentor -----------------------------------------------------------------------
export function MentorView({ me }) {
  const st = useLoad(async () => {
    const [pairings, sessions, playbooks, people, guidelines] = await Promise.all([
      get(`/v1/pairings?mentor_id=${me.id}&status=active`).catch(() => get('/v1/pairings')),
      get('/v1/sessions?status=held&limit=100').catch(() => get('/v1/sessions?limit=100')),
      get('/v1/playbooks?limit=100'),
      get('/v1/people?limit=500'),
      get('/v1/guidelines'),
    ]);
    const mine = pairings.items.filter((p) => p.mentor_id === me.id && p.status === 'active');
    // per partner: the journey and the checklist (a mentor lists enrolments by person)
    const [checklists, journeys] = await Promise.all([
      Promise.all(mine.map((p) => get(`/v1/checklists/${p.partner_id}`).catch(() => null))),
      Promise.all(mine.map((p) => get(`/v1/enrolments?person_id=${p.partner_id}`).then((r) => r.items, () => []))),
    ]);
    return { mine, enrolments: journeys.flat(), sessions: sessions.items, playbooks: playbooks.items, names: new Map(people.items.map((p) => [p.id, p.display_name])), guidelines, checklists };
  });
  return (
    <section aria-labelledby="h-mentor">
      <h2 id="h-mentor">My partners</h2>
      <Status st={st}>
        {(d) => {
          const owed = d.sessions.filter((s) => s.status === 'held' && s.mentor_id === me.id && !s.write_up?.written_up_at);
          const toReview = d.playbooks.flatMap((p) => Object.entries(p.section_status).filter(([, v]) => v === 'ready_for_review').map(([k]) => [d.names.get(p.partner_id) || p.partner_id, k]));
          return (
            <>
              <table>
                <caption>Partners I mentor</caption>
                <thead><tr><th scope="col">partner</th><th scope="col">phase</th><th scope="col">target</th><th scope="col">pace</th><th scope="col">streak (weeks)</th><th scope="col">on cadence</th></tr></thead>
                <tbody>
                  {d.mine.map((p, i) => {
                    const e = d.enrolments.find((x) => x.person_id === p.partner_id && (x.status === 'active' || x.status === 'paused')) || d.enrolments.find((x) => x.person_id === p.partner_id);
                    const cur = e?.phases.find((x) => x.position === e.current_position);
                    const r = d.checklists[i]?.regularity;
                    return (
                      <tr key={p.id}>
                        <th scope="row">{d.names.get(p.partner_id) || p.partner_id}</th>
                        <td>{e ? (e.status === 'operational' ? 'operational' : e.current_phase) : 'not enrolled'}</td>
                        <td>{cur?.target_date || '–'}</td>
                        <td>{e ? <span class={`pace ${e.pace}`}>{paceText(e.pace)}</span> : '–'}</td>
                        <td>{r ? r.current_streak_weeks : '–'}</td>
                        <td>{r ? `${Math.round((r.on_cadence_ratio || 0) * 100)}%` : '–'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <section class="panel" aria-labelledby="h-review">
                <h3 id="h-review">Playbook sections waiting for my review ({toReview.length})</h3>
                {toReview.length === 0 ? <p>Nothing waits for review.</p> : <ul>{toReview.map(([n, k]) => <li key={n + k}>{n}: {k}</li>)}</ul>}
              </section>
              <WriteUp owed={owed} names={d.names} guidelines={d.guidelines} onDone={st.reload} />
            </>
          );
        }}
      </Status>
    </section>
  );
}

function WriteUp({ owed, names, guidelines, onDone }) {
  const [sid, setSid] = useState(owed[0]?.id || '');
  const [notes, setNotes] = useState('');
  const [adh, setAdh] = useState(() => Object.fromEntries(guidelines.items.map((g) => [g.key, true])));
  const [err, setErr] = useState(null);
  const [done, setDone] = useState('');
  const s = owed.find((x) => x.id === sid) || owed[0];
  const submit = async (ev) => {
    ev.preventDefault();
    setErr(null);
    try {
      await api('PATCH', `/v1/sessions/${s.id}/write-up`, { body: { shared_notes: notes, guideline_adherence: adh }, ifMatch: s.version });
      setDone(`Write-up recorded for the session of ${day(s.scheduled_at)}.`);
      setNotes('');
      onDone();
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <section class="panel" aria-labelledby="h-writeup">
      <h3 id="h-writeup">Write-ups I owe ({owed.length})</h3>
      <p aria-live="polite">{done}</p>
      {owed.length === 0 ? <p>No held session waits for a write-up.</p> : (
        <form onSubmit={submit}>
          <label>Session <select value={s.id} onChange={(x) => setSid(x.target.value)}>{owed.map((o) => <option key={o.id} value={o.id}>{day(o.scheduled_at)} with {names.get(o.partner_id) || o.partner_id}{o.needs_write_up ? ' (overdue)' : ''}</option>)}</select></label>
          <label>Shared notes (the partner reads them) <textarea required maxLength={10000} rows={4} value={notes} onInput={(x) => setNotes(x.target.value)} /></label>
          <fieldset>
            <legend>The mentoring guidelines (version {guidelines.version}): did the session honour each?</legend>
            {guidelines.items.map((g) => (
              <label key={g.key} class="check"><input type="checkbox" checked={adh[g.key]} onChange={(x) => setAdh({ ...adh, [g.key]: x.target.checked })} /> {g.title}</label>
            ))}
          </fieldset>
          <button type="submit">Record the write-up</button>
          <Problem err={err} />
        </form>
      )}
    </section>
  );
}

// ---- comms -----------------------------------------------------------------------------
export function CommsView() {
  const st = useLoad(async () => {
    const pendingAll = async () => {
      const out = [];
      let cursor = null;
      for (let i = 0; i < 10; i++) { // oldest first, at most 1,000
        const page = await get(`/v1/integrations?status=pending_review&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        out.push(...page.items);
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      return out;
    };
    // comms read the names of the partners whose integrations they review (not their records)
    const [pending, coverage] = await Promise.all([pendingAll(), get('/v1/business-strategy/coverage').catch(() => null)]);
    return { details: pending, coverage, names: await namesOf(pending.map((i) => i.partner_id)) };
  });
  return (
    <section aria-labelledby="h-comms">
      <h2 id="h-comms">Integrations</h2>
      <Status st={st}>
        {(d) => (
          <>
            <h3>Waiting for review ({d.details.length})</h3>
            {d.details.length === 0 && <p>No integration waits for review.</p>}
            {d.details.map((i) => <Integration key={i.id} i={i} name={d.names.get(i.partner_id)} onDone={st.reload} />)}
            {d.coverage && (
              <Bars id="coverage" title={`Pillar coverage (${d.coverage.operational_leaders} operational leaders)`} items={d.coverage.pillars.map((p) => ({ label: p.pillar, value: p.leaders }))} />
            )}
          </>
        )}
      </Status>
    </section>
  );
}

// One pending integration: its score; the alignment explanation and the
// decision once opened (one call for the detail).
function Integration({ i: summary, name, onDone }) {
  const [i, setI] = useState(null);
  const [comment, setComment] = useState('');
  const [err, setErr] = useState(null);
  const label = name || `partner ${summary.partner_id.slice(0, 8)}`;
  if (!i) {
    return (
      <article class="panel" aria-label={`Integration of ${label}`}>
        <h4>{label}: alignment {summary.score} of 100</h4>
        <button type="button" onClick={() => get(`/v1/integrations/${summary.id}`).then(setI, setErr)}>Review {label}</button>
        <Problem err={err} />
      </article>
    );
  }
  const decide = async (status) => {
    setErr(null);
    try {
      const body = { status };
      if (comment) body.comment = comment;
      await api('PATCH', `/v1/integrations/${i.id}`, { body, ifMatch: i.version });
      onDone();
    } catch (x) {
      setErr(x);
    }
  };
  const ex = i.alignment?.explanation;
  return (
    <article class="panel" aria-label={`Integration of ${label}`}>
      <h4>{label}: alignment {i.score} of 100</h4>
      {ex && (
        <>
          <p>{ex.summary}</p>
          <ul>{(ex.components || []).map((c) => <li key={c.component}>{c.component}: {c.points} of {c.max}: {c.detail}</li>)}</ul>
        </>
      )}
      <label>Comment (needed to return it) <textarea maxLength={2000} rows={2} value={comment} onInput={(x) => setComment(x.target.value)} /></label>
      <div class="actions">
        <button type="button" onClick={() => decide('signed_off')}>Sign off {label}</button>
        <button type="button" onClick={() => decide('returned')}>Return {label} with the comment</button>
      </div>
      <Problem err={err} />
    </article>
  );
}
