// Small SVG charts, each with a table of the same numbers (a <details> under
// the chart, keyboard-reachable) for screen readers and for copying.
// Bars are buttons when @onPick is given: the drill-down from a number.

const fmt = (v) => (v === null || v === undefined ? '–' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v));

export function DataTable({ caption, columns, rows }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>{columns.map((c) => <th scope="col" key={c}>{c}</th>)}</tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>{r.map((v, j) => (j === 0 ? <th scope="row" key={j}>{fmt(v)}</th> : <td key={j}>{fmt(v)}</td>))}</tr>
        ))}
      </tbody>
    </table>
  );
}

// Horizontal bars: items [{label, value}], max for the scale.
export function Bars({ title, items, unit = '', onPick, id }) {
  const max = Math.max(1, ...items.map((i) => i.value || 0));
  return (
    <figure class="chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`}>{title}</figcaption>
      <ul class="bars">
        {items.map((it) => {
          const w = Math.round(((it.value || 0) / max) * 100);
          const label = `${it.label}: ${fmt(it.value)}${unit}`;
          const bar = (
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" class="bar">
              <rect x="0" y="0" width={w} height="10" />
            </svg>
          );
          return (
            <li key={it.label}>
              <span class="bar-label">{it.label}</span>
              {bar}
              {onPick ? (
                <button type="button" class="link" onClick={() => onPick(it)} aria-label={`${label}: show who`}>
                  {fmt(it.value)}{unit}
                </button>
              ) : (
                <span class="bar-value">{fmt(it.value)}{unit}</span>
              )}
            </li>
          );
        })}
      </ul>
      <details>
        <summary>Table: {title}</summary>
        <DataTable caption={title} columns={['', 'value']} rows={items.map((i) => [i.label, i.value])} />
      </details>
    </figure>
  );
}

// Weekly lines: weeks [{start, ...}], series [{key, label, values[]}].
export function Lines({ title, weeks, series, id }) {
  const W = 600;
  const H = 180;
  const pad = 28;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i) => pad + (weeks.length <= 1 ? 0 : (i * (W - 2 * pad)) / (weeks.length - 1));
  const y = (v) => H - pad - (v / max) * (H - 2 * pad);
  return (
    <figure class="chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: line chart, the same numbers are in the table below`} class="lines">
        <line x1={pad} y1={H - pad} x2={W - pad} y2={H - pad} class="axis" />
        <text x={pad} y={H - 8} class="tick">{weeks[0]?.start}</text>
        <text x={W - pad} y={H - 8} class="tick end">{weeks.at(-1)?.start}</text>
        <text x={4} y={pad} class="tick">{max}</text>
        {series.map((s, k) => (
          <polyline key={s.key} class={`s${k}`} fill="none" points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
        ))}
      </svg>
      <ul class="legend">{series.map((s, k) => <li key={s.key}><span class={`key s${k}`} aria-hidden="true" />{s.label}</li>)}</ul>
      <details>
        <summary>Table: {title}</summary>
        <DataTable caption={title} columns={['week from', ...series.map((s) => s.label)]} rows={weeks.map((w, i) => [w.start, ...series.map((s) => s.values[i])])} />
      </details>
    </figure>
  );
}
