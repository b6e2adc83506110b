// A Hugging Face model card: README.md with YAML front matter (license, tags, datasets, metrics and
// model-index → results with task, dataset and metrics[type, value, name]) and a Markdown body.
// The front matter is written with the `yaml` package so values with colons or quotes stay valid.
import { stringify } from 'yaml';
import type { ModelCard } from './card-types';
import { formatBytes, formatDelta, formatNumber, isoDate, shapeText, shortMetric } from './export-format';

/** The evaluation's own numbers (not baseline or improvement figures) go into model-index. */
function headline(card: ModelCard) {
  return card.metrics.overall.filter((m) => !/^(baseline|improvement)\./.test(m.name) && Number.isFinite(m.value));
}

export function frontMatter(card: ModelCard): Record<string, unknown> {
  const c = card.considerations;
  const task = c.other.task ?? 'tabular-classification';
  const dataset = c.datasets[0] ?? `${card.details.name} evaluation split`;
  const metrics = headline(card);
  const sliceResults = card.metrics.slices.flatMap((table) =>
    table.rows.map((row) => ({
      task: { type: task },
      dataset: { name: `${dataset} (${table.name} = ${row.value})`, type: dataset },
      metrics: row.metrics.filter((m) => Number.isFinite(m.value)).map((m) => ({ type: m.name, value: m.value, name: `${m.name} on ${table.name} = ${row.value}` })),
    })),
  );
  return {
    license: c.license ?? 'other',
    tags: [...new Set(['flowbench', 'onnx', ...c.tags])],
    datasets: c.datasets.length ? c.datasets : card.lineage.sources.map((s) => `${s.source}.${s.table}`),
    metrics: [...new Set(metrics.map((m) => shortMetric(m.name)))],
    'model-index': [
      {
        name: card.details.name,
        results: [
          { task: { type: task }, dataset: { name: dataset, type: dataset }, metrics: metrics.map((m) => ({ type: shortMetric(m.name), value: m.value, name: m.name })) },
          ...sliceResults,
        ],
      },
    ],
  };
}

export function toHuggingFaceReadme(card: ModelCard): string {
  const d = card.details;
  const c = card.considerations;
  const out: string[] = ['---', stringify(frontMatter(card)).trimEnd(), '---', '', `# ${d.name}`, ''];
  if (d.description) out.push(d.description, '');
  const section = (title: string, body: string | undefined) => body && out.push(`## ${title}`, '', body, '');
  out.push('## Model details', '', table(['', ''], [
    ['Flow', `${d.name} (\`${d.flowFile}\`)`],
    ['Run', `${d.run} (${d.runStatus})`],
    ['Created', isoDate(d.created)],
    ['Code', d.code.commit ? `${d.code.commit}${d.code.dirty ? ' with uncommitted changes' : ''}` : 'not a git checkout'],
    ['Model file', d.path ? `\`${d.path}\`, ${formatBytes(d.size)}` : 'n/a'],
    ['sha256', d.sha256 ?? 'n/a'],
    ['Compared with', d.previous ? `run ${d.previous.run} (sha256 ${d.previous.sha256.slice(0, 12)}…)` : 'no previous model of this flow'],
    ...(c.owners.length ? [['Owners', c.owners.join(', ')]] : []),
  ]), '');
  section('Intended use', c.intendedUse);
  section('Out-of-scope uses', c.outOfScope);
  section('Limitations', c.limitations);
  section('Ethical considerations', c.ethicalConsiderations);
  for (const [key, value] of Object.entries(c.other)) section(key.replace(/_/g, ' ').replace(/^./, (s) => s.toUpperCase()), value);

  out.push('## Metrics', '');
  if (card.metrics.overall.length) out.push(table(['Metric', 'Value', 'Previous', 'Change'], card.metrics.overall.map((m) => [m.name, formatNumber(m.value), formatNumber(m.previous), formatDelta(m)])), '');
  for (const t of card.metrics.slices) {
    out.push(`### By ${t.name} (\`${t.file}\`)`, '');
    out.push(table([t.name, 'rows', ...t.metrics], t.rows.map((r) => [r.value, r.rows === undefined ? '' : String(r.rows), ...t.metrics.map((name) => {
      const m = r.metrics.find((x) => x.name === name);
      return m ? `${formatNumber(m.value)}${m.delta !== undefined ? ` (${formatDelta(m)})` : ''}` : '';
    })])), '');
  }
  if (card.checks.length) {
    out.push('## Checks', '', table(['', 'Check', 'Result'], card.checks.map((ch) => [ch.status === 'pass' ? '✅ pass' : ch.status === 'fail' ? '❌ fail' : '⚠️ error', ch.name, ch.message])), '');
  }
  if (card.signature) {
    const s = card.signature;
    out.push('## Signature', '', table(['', 'Name', 'Type', 'Shape'], [
      ...s.inputs.map((t) => ['input', t.name, t.type, shapeText(t.shape)]),
      ...s.outputs.map((t) => ['output', t.name, t.type, shapeText(t.shape)]),
    ]), '', `Opsets: ${s.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || 'n/a'}${s.parameters !== undefined ? `; ${s.parameters} parameters` : ''}${s.producer ? `; produced by ${s.producer}` : ''}.`, '');
  }
  out.push('## Lineage', '');
  for (const s of card.lineage.sources) out.push(`- source \`${s.source}.${s.table}\`${s.path ? ` (${s.path})` : ''}${s.rows !== undefined ? `, ${s.rows} rows` : ''}${s.fingerprint ? `, sha256 ${s.fingerprint.slice(0, 12)}…` : ''}`);
  for (const s of card.lineage.steps) out.push(`- ${s.kind} step \`${s.name}\`${s.training ? ' (trains the model)' : s.evaluation ? ' (evaluates it)' : ''}${s.upstream.length ? ` ← ${s.upstream.join(', ')}` : ''}${s.state ? `: ${s.state}${s.cached ? ', cached' : ''}` : ''}${s.fingerprint ? `, fingerprint ${s.fingerprint.slice(0, 12)}…` : ''}`);
  const params = Object.entries(card.lineage.params);
  if (params.length) out.push('', table(['Param', 'Value'], params.map(([k, v]) => [k, `${JSON.stringify(v)}${k in card.lineage.overrides ? ' (--set)' : ''}`])));
  out.push('');
  if (card.problems.length) out.push('## Problems', '', ...card.problems.map((p) => `- ${p}`), '');
  out.push(`_Generated by Flowbench on ${isoDate(card.generated)} from run ${d.run}._`, '');
  return out.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(head: string[], rows: string[][]): string {
  return [`| ${head.map(cell).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}
