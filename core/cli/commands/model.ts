// flowbench model inspect FILE / model try FILE: what an ONNX file declares, cross-checked with ONNX
// Runtime (in its worker process), and one inference on generated or given inputs.
import { readFileSync } from 'node:fs';
import { inspectOnnx } from '../../model/onnx-inspect';
import { runtimeProblems } from '../../model/ort-check';
import type { OnnxInspection, OnnxTensorInfo } from '../../model/onnx-types';
import { parseUserInputs, TryInputError, type Fill } from '../../model/try-inputs';
import { tryModel } from '../../model/try-model';
import { parseCommandArgs, positiveInteger } from '../args';
import { EXIT, UsageError } from '../errors';
import { table } from '../format';
import { formatDuration } from '../../time-text';
import { line, paint, type Output } from '../output';

export async function modelCommand(args: string[], o: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'inspect') return inspectCommand(rest, o);
  if (sub === 'try') return tryCommand(rest, o);
  throw new UsageError(sub ? `unknown model command '${sub}'` : 'which model command?', 'use flowbench model inspect FILE or flowbench model try FILE', 'model');
}

function fileArg(positionals: string[], sub: string): string {
  const [file] = positionals;
  if (!file) throw new UsageError('FILE is missing', `e.g. flowbench model ${sub} models/model.onnx`, 'model');
  return file;
}

async function inspectCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('model', args, { json: { type: 'boolean' }, 'no-runtime': { type: 'boolean' }, timeout: { type: 'string' } }, 1);
  const inspection = await inspectOnnx(fileArg(positionals, 'inspect'));
  const timeoutMs = (positiveInteger(values.timeout, '--timeout', 'model') ?? 60) * 1000;
  // A file the inspection already rejects would only make the runtime repeat it less clearly.
  const checked = !values['no-runtime'] && !hasErrors(inspection);
  if (checked) inspection.problems.push(...(await runtimeProblems(inspection, timeoutMs)));
  if (values.json) line(o.out, JSON.stringify(inspection, null, 2));
  else printInspection(o, inspection, checked);
  return hasErrors(inspection) ? EXIT.failed : EXIT.ok;
}

const hasErrors = (i: OnnxInspection) => i.problems.some((p) => p.severity === 'error');

export function formatShape(t: OnnxTensorInfo): string {
  return t.shape === null ? (/^[a-z0-9]+$/.test(t.type) ? '(rank unknown)' : '') : `[${t.shape.map((d) => d ?? '?').join(', ')}]`;
}

/** Trailing empty cells would pad the line with spaces. */
function trimEmpty(cells: string[]): string[] {
  while (cells.length > 1 && cells[cells.length - 1] === '') cells.pop();
  return cells;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

function printInspection(o: Output, m: OnnxInspection, checked: boolean): void {
  const section = (title: string) => line(o.out, '\n' + paint(o, 'bold', title));
  const rows = (r: string[][]) => table(r).forEach((t) => line(o.out, '  ' + t));
  line(o.out, `${paint(o, 'bold', m.file)}  ${formatBytes(m.size)}`);
  const problems = () => {
    section('Problems');
    if (m.problems.length === 0) line(o.out, `  none${checked ? ' (ONNX Runtime loads it and agrees on the signature)' : ''}`);
    for (const p of m.problems) line(o.out, `  ${paint(o, p.severity === 'error' ? 'red' : 'yellow', p.severity)}: ${p.message}`);
  };
  // Nothing could be read (no file, not ONNX): empty sections would only hide the one line that matters.
  if (m.irVersion === 0 && m.opsets.length === 0 && m.inputs.length === 0 && m.operators.length === 0) return problems();
  rows([
    ['IR version', String(m.irVersion || '?')],
    ...(m.producerName ? [['Producer', `${m.producerName}${m.producerVersion ? ' ' + m.producerVersion : ''}`]] : []),
    ...(m.domain ? [['Domain', m.domain]] : []),
    ...(m.modelVersion !== undefined ? [['Model version', String(m.modelVersion)]] : []),
    ...(m.graphName ? [['Graph', m.graphName]] : []),
    ...(m.docString ? [['Doc', m.docString.split('\n')[0]!]] : []),
    ['Opsets', m.opsets.map((s) => `${s.domain} ${s.version}`).join(', ') || '(none)'],
  ]);
  for (const [title, list] of [['Inputs', m.inputs], ['Outputs', m.outputs]] as const) {
    section(title);
    if (list.length === 0) line(o.out, '  (none)');
    else rows(list.map((t) => trimEmpty([t.name, t.type, formatShape(t), t.doc ? paint(o, 'gray', t.doc) : ''])));
  }
  section('Operators');
  if (m.operators.length === 0) line(o.out, '  (none)');
  else rows(m.operators.map((op) => [String(op.count), op.domain === 'ai.onnx' ? op.op : `${op.domain}.${op.op}`]));
  section('Parameters');
  line(o.out, `  ${m.parameters.toLocaleString('en-US')} in ${m.initializers} initializer${m.initializers === 1 ? '' : 's'}, ${formatBytes(m.parameterBytes)}`);
  if (m.externalData.length) {
    rows(m.externalData.map((e) => [e.tensor, `${e.location}${e.offset !== undefined ? ` @${e.offset}` : ''}${e.length !== undefined ? ` +${e.length}` : ''}`, e.missing ? paint(o, 'red', 'missing') : '']));
  }
  const metadata = Object.entries(m.metadata);
  if (metadata.length) {
    section('Metadata');
    rows(metadata.map(([k, v]) => [k, v.length > 100 ? v.slice(0, 100) + '…' : v]));
  }
  problems();
}

async function tryCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('model', args, {
    input: { type: 'string' }, fill: { type: 'string' }, seed: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' },
  }, 1);
  const file = fileArg(positionals, 'try');
  const fill = (values.fill ?? 'random') as Fill;
  if (fill !== 'random' && fill !== 'zeros') throw new UsageError(`--fill expects random or zeros, got '${values.fill}'`, undefined, 'model');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed expects a whole number, got '${values.seed}'`, undefined, 'model');
  const timeoutMs = (positiveInteger(values.timeout, '--timeout', 'model') ?? 60) * 1000;
  let text: string | undefined = values.input;
  if (text?.startsWith('@')) {
    try {
      text = readFileSync(text.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${text.slice(1)}: ${(err as Error).message}`, 'give --input @FILE with a JSON file, or the JSON itself', 'model');
    }
  }
  const inspection = await inspectOnnx(file);
  const errors = inspection.problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    for (const p of errors) line(o.err, `flowbench: ${inspection.file}: ${p.message}`);
    return EXIT.failed;
  }
  let result;
  try {
    result = await tryModel(inspection, { inputs: text === undefined ? undefined : parseUserInputs(text), fill, seed, timeoutMs });
  } catch (err) {
    if (err instanceof TryInputError) throw new UsageError(err.message, `the inputs: ${inspection.inputs.map((i) => `${i.name} ${i.type} ${formatShape(i)}`).join('; ')}`, 'model');
    throw err;
  }
  if (values.json) line(o.out, JSON.stringify(result, null, 2));
  else if (result.ok) {
    line(o.out, paint(o, 'bold', 'Inputs'));
    table(result.feeds.map((f) => [f.name, f.type, `[${f.dims.join(', ')}]`, preview(f.data, f.data.length)])).forEach((t) => line(o.out, '  ' + t));
    line(o.out, '\n' + paint(o, 'bold', 'Outputs'));
    table(result.outputs.map((v) => [v.name, v.type, `[${v.dims.join(', ')}]`, preview(v.data, v.total)])).forEach((t) => line(o.out, '  ' + t));
    for (const s of result.skipped) line(o.out, `  ${s.name}  ${s.type}  ${paint(o, 'gray', '(not shown: onnxruntime-node returns tensors only)')}`);
    line(o.out, `\nLoaded in ${formatDuration(result.loadMs)}, one inference took ${result.runMs < 1 ? result.runMs.toFixed(2) + 'ms' : formatDuration(result.runMs)}.`);
  }
  if (!result.ok) line(o.err, `flowbench: the inference failed: ${result.error}`);
  return result.ok ? EXIT.ok : EXIT.failed;
}

function preview(data: (number | string | boolean)[], total: number, max = 8): string {
  const shown = data.slice(0, max).map((v) => JSON.stringify(v)).join(', ');
  return total > max ? `${shown}, … (${total} values)` : shown;
}
