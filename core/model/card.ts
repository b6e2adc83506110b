// Builds a run's model card (card-types.ts) from its record, the flow and the ONNX inspection: details,
// the flow's `model.card` considerations, lineage, metrics overall and per slice from the evaluation
// step's outs as the run left them (restored from the cache by sha256), each beside the previous model of
// the same flow (the newest older run with a different model hash), the signature and the checks.
// Never throws for bad input: what cannot be shown becomes a line in `problems`.
import { resolve } from 'node:path';
import type { FlowAnalysis } from '../flow/analyze';
import type { RunStore } from '../runs/store';
import type { RunRecord } from '../runs/types';
import { artifactOf, locateArtifact, readArtifactJson } from './artifacts';
import { CARD_VERSION, type ModelCard, type ModelSignature, type SliceTable } from './card-types';
import { evaluateChecks, type CheckContext, type ModelRunner } from './checks';
import { buildLineage } from './lineage';
import { metricValue } from './metric-values';
import { parseSample } from './model-sample';
import type { OnnxInspection } from './onnx-types';
import { compareSlices, sliceTablesOf } from './slices';

/** Older runs looked at for the previous model; past this the card says there is none. */
const PREVIOUS_SCAN = 200;

export interface CardInput {
  analysis: FlowAnalysis;
  record: RunRecord;
  stateDir: string;
  store: Pick<RunStore, 'list' | 'get'>;
  inspect?: (file: string) => Promise<OnnxInspection>;
  /** Runs perturbation and swap checks; without it they are reported as not evaluated. */
  runner?: ModelRunner;
  now?: number;
}

interface FlowModel {
  path?: string;
  trainingStep?: string;
  evaluationSteps: string[];
}

export function flowModelOf(analysis: FlowAnalysis): FlowModel {
  const { flow, graph } = analysis;
  const path = flow.model?.path?.value;
  const abs = path ? resolve(flow.root, path) : undefined;
  const trainingStep = flow.model?.step?.value ?? (abs ? graph.outputs.containing(abs)[0]?.step : undefined);
  const evaluationSteps = abs
    ? [...flow.steps.values()].filter((s) => s.name !== trainingStep && s.deps.some((d) => resolve(flow.root, d.value) === abs)).map((s) => s.name)
    : [];
  return { ...(path && { path }), ...(trainingStep && { trainingStep }), evaluationSteps };
}

/** The evaluation's overall metrics and slice tables for one run. */
async function evaluationOf(record: RunRecord, analysis: FlowAnalysis, stateDir: string, fm: FlowModel, problems?: string[]): Promise<{ overall: Record<string, number>; slices: SliceTable[] }> {
  const { flow } = analysis;
  const overall: Record<string, number> = {};
  for (const step of fm.evaluationSteps) Object.assign(overall, record.steps[step]?.metrics ?? {});
  if (Object.keys(overall).length === 0) Object.assign(overall, record.metrics);
  const samplePath = flow.model?.sample ? resolve(flow.root, flow.model.sample.value) : undefined;
  const slices: SliceTable[] = [];
  const files = record.artifacts.filter((a) => fm.evaluationSteps.includes(a.step) && a.path.endsWith('.json') && resolve(flow.root, a.path) !== samplePath);
  for (const artifact of files) {
    const read = await readArtifactJson(record, flow.root, stateDir, artifact.path);
    if ('problem' in read) problems?.push(`slices: ${read.problem}`);
    else slices.push(...sliceTablesOf(read.value, artifact.path));
  }
  return { overall, slices };
}

async function previousModel(input: CardInput, modelPath: string, sha256: string): Promise<RunRecord | undefined> {
  const { record, store, analysis } = input;
  const older = (await store.list({ flow: record.flow, limit: PREVIOUS_SCAN + 1 })).filter((s) => s.start < record.start && s.id !== record.id);
  for (const summary of older.slice(0, PREVIOUS_SCAN)) {
    const other = await store.get(summary.id).catch(() => undefined);
    const artifact = other && artifactOf(other, analysis.flow.root, modelPath);
    if (artifact && artifact.sha256 !== sha256) return other;
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value.trim() : Array.isArray(value) ? value.map(String).join(', ') : JSON.stringify(value);
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : String(value).split(',').map((s) => s.trim()).filter(Boolean);
}

const NAMED = new Set(['intended_use', 'out_of_scope', 'out_of_scope_uses', 'limitations', 'ethical_considerations', 'owners', 'license', 'tags', 'datasets']);

function considerationsOf(analysis: FlowAnalysis): ModelCard['considerations'] {
  const card = analysis.flow.model?.card ?? new Map();
  const get = (key: string) => card.get(key)?.value;
  const other: Record<string, string> = {};
  for (const [key, v] of card) if (!NAMED.has(key) && text(v.value)) other[key] = text(v.value)!;
  const pick = (key: string) => text(get(key));
  const intendedUse = pick('intended_use');
  const outOfScope = pick('out_of_scope') ?? pick('out_of_scope_uses');
  const limitations = pick('limitations');
  const ethicalConsiderations = pick('ethical_considerations');
  const license = pick('license');
  return {
    ...(intendedUse && { intendedUse }),
    ...(outOfScope && { outOfScope }),
    ...(limitations && { limitations }),
    ...(ethicalConsiderations && { ethicalConsiderations }),
    ...(license && { license }),
    owners: list(get('owners')),
    tags: list(get('tags')),
    datasets: list(get('datasets')),
    other,
  };
}

function signatureOf(inspection: OnnxInspection): ModelSignature {
  return {
    inputs: inspection.inputs,
    outputs: inspection.outputs,
    irVersion: inspection.irVersion,
    ...(inspection.producerName && { producer: `${inspection.producerName}${inspection.producerVersion ? ` ${inspection.producerVersion}` : ''}` }),
    opsets: inspection.opsets,
    parameters: inspection.parameters,
    operators: inspection.operators,
    metadata: inspection.metadata,
  };
}

export async function buildCard(input: CardInput): Promise<ModelCard> {
  const { analysis, record, stateDir } = input;
  const { flow } = analysis;
  const problems: string[] = [];
  const fm = flowModelOf(analysis);
  if (!flow.model) problems.push(`flow ${record.flow} declares no \`model:\` (add \`model: { path: …, card: … }\`; see docs/flow-format.md)`);
  else if (!fm.path) problems.push('`model:` has no `path:`, so the card cannot name the model file');

  let sha256: string | undefined;
  let size: number | undefined;
  let modelFile: string | undefined;
  let modelProblem: string | undefined;
  if (fm.path) {
    const found = await locateArtifact(record, flow.root, stateDir, fm.path);
    if ('found' in found) {
      ({ sha256, size } = found.found.artifact);
      modelFile = found.found.file;
    } else {
      modelProblem = `model: ${found.problem}`;
      problems.push(modelProblem);
      if (found.artifact) ({ sha256, size } = found.artifact);
    }
  }

  let inspection: OnnxInspection | undefined;
  if (modelFile && input.inspect) {
    try {
      inspection = await input.inspect(modelFile);
      for (const p of inspection.problems) problems.push(`model file${p.severity === 'warning' ? ' (warning)' : ''}: ${p.message}`);
      if (inspection.problems.some((p) => p.severity === 'error')) modelProblem = `the model file cannot be read: ${inspection.problems.find((p) => p.severity === 'error')!.message}`;
    } catch (err) {
      modelProblem = `the model file cannot be inspected: ${(err as Error).message}`;
      problems.push(modelProblem);
      inspection = undefined;
    }
  }

  const current = await evaluationOf(record, analysis, stateDir, fm, problems);
  const previous = fm.path && sha256 ? await previousModel(input, fm.path, sha256) : undefined;
  const before = previous ? await evaluationOf(previous, analysis, stateDir, fm) : undefined;
  const overall = Object.entries(current.overall).map(([name, value]) => metricValue(name, value, before?.overall[name]));
  const slices = before ? compareSlices(current.slices, before.slices) : current.slices;
  if (fm.evaluationSteps.length === 0 && fm.path) problems.push(`no step lists '${fm.path}' in its deps, so no evaluation step was found: the metrics are all of the run's`);

  const sampleProblem = (why: string) => ({ problem: why });
  let sample: CheckContext['sample'];
  if (flow.model?.sample) {
    const read = await readArtifactJson(record, flow.root, stateDir, flow.model.sample.value);
    sample = 'problem' in read ? sampleProblem(read.problem) : parseSample(read.value, flow.model.sample.value);
  }
  const model: CheckContext['model'] = modelProblem || !modelFile
    ? { problem: modelProblem ?? 'the run has no model file' }
    : inspection
      ? { file: modelFile, inputs: inspection.inputs, outputs: inspection.outputs }
      : { problem: 'the model was not inspected, so its inputs are unknown' };
  const checks = await evaluateChecks(flow.model?.checks ?? [], { overall: current.overall, slices: current.slices, model, ...(sample && { sample }), ...(input.runner && { runner: input.runner }) });

  const lineage = await buildLineage(analysis, record, fm.trainingStep, fm.evaluationSteps);
  const previousArtifact = previous && fm.path ? artifactOf(previous, flow.root, fm.path) : undefined;
  return {
    version: CARD_VERSION,
    generated: input.now ?? Date.now(),
    details: {
      name: record.flow,
      ...(flow.description && { description: flow.description.value }),
      flowFile: record.flowFile,
      run: record.id,
      runStatus: record.status,
      created: record.end ?? record.start,
      code: record.code,
      ...(fm.path && { path: fm.path }),
      ...(fm.trainingStep && { trainingStep: fm.trainingStep }),
      ...(sha256 && { sha256 }),
      ...(size !== undefined && { size }),
      ...(previous && previousArtifact && { previous: { run: previous.id, sha256: previousArtifact.sha256, created: previous.end ?? previous.start } }),
    },
    considerations: considerationsOf(analysis),
    lineage,
    metrics: { overall, slices },
    ...(inspection && !inspection.problems.some((p) => p.severity === 'error') && { signature: signatureOf(inspection) }),
    checks,
    problems,
  };
}

/** A check that failed or could not be evaluated: what `flowbench card --check` exits 1 for. */
export function failedChecks(card: ModelCard): ModelCard['checks'] {
  return card.checks.filter((c) => c.status !== 'pass');
}
