// `model.checks` and `model.sample` in the flow file: the parsed checks with their ranges, and FB081–FB086
// for what cannot be a check, each at the value it is about.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFlow } from '../../core/flow/analyze';
import { parseFlow } from '../../core/flow/parse';
import { stepLenses } from '../../core/analysis/outline';
import { tempProject } from '../helpers/project';

const head = 'flow: demo\nsteps:\n  train:\n    run: node train.mjs\n    outs: [model.onnx]\n  evaluate:\n    run: node eval.mjs\n    deps: [model.onnx]\n    outs: [sample.json]\nmodel:\n  path: model.onnx\n';

const at = (text: string, needle: string) => {
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
};

test('each kind of check parses with its values and ranges', () => {
  const text = `${head}  sample: sample.json\n  checks:\n    - metric: auc\n      min: 0.65\n      slices: origin\n    - metric: auc\n      slices: origin\n      max_gap: 0.1\n    - perturb: log_distance\n      delta: 0.5\n      max_change: 0.05\n    - name: origin does not matter much\n      swap: origin\n      from: ATL\n      to: ORD\n      min_change: 0.001\n      output: probability\n`;
  const { flow, problems } = parseFlow(text, '/p/demo.flow.yaml');
  assert.deepEqual(problems, []);
  const [metric, gap, perturb, swap] = flow.model!.checks;
  assert.equal(flow.model!.sample?.value, 'sample.json');
  assert.equal(metric?.kind, 'metric');
  assert.ok(metric?.kind === 'metric' && metric.min?.value === 0.65 && metric.slices?.value === 'origin' && !metric.max);
  assert.deepEqual(metric.range.start, at(text, 'metric: auc'));
  assert.ok(gap?.kind === 'gap' && gap.maxGap.value === 0.1);
  assert.ok(perturb?.kind === 'perturb' && perturb.feature.value === 'log_distance' && perturb.delta.value === 0.5 && perturb.maxChange?.value === 0.05);
  assert.deepEqual(perturb.delta.range.start, at(text, '0.5\n      max_change'));
  assert.ok(swap?.kind === 'swap' && swap.from.value === 'ATL' && swap.to.value === 'ORD' && swap.minChange?.value === 0.001 && swap.output?.value === 'probability');
  assert.equal(swap.name?.value, 'origin does not matter much');
});

const cases: [string, string, string, string][] = [
  ['a check that is not a mapping', '    - auc >= 0.65\n', 'FB081', 'auc >= 0.65'],
  ['a check of two kinds', '    - metric: auc\n      min: 1\n      perturb: x\n', 'FB081', 'perturb'],
  ['no kind at all', '    - min: 0.5\n', 'FB081', 'min: 0.5'],
  ['a key of another kind', '    - metric: auc\n      min: 0.5\n      delta: 1\n', 'FB082', 'delta'],
  ['a misspelt key', '    - metric: auc\n      minn: 0.5\n', 'FB082', 'minn'],
  ['a threshold that is not a number', '    - metric: auc\n      min: high\n', 'FB083', 'high'],
  ['min above max', '    - metric: auc\n      min: 0.9\n      max: 0.1\n', 'FB083', '0.9'],
  ['a negative tolerance', '    - perturb: x\n      delta: 1\n      max_change: -0.1\n', 'FB083', '-0.1'],
  ['no bound', '    - metric: auc\n', 'FB084', 'auc'],
  ['max_gap without slices', '    - metric: auc\n      max_gap: 0.1\n', 'FB084', 'max_gap'],
  ['perturb without delta', '    - perturb: x\n      max_change: 0.1\n', 'FB085', 'x\n      max_change'],
  ['a swap without to', '    - swap: origin\n      from: ATL\n      max_change: 0.1\n', 'FB085', 'origin'],
];

for (const [what, check, code, needle] of cases) {
  test(`${code}: ${what}`, () => {
    const text = `${head}  sample: sample.json\n  checks:\n${check}`;
    const { flow, problems } = parseFlow(text, '/p/demo.flow.yaml');
    assert.deepEqual(problems.map((p) => p.code), [code], problems.map((p) => p.message).join('\n'));
    assert.deepEqual(problems[0]!.range.start, at(text, needle), problems[0]!.message);
    assert.deepEqual(flow.model!.checks, []);
  });
}

test('FB086: perturbation checks need model.sample, and the sample must be an out', () => {
  const project = tempProject({ 'train.mjs': '', 'eval.mjs': '' });
  try {
    const noSample = analyzeFlow(project.path('demo.flow.yaml'), `${head}  checks:\n    - perturb: x\n      delta: 1\n      max_change: 0.1\n`);
    assert.deepEqual(noSample.problems.filter((p) => p.code.startsWith('FB08')).map((p) => [p.code, p.severity]), [['FB086', 'error']]);
    const notOut = analyzeFlow(project.path('demo.flow.yaml'), `${head}  sample: elsewhere.json\n`);
    const problem = notOut.problems.find((p) => p.code === 'FB086')!;
    assert.equal(problem.severity, 'warning');
    assert.match(problem.message, /'elsewhere\.json' is not an out of any step/);
  } finally {
    project.remove();
  }
});

test('the flow\'s `model:` key gets "Open Model Card" and "Deploy Model" code lenses', () => {
  const project = tempProject({ 'train.mjs': '', 'eval.mjs': '' });
  try {
    const text = `${head}  sample: sample.json\n`;
    const analysis = analyzeFlow(project.path('demo.flow.yaml'), text);
    const lens = stepLenses(analysis).find((l) => l.command === 'flowbench.openModelCard');
    assert.deepEqual(lens && [lens.title, lens.range.start, lens.args], ['Open Model Card', at(text, 'model:'), [project.path('demo.flow.yaml')]]);
    const deploy = stepLenses(analysis).find((l) => l.command === 'flowbench.deployModel');
    assert.deepEqual(deploy && [deploy.title, deploy.range.start, deploy.args], ['Deploy Model', at(text, 'model:'), [project.path('demo.flow.yaml')]]);
  } finally {
    project.remove();
  }
});
