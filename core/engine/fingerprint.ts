// A step's fingerprint: sha256 over everything that decides what it produces (command or rendered SQL,
// the params it uses, dep and source contents, env, settings, parents' fingerprints). The readable
// inputs are kept beside it in the step state, so a changed fingerprint can be explained.
import * as path from 'node:path';
import type { FlowAnalysis } from '../flow/analyze';
import { interpolate, interpolateCommand } from '../flow/interpolate';
import type { Step } from '../flow/model';
import { sourceFiles } from '../flow/source-files';
import { snowflakeSourceKey, snowflakeSources } from '../sql/snowflake-naming';
import { paramLiteral } from '../sql/sql-text';
import { renderTemplate } from '../sql/template';
import { sha256Text, type ContentHasher } from './hasher';
import type { StepInputs } from './state';

/** Bumped when the meaning of a fingerprint changes, so old records read as stale rather than equal. */
const FINGERPRINT_VERSION = 1;
export const MISSING = 'missing';

/** Where a SQL step materialized as a table exports its table: its implicit out. */
export function tableExportPath(step: string): string {
  return `.flowbench/tables/${step}.parquet`;
}

/** Every path (relative to the flow folder) a step must leave behind: outs, metrics files, table export. */
export function declaredOutputs(step: Step): string[] {
  const outs = [...step.outs, ...step.metrics].map((o) => o.value);
  if (step.kind === 'sql' && (step.materialize?.value ?? 'table') === 'table') outs.push(tableExportPath(step.name));
  return outs;
}

/** The step's command with params filled in, or its SQL with templates rendered; plus the params read. */
export function renderStepText(analysis: FlowAnalysis, step: Step, params: Map<string, unknown>): { text: string; used: string[] } {
  const info = analysis.sql.get(step.name);
  if (step.kind === 'sql' && info) {
    const used: string[] = [];
    const text = renderTemplate(
      info.text,
      (call) => {
        if (call.fn === 'ref') return call.args[0] ?? '';
        if (call.fn === 'source') return call.args.join('.');
        if (call.fn === 'param' && params.has(call.args[0] ?? '')) {
          used.push(call.args[0]!);
          return paramLiteral(params.get(call.args[0]!));
        }
        return info.text.slice(call.start, call.end);
      },
      info.template,
    );
    return { text, used };
  }
  const r = interpolateCommand(step.run?.value ?? '', params);
  return { text: r.text, used: r.used };
}

async function digestAll(root: string, paths: string[], hasher: ContentHasher): Promise<Record<string, string>> {
  const hashes = await Promise.all(paths.map((p) => hasher.digest(path.resolve(root, p))));
  return Object.fromEntries(paths.map((p, i) => [p, hashes[i]?.hash ?? MISSING]));
}

export async function collectInputs(
  analysis: FlowAnalysis,
  step: Step,
  params: Map<string, unknown>,
  hasher: ContentHasher,
  upstream: Record<string, string>,
  /** Last change times of the step's Snowflake source tables (by snowflakeSourceKey), which are not files. */
  remoteSources: Record<string, string> = {},
): Promise<StepInputs> {
  const { flow } = analysis;
  const rendered = renderStepText(analysis, step, params);
  const usedParams = new Set([...rendered.used, ...step.params.map((p) => p.value)]);
  const env: Record<string, string> = {};
  for (const [name, value] of step.env) {
    const r = interpolate(value.value, params);
    r.used.forEach((u) => usedParams.add(u));
    env[name] = sha256Text(r.text);
  }
  // A source is keyed by its path as written; a glob or a path with params by the files it names now,
  // so a file added to a glob reads as `sources: data/part-3.csv added`.
  const sourcePaths = new Set<string>();
  const calls = analysis.sql.get(step.name)?.template.calls ?? [];
  const remote = snowflakeSources(flow, step, calls);
  for (const call of calls) {
    const table = call.fn === 'source' ? flow.sources.get(call.args[0] ?? '')?.tables.get(call.args[1] ?? '') : undefined;
    if (!table?.path || remote.includes(table)) continue;
    const r = interpolate(table.path.value, params);
    r.used.forEach((u) => usedParams.add(u));
    const named = sourceFiles(flow.root, r.text);
    if (named.glob && named.files.length) named.files.forEach((f) => sourcePaths.add(path.relative(flow.root, f)));
    else sourcePaths.add(r.text);
  }
  const [deps, sources] = await Promise.all([
    digestAll(flow.root, step.deps.map((d) => d.value), hasher),
    digestAll(flow.root, [...sourcePaths], hasher),
  ]);
  for (const table of remote) sources[snowflakeSourceKey(table)] = remoteSources[snowflakeSourceKey(table)] ?? MISSING;
  const settings: Record<string, string> = {};
  if (step.cwd) {
    const r = interpolate(step.cwd.value, params);
    r.used.forEach((u) => usedParams.add(u));
    settings.cwd = r.text;
  }
  if (step.kind === 'sql') {
    settings.materialize = step.materialize?.value ?? 'table';
    settings.warehouse = step.warehouse?.value ?? flow.warehouse?.value ?? 'local';
  }
  return {
    kind: step.kind === 'sql' ? 'sql' : 'run',
    template: analysis.sql.get(step.name)?.text ?? step.run?.value ?? '',
    command: rendered.text,
    params: Object.fromEntries([...usedParams].sort().map((p) => [p, params.get(p)])),
    deps,
    sources,
    env,
    upstream,
    outs: declaredOutputs(step),
    settings,
  };
}

export function fingerprintOf(inputs: StepInputs): string {
  return sha256Text(stableJson({ v: FINGERPRINT_VERSION, ...inputs }));
}

/** JSON with object keys sorted, so equal inputs always give the same text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** Why `now` differs from `before`, in words: one reason per changed input. */
export function describeChanges(before: StepInputs, now: StepInputs, upstreamStale: Set<string>): string[] {
  const reasons: string[] = [];
  for (const name of keysOf(before.params, now.params)) {
    if (stableJson(before.params[name]) !== stableJson(now.params[name])) reasons.push(`params.${name} ${show(before.params[name])} → ${show(now.params[name])}`);
  }
  // A command that differs only because a param did is explained by the param.
  const edited = before.template !== now.template || (before.command !== now.command && reasons.length === 0);
  if (edited) reasons.unshift(now.kind === 'sql' ? 'SQL changed' : 'command changed');
  const files = (label: string, a: Record<string, string>, b: Record<string, string>) => {
    for (const p of keysOf(a, b)) {
      if (a[p] === b[p]) continue;
      if (b[p] === undefined) reasons.push(`${label}: ${p} removed`);
      else if (a[p] === undefined) reasons.push(`${label}: ${p} added`);
      else if (b[p] === MISSING) reasons.push(`${label}: ${p} missing`);
      else reasons.push(`${label}: ${p} changed`);
    }
  };
  files('deps', before.deps, now.deps);
  files('sources', before.sources, now.sources);
  for (const name of keysOf(before.env, now.env)) {
    if (before.env[name] !== now.env[name]) reasons.push(`env.${name} changed`);
  }
  for (const name of keysOf(before.settings, now.settings)) {
    if (before.settings[name] !== now.settings[name]) reasons.push(`${name} ${show(before.settings[name])} → ${show(now.settings[name])}`);
  }
  if (stableJson(before.outs) !== stableJson(now.outs)) reasons.push('outs changed');
  for (const parent of keysOf(before.upstream, now.upstream)) {
    if (upstreamStale.has(parent)) continue; // said once, by the caller
    if (now.upstream[parent] === undefined) reasons.push(`upstream ${parent} removed`);
    else if (before.upstream[parent] === undefined) reasons.push(`upstream ${parent} added`);
    else if (before.upstream[parent] !== now.upstream[parent]) reasons.push(`upstream ${parent} re-ran`);
  }
  return reasons;
}

function keysOf(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
