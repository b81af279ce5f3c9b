// Reading a service's /metrics (Prometheus text format 0.0.4) in tests.
//
//   const m = await scrape(url);
//   m.value('tandem_nudges_total', { step: 'partner', outcome: 'sent' })
//
// value() sums the samples of @name whose labels include every one of
// @labels (so a subset of labels adds up a family); NaN when none matches.
// has() says whether a family was declared (its # TYPE line).

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text) {
  const samples = [];
  const types = new Map();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) types.set(t[1], t[2]);
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample: ${line}`);
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return {
    text,
    samples,
    has: (name) => types.has(name),
    type: (name) => types.get(name),
    value(name, want = {}) {
      const hits = samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v));
      return hits.length ? hits.reduce((a, s) => a + s.value, 0) : NaN;
    },
  };
}

export async function scrape(base) {
  const res = await fetch(`${base}/metrics`);
  if (res.status !== 200) throw new Error(`${base}/metrics: ${res.status}`);
  return parseMetrics(await res.text());
}
