import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { analyzeFlow, formatProblem, hasErrors, loadFlow } from '../../core/flow/analyze';
import { tempProject } from '../helpers/project';

const defaultSql = {
  'sql/staging.sql': "select * from {{ source('raw', 'flights') }}\n",
  'sql/features.sql': "select *, {{ params.threshold }} as t\nfrom {{ ref('staging') }}\n",
};
const project = tempProject({ 'data/flights.csv': 'a,b\n1,2\n', 'steps/train.mjs': '' });
after(() => project.remove());

const base = `flow: demo
params:
  lr: 0.1
  threshold: 15
sources:
  raw:
    flights: { path: data/flights.csv }
steps:
  staging:
    sql: sql/staging.sql
  features:
    sql: sql/features.sql
  train:
    run: node steps/train.mjs --lr \${params.lr}
    inputs: [features]
    outs: [models/model.onnx]
  evaluate:
    run: node steps/train.mjs --eval
    deps: [models/model.onnx]
    metrics: [metrics/eval.json]
`;

function analyze(text: string, sql: Record<string, string> = {}) {
  for (const [rel, content] of Object.entries({ ...defaultSql, ...sql })) project.write(rel, content);
  return analyzeFlow(project.path('demo.flow.yaml'), text);
}

test('a valid flow has no problems and a graph from ref, inputs and deps', () => {
  const a = analyze(base);
  assert.deepEqual(a.problems.map((p) => formatProblem(p, project.root)), []);
  assert.deepEqual(a.graph.order, ['staging', 'features', 'train', 'evaluate']);
  const edges = a.graph.edges.map((e) => `${e.from}->${e.to}:${e.kind}`).sort();
  assert.deepEqual(edges, ['features->train:inputs', 'staging->features:ref', 'train->evaluate:deps']);
  assert.deepEqual([...a.graph.upstreamOf(['train'])].sort(), ['features', 'staging', 'train']);
  assert.deepEqual([...a.graph.downstreamOf(['features'])].sort(), ['evaluate', 'features', 'train']);
});

test('a cycle puts a diagnostic on every edge with the cycle path', () => {
  const text = base.replace('    run: node steps/train.mjs --eval\n', '    run: node steps/train.mjs --eval\n    needs: [evaluate]\n')
    .replace('    inputs: [features]\n', '    inputs: [features]\n    needs: [evaluate]\n');
  const a = analyze(text);
  const cycle = a.problems.filter((p) => p.code === 'FB030');
  assert.ok(cycle.length >= 2, 'one per edge');
  assert.ok(cycle.every((p) => /Cycle: (train → evaluate → train|evaluate → train → evaluate)/.test(p.message)));
  for (const p of cycle) assert.equal(p.related?.length, cycle.length - 1, 'each edge links the others');
  assert.deepEqual(a.graph.cycles.length, 1);
  assert.ok(!a.graph.order.includes('train'));
});

test('self-referencing step via the graph is rejected', () => {
  const text = base.replace('    deps: [models/model.onnx]\n', '    deps: [models/model.onnx]\n    needs: [evaluate]\n');
  const a = analyze(text);
  assert.ok(a.problems.some((p) => p.code === 'FB030' || p.code === 'FB020') || a.graph.cycles.length === 1);
  assert.deepEqual(a.graph.cycles, [['evaluate']]);
});

test('unknown refs, sources, params and steps point into the right file with fixes', () => {
  const a = analyze(base.replace('inputs: [features]', 'inputs: [featurs]').replace('${params.lr}', '${params.learning_rate}'), {
    'sql/features.sql': "select {{ params.treshold }} from {{ ref('stagin') }} join {{ source('raw', 'flight') }}\n",
  });
  const byCode = (code: string) => a.problems.filter((p) => p.code === code);
  const inputs = byCode('FB020').find((p) => p.file.endsWith('demo.flow.yaml'))!;
  assert.match(inputs.message, /Unknown step 'featurs'.*Did you mean 'features'/);
  assert.equal(inputs.fixes?.[0]?.edits?.[0]?.newText, 'features');
  const ref = byCode('FB020').find((p) => p.file.endsWith('features.sql'))!;
  const col = "select {{ params.treshold }} from {{ ref('".length;
  assert.deepEqual(ref.range, { start: { line: 0, character: col }, end: { line: 0, character: col + 'stagin'.length } });
  assert.equal(ref.fixes?.[0]?.edits?.[0]?.file, project.path('sql/features.sql'));
  const params = byCode('FB021');
  assert.equal(params.length, 2);
  const inFlow = params.find((p) => p.file.endsWith('.yaml'))!;
  const line = base.split('\n').findIndex((l) => l.includes('${params.lr}'));
  assert.equal(inFlow.range.start.line, line);
  assert.equal(inFlow.range.end.character - inFlow.range.start.character, '${params.learning_rate}'.length);
  assert.ok(inFlow.fixes?.some((f) => f.title === "Add param 'learning_rate'"));
  assert.match(byCode('FB022')[0]!.message, /no table 'flight'.*Did you mean 'flights'/);
});

test('outs: duplicates, overlaps, dep-and-out, missing deps, scripts, sql and source files', () => {
  const text = base
    .replace('    outs: [models/model.onnx]\n', '    outs: [models/model.onnx, models]\n    deps: [models/model.onnx, data/nothing.csv]\n')
    .replace('    metrics: [metrics/eval.json]\n', '    metrics: [metrics/eval.json]\n    outs: [models/model.onnx]\n  more:\n    run: python missing.py\n    sql: nope.sql\n')
    .replace('data/flights.csv', 'data/gone.csv');
  const a = analyze(text);
  const codes = new Set(a.problems.map((p) => p.code));
  for (const code of ['FB040', 'FB041', 'FB042', 'FB050', 'FB053', 'FB013']) assert.ok(codes.has(code), `${code} in ${[...codes]}`);
  const dup = a.problems.find((p) => p.code === 'FB040')!;
  assert.equal(dup.related?.length, 1);
});

test('missing SQL and script files offer a create-file fix', () => {
  const a = analyze(base.replace('sql/features.sql', 'sql/new.sql').replace('node steps/train.mjs --eval', 'python steps/eval.py'));
  const sql = a.problems.find((p) => p.code === 'FB051')!;
  assert.equal(sql.fixes?.[0]?.createFile?.path, project.path('sql/new.sql'));
  const script = a.problems.find((p) => p.code === 'FB052')!;
  assert.equal(script.fixes?.[0]?.createFile?.path, project.path('steps/eval.py'));
  const line = a.flow.steps.get('evaluate')!.run!.range.start.line;
  assert.equal(script.range.start.line, line);
});

test('a script named by a param is checked with the param value', () => {
  const withScript = (script: string) =>
    analyze(base.replace('  threshold: 15\n', `  threshold: 15\n  script: ${script}\n`).replace('node steps/train.mjs --eval', 'node ${params.script} --eval'));
  const missing = withScript('steps/gone.mjs').problems.find((p) => p.code === 'FB052');
  assert.match(missing?.message ?? '', /Script 'steps\/gone\.mjs' run by step 'evaluate'/);
  assert.equal(missing?.fixes?.[0]?.createFile?.path, project.path('steps/gone.mjs'));
  assert.equal(withScript('steps/train.mjs').problems.find((p) => p.code === 'FB052'), undefined);
});

test('warnings and hints: isolated steps, unused params, bad compute, unknown warehouse', () => {
  const text = base.replace('  lr: 0.1\n', '  lr: 0.1\n  spare: 3\n') +
    '  lonely:\n    run: echo hi\n    compute: { target: sagemaker, instance_type: m5.large }\n  q:\n    sql: sql/staging.sql\n    warehouse: snowflak\n';
  const a = analyze(text);
  const find = (code: string) => a.problems.filter((p) => p.code === code);
  assert.ok(find('FB060').some((p) => p.message.includes("'lonely'") && p.severity === 'warning'));
  assert.ok(find('FB061').some((p) => p.message.includes("'spare'") && p.severity === 'hint'));
  assert.ok(!find('FB061').some((p) => p.message.includes("'threshold'")), 'used from SQL');
  assert.equal(find('FB070').length, 2, 'missing image and a malformed instance type');
  assert.equal(find('FB072').length, 1);
});

test('spot settings: training only, max_wait_seconds needs spot and covers the run time', () => {
  const sm = (extra: string) => `    compute: { target: sagemaker, instance_type: ml.m5.xlarge, image: img, ${extra} }\n`;
  const steps = '  a:\n    run: echo a\n' + sm('spot: true, max_wait_seconds: 7200, max_runtime_seconds: 3600') +
    '  b:\n    run: echo b\n' + sm('job: processing, spot: true') +
    '  c:\n    run: echo c\n' + sm('max_wait_seconds: 60') +
    '  d:\n    run: echo d\n' + sm('spot: true, max_wait_seconds: 60, max_runtime_seconds: 120') +
    '  e:\n    run: echo e\n' + sm('spot: yes please');
  const a = analyze(base + steps);
  const within = (line: number, r: { start: { line: number }; end: { line: number } }) => line >= r.start.line && line <= r.end.line;
  const codes = (step: string) => a.problems.filter((p) => within(p.range.start.line, a.flow.steps.get(step)!.range)).map((p) => p.code).filter((c) => c.startsWith('FB13'));
  assert.deepEqual(codes('a'), []);
  assert.deepEqual(codes('b'), ['FB130']);
  assert.deepEqual(codes('c'), ['FB131']);
  assert.deepEqual(codes('d'), ['FB132']);
  const sa = a.flow.steps.get('a')!.compute;
  assert.ok(sa.target === 'sagemaker' && sa.spot?.value === true && sa.maxWaitSeconds?.value === 7200);
  const se = a.flow.steps.get('e')!.compute;
  assert.ok(se.target === 'sagemaker' && se.spot === undefined, 'a non-boolean spot is reported, not taken');
  assert.ok(a.problems.some((p) => p.severity === 'error' && within(p.range.start.line, a.flow.steps.get('e')!.range) && /true|false/.test(p.message)));
});

test('loadFlow on a missing file reports it instead of throwing', () => {
  const a = loadFlow(project.path('missing.flow.yaml'));
  assert.equal(a.problems[0]?.code, 'FB003');
  assert.ok(hasErrors(a.problems));
});

test('formatProblem prints 1-based file:line:col', () => {
  const a = analyze('flow: demo\nsteps:\n  a:\n    rn: echo\n');
  const lines = a.problems.map((p) => formatProblem(p, project.root));
  assert.ok(lines.includes("demo.flow.yaml:4:5: error FB010 Unknown key 'rn' in step 'a'. Did you mean 'run'?"), lines.join('\n'));
});

test('did-you-mean for ${params.x} keeps the interpolation syntax', () => {
  const a = analyze(base.replace('${params.lr}', '${params.lrr}'));
  const p = a.problems.find((x) => x.code === 'FB021')!;
  assert.equal(p.fixes?.[0]?.title, "Change to 'lr'");
  assert.equal(p.fixes?.[0]?.edits?.[0]?.newText, '${params.lr}');
});

test('${params.x} in deps, outs or metrics is a warning on the path: those are taken literally', () => {
  const text = base
    .replace('outs: [models/model.onnx]', 'outs: [models/model.onnx, "models/${params.lr}.onnx"]')
    .replace('deps: [models/model.onnx]', 'deps: [models/model.onnx, "data/${params.lr}.csv"]');
  const { problems } = analyze(text);
  const literal = problems.filter((p) => p.code === 'FB027');
  assert.deepEqual(literal.map((p) => [p.severity, text.slice(offsetOf(text, p.range.start), offsetOf(text, p.range.end))]), [
    ['warning', '"data/${params.lr}.csv"'],
    ['warning', '"models/${params.lr}.onnx"'],
  ].sort((a, b) => text.indexOf(a[1]) - text.indexOf(b[1])));
  assert.ok(!problems.some((p) => p.code === 'FB050'), 'no second problem saying the literal dep is missing');
});

function offsetOf(text: string, pos: { line: number; character: number }): number {
  const lines = text.split('\n');
  return lines.slice(0, pos.line).reduce((n, l) => n + l.length + 1, 0) + pos.character;
}

test('a SQL file changed on disk between analyses is read and scanned again', () => {
  const first = analyze(base);
  assert.deepEqual(first.problems.filter((p) => p.code === 'FB020'), []);
  // Same path, new text: the scan kept for the old text must not answer.
  const second = analyze(base, { 'sql/features.sql': "select *, {{ params.threshold }} as t\nfrom {{ ref('stagin') }}\n" });
  const unknown = second.problems.filter((p) => p.code === 'FB020');
  assert.equal(unknown.length, 1);
  assert.match(unknown[0]!.message, /Unknown step 'stagin'.*Did you mean 'staging'/);
  assert.equal(unknown[0]!.file, project.path('sql/features.sql'));
  assert.deepEqual(second.graph.parents('features'), []);
  const third = analyze(base);
  assert.deepEqual(third.problems.filter((p) => p.code === 'FB020'), []);
  assert.deepEqual(third.graph.parents('features'), ['staging']);
});

test('a SQL file deleted between analyses is reported missing', () => {
  assert.equal(analyze(base).problems.some((p) => p.code === 'FB051'), false);
  rmSync(project.path('sql/staging.sql'));
  const after = analyzeFlow(project.path('demo.flow.yaml'), base);
  assert.deepEqual(after.problems.filter((p) => p.code === 'FB051').map((p) => p.message), [
    "SQL file 'sql/staging.sql' of step 'staging' does not exist. Create it or fix the path.",
  ]);
});
