import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlow } from '../../core/flow/parse';
import { interpolate } from '../../core/flow/interpolate';

const at = (text: string, needle: string, nth = 0) => {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(needle, index + 1);
  const before = text.slice(0, index).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
};

test('keeps ranges for keys and values', () => {
  const text = 'flow: demo\nparams:\n  lr: 0.1\n  train: { epochs: 3 }\nsteps:\n  train:\n    run: node train.mjs\n    outs: [model.onnx]\n';
  const { flow, problems } = parseFlow(text, '/p/demo.flow.yaml');
  assert.deepEqual(problems, []);
  assert.equal(flow.name?.value, 'demo');
  assert.equal(flow.root, '/p');
  const step = flow.steps.get('train')!;
  assert.deepEqual(step.nameRange.start, at(text, 'train:', 1));
  assert.deepEqual(step.run?.range.start, at(text, 'node train.mjs'));
  assert.deepEqual(step.outs[0]?.range, { start: at(text, 'model.onnx'), end: { line: 7, character: at(text, 'model.onnx').character + 10 } });
  assert.deepEqual([...flow.params.keys()], ['lr', 'train', 'train.epochs']);
  assert.equal(flow.params.get('train.epochs')?.value, 3);
});

test('unknown key gets did-you-mean with a quick fix replacing exactly the key', () => {
  const text = 'flow: demo\nsteps:\n  a:\n    run: echo\n    dpes: [x]\n';
  const { problems } = parseFlow(text, '/p/f.flow.yaml');
  assert.equal(problems.length, 1);
  const p = problems[0]!;
  assert.equal(p.code, 'FB010');
  assert.match(p.message, /Did you mean 'deps'\?/);
  assert.deepEqual(p.range.start, at(text, 'dpes'));
  assert.deepEqual(p.fixes?.[0]?.edits?.[0], { range: p.range, newText: 'deps' });
});

test('broken YAML still yields the steps that could be read', () => {
  const text = 'flow: demo\nsteps:\n  a:\n    run: [oops\n  b:\n    run: echo b\n';
  const { flow, problems } = parseFlow(text, '/p/f.flow.yaml');
  assert.ok(problems.some((p) => p.code === 'FB001'));
  assert.ok(flow.steps.has('a'));
  assert.ok(flow.steps.has('b'));
});

test('reports wrong types, missing run/sql, both, bad names, duplicates, and durations', () => {
  const text = [
    'flow: demo',
    'steps:',
    '  a:',
    '    run: echo',
    '    retries: two',
    '    timeout: 30m',
    '  b:',
    '    deps: x',
    '  c:',
    '    run: echo',
    '    sql: c.sql',
    '  9bad:',
    '    run: echo',
    '  a:',
    '    run: again',
  ].join('\n');
  const { flow, problems } = parseFlow(text, '/p/f.flow.yaml');
  const codes = problems.map((p) => `${p.code}@${p.range.start.line + 1}`).sort();
  assert.deepEqual(codes, ['FB002@14', 'FB011@5', 'FB012@7', 'FB013@9', 'FB014@12'].sort());
  assert.equal(flow.steps.get('a')?.timeout?.value, 1800);
  assert.equal(flow.steps.get('a')?.run?.value, 'echo', 'first definition wins');
  assert.deepEqual(flow.steps.get('b')?.deps.map((d) => d.value), ['x']);
});

test('compute blocks and warehouse profiles', () => {
  const text = [
    'flow: demo',
    'warehouses:',
    '  snow: { type: snowflake, account: acme }',
    'steps:',
    '  t:',
    '    run: python train.py',
    '    compute: { target: sagemaker, instance_type: ml.g5.xlarge, image: 123.dkr.ecr/x:1, job: training }',
    '  u:',
    '    run: echo',
    '    compute: lokal',
  ].join('\n');
  const { flow, problems } = parseFlow(text, '/p/f.flow.yaml');
  const t = flow.steps.get('t')!.compute;
  assert.equal(t.target, 'sagemaker');
  assert.equal(t.target === 'sagemaker' && t.instanceType?.value, 'ml.g5.xlarge');
  assert.equal(flow.warehouses.get('snow')?.type.value, 'snowflake');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.code, 'FB071');
  assert.equal(problems[0]!.fixes?.[0]?.edits?.[0]?.newText, 'local');
});

test('a non-mapping document and an empty one are problems, not crashes', () => {
  assert.equal(parseFlow('- a\n- b\n', '/p/f.flow.yaml').problems[0]?.code, 'FB012');
  const empty = parseFlow('', '/p/f.flow.yaml');
  assert.ok(empty.problems.length >= 1);
  assert.equal(empty.flow.steps.size, 0);
});

test('interpolate replaces known params and reports unknown ones with offsets', () => {
  const r = interpolate('train --lr ${params.lr} --x ${params.nope} --e ${ params.t.e }', { lr: 0.5, 't.e': 3 });
  assert.equal(r.text, 'train --lr 0.5 --x ${params.nope} --e 3');
  assert.deepEqual(r.used, ['lr', 't.e']);
  assert.equal(r.unknown.length, 1);
  assert.equal('train --lr ${params.lr} --x ${params.nope}'.slice(r.unknown[0]!.start, r.unknown[0]!.end), '${params.nope}');
});
