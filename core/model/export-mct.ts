// Model Card Toolkit JSON (schema v0.0.2: schema_version, model_details, model_parameters,
// quantitative_analysis.performance_metrics, considerations). Only the schema's own field names: its top
// level allows no others, so Flowbench specifics (run id, hashes, checks) travel inside its text fields.
import type { ModelCard } from './card-types';
import { isoDate, shapeText } from './export-format';

export function toModelCardToolkit(card: ModelCard): Record<string, unknown> {
  const d = card.details;
  const c = card.considerations;
  const describe = (text: string | undefined) => (text ? [{ description: text }] : []);
  const io = (list: { name: string; type: string; shape: (number | string | null)[] | null }[] | undefined) =>
    list?.map((t) => `${t.name}: ${t.type} ${shapeText(t.shape)}`).join('; ');
  const checks = card.checks.map((ch) => `${ch.status}: ${ch.name} (${ch.message})`);
  return {
    schema_version: '0.0.2',
    model_details: {
      name: d.name,
      overview: d.description ?? `Model of flow ${d.name}, run ${d.run}.`,
      documentation: [
        `Flowbench run ${d.run} (${d.runStatus}) of ${d.flowFile}.`,
        d.path ? `Model file ${d.path}, sha256 ${d.sha256 ?? 'unknown'}, ${d.size ?? '?'} bytes.` : '',
        d.code.commit ? `Code ${d.code.commit}${d.code.dirty ? ' with uncommitted changes' : ''}.` : '',
        checks.length ? `Checks: ${checks.join('; ')}.` : '',
      ].filter(Boolean).join(' '),
      owners: c.owners.map((name) => ({ name })),
      version: {
        name: d.sha256 ? d.sha256.slice(0, 12) : d.run,
        date: isoDate(d.created).slice(0, 10),
        ...(d.previous && { diff: `Previous model: run ${d.previous.run}, sha256 ${d.previous.sha256.slice(0, 12)}.` }),
      },
      licenses: c.license ? [{ identifier: c.license }] : [],
      references: [],
      citations: [],
    },
    model_parameters: {
      ...(card.signature && { model_architecture: `ONNX IR ${card.signature.irVersion ?? '?'}, opsets ${card.signature.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}${card.signature.parameters !== undefined ? `, ${card.signature.parameters} parameters` : ''}` }),
      data: card.lineage.sources.map((s) => ({
        name: `${s.source}.${s.table}`,
        description: [s.path, s.rows !== undefined ? `${s.rows} rows` : '', s.fingerprint ? `sha256 ${s.fingerprint}` : ''].filter(Boolean).join(', '),
      })),
      ...(card.signature && { input_format: io(card.signature.inputs), output_format: io(card.signature.outputs) }),
    },
    quantitative_analysis: {
      performance_metrics: [
        ...card.metrics.overall.filter((m) => Number.isFinite(m.value)).map((m) => ({ type: m.name, value: m.value })),
        ...card.metrics.slices.flatMap((t) => t.rows.flatMap((r) => r.metrics.filter((m) => Number.isFinite(m.value)).map((m) => ({ type: m.name, value: m.value, slice: `${t.name}=${r.value}` })))),
      ],
    },
    considerations: {
      users: [],
      use_cases: describe(c.intendedUse),
      limitations: [...describe(c.limitations), ...describe(c.outOfScope && `Out of scope: ${c.outOfScope}`)],
      tradeoffs: [],
      ethical_considerations: c.ethicalConsiderations ? [{ name: c.ethicalConsiderations }] : [],
    },
  };
}
