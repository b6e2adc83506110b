// `sweeps:` in the flow file: the model with positions, every diagnostic FB090–FB097 where it belongs,
// and the expansion to variants (deterministic, seeded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFlow } from '../../core/flow/analyze';
import { expandSweep, specOf } from '../../core/sweeps/expand';
import { mulberry32 } from '../../core/sweeps/prng';

const HEAD = `flow: f
params:
  learning_rate: 0.01
  epochs: 2
  l2: 0.0001
  optimizer: adam
steps:
  a:
    run: echo \${params.learning_rate} \${params.epochs} \${params.l2} \${params.optimizer} > a.txt
    outs: [a.txt]
sweeps:
`;

function analyze(sweeps: string) {
  const text = HEAD + sweeps;
  const a = analyzeFlow('/tmp/sweeps-test/f.flow.yaml', text);
  const lines = text.split('\n');
  const at = (p: { range: { start: { line: number; character: number }; end: { line: number; character: number } } }) =>
    lines[p.range.start.line]!.slice(p.range.start.character, p.range.end.line === p.range.start.line ? p.range.end.character : undefined);
  return { ...a, sweepProblems: a.problems.filter((p) => /^FB09/.test(p.code) || p.message.includes('sweep')), at };
}

test('a declared sweep parses with positions and expands grid × random × list in a fixed order', () => {
  const { flow, sweepProblems, at } = analyze(`  mixed:
    description: lr and epochs by l2
    list:
      - { optimizer: adam }
      - { optimizer: sgd }
    grid:
      learning_rate: [0.001, 0.003]
      epochs: 4
    random:
      l2: { min: 1e-6, max: 1e-3, log: true }
    count: 3
    seed: 7
`);
  assert.deepEqual(sweepProblems, []);
  const sweep = flow.sweeps.get('mixed')!;
  assert.equal(at({ range: sweep.nameRange }), 'mixed');
  assert.equal(at({ range: sweep.grid[0]!.keyRange }), 'learning_rate');
  assert.equal(at({ range: sweep.grid[0]!.values![1]!.range }), '0.003');
  const variants = expandSweep(specOf(sweep));
  assert.equal(variants.length, 2 * 2 * 1 * 3);
  assert.deepEqual(variants.slice(0, 4).map((v) => [v.optimizer, v.learning_rate, v.epochs]), [['adam', 0.001, 4], ['adam', 0.001, 4], ['adam', 0.001, 4], ['adam', 0.003, 4]]);
  assert.equal(variants[6]!.optimizer, 'sgd');
  for (const v of variants) assert.ok((v.l2 as number) >= 1e-6 && (v.l2 as number) < 1e-3);
  // Log-uniform: draws spread over the decades rather than crowding the top one.
  const many = expandSweep({ name: 'x', grid: [], random: [{ param: 'l2', min: 1e-6, max: 1e-3, log: true }], count: 300, list: [] });
  assert.ok(many.filter((v) => (v.l2 as number) < 1e-5).length > 50);
  assert.deepEqual(expandSweep(specOf(sweep)), variants, 'the same seed gives the same variants');
  assert.notDeepEqual(expandSweep({ ...specOf(sweep), seed: 8 }).map((v) => v.l2), variants.map((v) => v.l2));
});

test('choices draw only listed values; the generator is uniform and its seed decides everything', () => {
  const variants = expandSweep({ name: 'c', grid: [], random: [{ param: 'optimizer', choices: ['adam', 'sgd', 'rmsprop'] }], count: 60, seed: 1, list: [] });
  assert.deepEqual([...new Set(variants.map((v) => v.optimizer))].sort(), ['adam', 'rmsprop', 'sgd']);
  const draw = (seed: number, n: number) => {
    const next = mulberry32(seed);
    return Array.from({ length: n }, next);
  };
  const xs = draw(1, 20_000);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const buckets = Array<number>(10).fill(0);
  for (const x of xs) buckets[Math.floor(x * 10)]!++;
  assert.ok(buckets.every((n) => n > 1800 && n < 2200), `deciles ${buckets.join(' ')}`);
  assert.deepEqual(draw(1, 5), xs.slice(0, 5));
  assert.notDeepEqual(draw(2, 5), xs.slice(0, 5));
});

test('every sweep diagnostic has its code, its range and, for typos, a fix', () => {
  const { sweepProblems, at } = analyze(`  typo:
    grid:
      learnin_rate: [0.1, 0.2]
      epochs: []
  bad-range:
    random:
      l2: { min: 0.1, max: 0.01 }
      learning_rate: { min: 0, max: 1, log: true }
      optimizer: { choices: [] }
    count: 0
  no-count:
    random:
      l2: { min: 1e-6, max: 1e-3 }
  nothing:
    description: forgot the grid
  twice:
    grid:
      epochs: [1, 2]
    random:
      epochs: { min: 1, max: 9 }
    count: 2
  huge:
    grid:
      epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    random:
      l2: { min: 1e-6, max: 1e-3 }
    count: 5000
  9lives:
    list:
      - {}
`);
  const byCode = (code: string) => sweepProblems.filter((p) => p.code === code).map((p) => [at(p), p.message]);
  const fb090 = sweepProblems.find((p) => p.code === 'FB090')!;
  assert.equal(at(fb090), 'learnin_rate');
  assert.match(fb090.message, /Did you mean 'learning_rate'\?/);
  assert.equal(fb090.fixes?.[0]?.edits?.[0]?.newText, 'learning_rate');
  assert.deepEqual(byCode('FB091').map(([text]) => text), ['[]', 'nothing', '{}']);
  assert.deepEqual(byCode('FB092').map(([text]) => text), ['{ min: 0.1, max: 0.01 }', '{ min: 0, max: 1, log: true }', '[]']);
  assert.match(String(byCode('FB092')[0]![1]), /min:.*must be below/);
  assert.match(String(byCode('FB092')[1]![1]), /log space/);
  assert.deepEqual(byCode('FB093').map(([text]) => text), ['0', 'random']);
  assert.deepEqual(byCode('FB095').map(([text]) => text), ['epochs']);
  assert.deepEqual(byCode('FB096').map(([text]) => text), ['huge']);
  assert.deepEqual(byCode('FB097').map(([text]) => text), ['9lives']);
  assert.ok(sweepProblems.every((p) => p.severity === 'error'));
});
