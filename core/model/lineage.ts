// Lineage of a run's model: the flow's sources (with the data's fingerprint and row count where cheap to
// know), its SQL and run steps as the run recorded them, the training step and the params.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { layoutGraph } from '../analysis/graph-layout';
import type { FlowAnalysis } from '../flow/analyze';
import type { RunRecord } from '../runs/types';
import { fileSha256 } from './artifacts';
import type { Lineage, LineageNode, LineageSource, LineageStep } from './card-types';

/** Source files above this size are not counted line by line (their hash is still taken). */
const MAX_COUNTED_BYTES = 256 << 20;

export async function buildLineage(analysis: FlowAnalysis, record: RunRecord, trainingStep: string | undefined, evaluationSteps: string[]): Promise<Lineage> {
  const { flow, graph, sql } = analysis;
  const sources: LineageSource[] = [];
  for (const source of flow.sources.values()) {
    for (const table of source.tables.values()) {
      const entry: LineageSource = { source: source.name, table: table.name, ...(table.path && { path: table.path.value }), ...(table.format && { format: table.format.value }) };
      sources.push(entry);
      const raw = table.path?.value;
      if (!raw || /[*?[{]|\$\{/.test(raw)) continue; // globs and param paths: no single file to describe
      const abs = resolve(flow.root, raw);
      if (!existsSync(abs) || !statSync(abs).isFile()) {
        entry.problem = `${raw} does not exist now`;
        continue;
      }
      entry.size = statSync(abs).size;
      entry.fingerprint = await fileSha256(abs);
      const format = table.format?.value ?? (raw.endsWith('.csv') ? 'csv' : undefined);
      if (format === 'csv' && entry.size <= MAX_COUNTED_BYTES) entry.rows = await csvRows(abs);
    }
  }
  const sourceByPath = new Map(sources.filter((s) => s.path).map((s) => [resolve(flow.root, s.path!), `${s.source}.${s.table}`]));
  const nodes: LineageNode[] = sources.map((s) => ({ id: `source:${s.source}.${s.table}`, kind: 'source', label: `${s.source}.${s.table}`, ...(s.path && { detail: s.path }) }));
  const edges: { from: string; to: string }[] = [];
  const steps: LineageStep[] = [];
  for (const name of graph.order.length ? graph.order : [...flow.steps.keys()]) {
    const step = flow.steps.get(name);
    if (!step) continue;
    const recorded = record.steps[name];
    // SQL steps name sources with source('src', 'table'); run steps read their data files as deps.
    const usedSources = [
      ...(sql.get(name)?.template.calls ?? []).filter((c) => c.fn === 'source' && c.args.length === 2).map((c) => `${c.args[0]}.${c.args[1]}`),
      ...step.deps.flatMap((d) => sourceByPath.get(resolve(flow.root, d.value)) ?? []),
    ];
    const upstream = [...new Set([...graph.parents(name), ...usedSources])];
    const kind = step.kind ?? (step.sql ? 'sql' : 'run');
    steps.push({
      name,
      kind,
      ...(step.sql ? { definition: step.sql.value } : step.run ? { definition: step.run.value } : {}),
      ...(recorded && { state: recorded.state, cached: recorded.cached }),
      ...(recorded?.fingerprint && { fingerprint: recorded.fingerprint }),
      ...(recorded?.durationMs !== undefined && { durationMs: recorded.durationMs }),
      upstream,
      outs: step.outs.map((o) => o.value),
      training: name === trainingStep,
      evaluation: evaluationSteps.includes(name),
    });
    nodes.push({ id: `step:${name}`, kind, label: name, detail: recorded ? `${recorded.state}${recorded.cached ? ' (cached)' : ''}` : 'not in this run' });
    for (const parent of graph.parents(name)) edges.push({ from: `step:${parent}`, to: `step:${name}` });
    for (const s of new Set(usedSources)) if (nodes.some((n) => n.id === `source:${s}`)) edges.push({ from: `source:${s}`, to: `step:${name}` });
  }
  const modelPath = flow.model?.path?.value;
  if (modelPath) {
    nodes.push({ id: 'model', kind: 'model', label: modelPath });
    if (trainingStep) edges.push({ from: `step:${trainingStep}`, to: 'model' });
  }
  return { sources, steps, ...(trainingStep && { trainingStep }), evaluationSteps, params: record.params, overrides: record.overrides, nodes, edges, graph: layoutGraph(nodes, edges) };
}

async function csvRows(file: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length) last = chunk[chunk.length - 1]!;
  }
  if (last !== 10) lines++;
  return Math.max(0, lines - 1); // the header
}

