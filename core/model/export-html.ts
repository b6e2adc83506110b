// A self-contained HTML model card: one file, inline CSS, no scripts, no external requests (no links to
// fonts, images or styles), so it can be attached to a review or opened offline. Every value is escaped.
import type { CheckResult, MetricValue, ModelCard } from './card-types';
import { formatBytes, formatDelta, formatNumber, isoDate, shapeText } from './export-format';

const esc = (s: unknown) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE = `
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2328;background:#fff}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
.better{color:#1a7f37}.worse{color:#cf222e}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.error{color:#9a6700;font-weight:600}
.muted{color:#59636e}code{font-family:ui-monospace,monospace;font-size:90%}ul.lineage li{margin:.15rem 0}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}th{background:#161b22}th,td,h2{border-color:#30363d}.muted{color:#9198a1}}
`;

function table(head: string[], rows: string[][], numeric: number[] = []): string {
  const tr = (cells: string[], tag: 'td' | 'th') => `<tr>${cells.map((c, i) => `<${tag}${tag === 'td' && numeric.includes(i) ? ' class="num"' : ''}>${c}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${tr(head.map(esc), 'th')}</thead><tbody>${rows.map((r) => tr(r, 'td')).join('')}</tbody></table>`;
}

function delta(m: MetricValue): string {
  const text = formatDelta(m);
  return text ? `<span class="${m.improved === undefined ? 'muted' : m.improved ? 'better' : 'worse'}">${esc(text)}</span>` : '';
}

const STATUS_TEXT: Record<CheckResult['status'], string> = { pass: '✔ pass', fail: '✘ fail', error: '! not evaluated' };

export function toHtml(card: ModelCard): string {
  const d = card.details;
  const c = card.considerations;
  const parts: string[] = [];
  const section = (title: string, body: string | undefined) => body && parts.push(`<h2>${esc(title)}</h2><p>${esc(body)}</p>`);
  parts.push(`<h1>${esc(d.name)}</h1><p class="muted">Model card for run <code>${esc(d.run)}</code>, generated ${esc(isoDate(card.generated))}</p>`);
  if (d.description) parts.push(`<p>${esc(d.description)}</p>`);
  if (card.problems.length) parts.push(`<h2>Problems</h2><ul>${card.problems.map((p) => `<li class="error">${esc(p)}</li>`).join('')}</ul>`);
  parts.push('<h2>Model details</h2>', table(['', ''], [
    ['Flow', `${esc(d.name)} <span class="muted">${esc(d.flowFile)}</span>`],
    ['Run', `<code>${esc(d.run)}</code> (${esc(d.runStatus)})`],
    ['Created', esc(isoDate(d.created))],
    ['Code', esc(d.code.commit ? `${d.code.commit}${d.code.dirty ? ' with uncommitted changes' : ''}` : 'not a git checkout')],
    ['Model file', d.path ? `<code>${esc(d.path)}</code>, ${esc(formatBytes(d.size))}` : 'n/a'],
    ['sha256', `<code>${esc(d.sha256 ?? 'n/a')}</code>`],
    ['Compared with', d.previous ? `run <code>${esc(d.previous.run)}</code>` : 'no previous model of this flow'],
    ...(c.owners.length ? [['Owners', esc(c.owners.join(', '))]] : []),
  ].map(([k, v]) => [esc(k), v!])));
  section('Intended use', c.intendedUse);
  section('Out-of-scope uses', c.outOfScope);
  section('Limitations', c.limitations);
  section('Ethical considerations', c.ethicalConsiderations);
  for (const [key, value] of Object.entries(c.other)) section(key.replace(/_/g, ' ').replace(/^./, (s) => s.toUpperCase()), value);
  if (card.checks.length) {
    parts.push('<h2>Checks</h2>', table(['Result', 'Check', 'Numbers'], card.checks.map((ch) => [`<span class="${ch.status}">${esc(STATUS_TEXT[ch.status])}</span>`, esc(ch.name), esc(ch.message)])));
  }
  parts.push('<h2>Metrics</h2>');
  if (card.metrics.overall.length) parts.push(table(['Metric', 'Value', 'Previous', 'Change'], card.metrics.overall.map((m) => [esc(m.name), esc(formatNumber(m.value)), esc(formatNumber(m.previous)), delta(m)]), [1, 2]));
  else parts.push('<p class="muted">The run recorded no metrics.</p>');
  for (const t of card.metrics.slices) {
    parts.push(`<h3>By ${esc(t.name)} <span class="muted">${esc(t.file)}</span></h3>`);
    parts.push(table([t.name, 'rows', ...t.metrics], t.rows.map((r) => [esc(r.value), esc(r.rows ?? ''), ...t.metrics.map((name) => {
      const m = r.metrics.find((x) => x.name === name);
      return m ? `${esc(formatNumber(m.value))} ${delta(m)}` : '';
    })]), t.metrics.map((_, i) => i + 2).concat(1)));
  }
  if (card.signature) {
    const s = card.signature;
    parts.push('<h2>Signature</h2>', table(['', 'Name', 'Type', 'Shape'], [
      ...s.inputs.map((t) => ['input', t.name, t.type, shapeText(t.shape)]),
      ...s.outputs.map((t) => ['output', t.name, t.type, shapeText(t.shape)]),
    ].map((r) => r.map(esc))));
    parts.push(`<p class="muted">Opsets ${esc(s.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || 'n/a')}${s.parameters !== undefined ? `; ${esc(s.parameters)} parameters` : ''}${s.producer ? `; produced by ${esc(s.producer)}` : ''}</p>`);
  }
  parts.push('<h2>Lineage</h2><ul class="lineage">');
  for (const s of card.lineage.sources) parts.push(`<li>source <code>${esc(`${s.source}.${s.table}`)}</code>${s.path ? ` ${esc(s.path)}` : ''}${s.rows !== undefined ? `, ${esc(s.rows)} rows` : ''}${s.fingerprint ? ` <span class="muted">sha256 ${esc(s.fingerprint.slice(0, 12))}…</span>` : ''}</li>`);
  for (const s of card.lineage.steps) {
    const role = s.training ? ' (trains the model)' : s.evaluation ? ' (evaluates it)' : '';
    parts.push(`<li>${esc(s.kind)} step <code>${esc(s.name)}</code>${esc(role)}${s.upstream.length ? ` ← ${esc(s.upstream.join(', '))}` : ''}${s.state ? ` <span class="muted">${esc(s.state)}${s.cached ? ', cached' : ''}${s.fingerprint ? `, fingerprint ${esc(s.fingerprint.slice(0, 12))}…` : ''}</span>` : ''}</li>`);
  }
  parts.push('</ul>');
  const params = Object.entries(card.lineage.params);
  if (params.length) parts.push(table(['Param', 'Value'], params.map(([k, v]) => [esc(k), `${esc(JSON.stringify(v))}${k in card.lineage.overrides ? ' <span class="muted">(--set)</span>' : ''}`])));
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(d.name)} model card</title><style>${STYLE}</style></head><body>\n${parts.join('\n')}\n</body></html>\n`;
}
