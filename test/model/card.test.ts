// `flowbench card` end to end on a small real flow: the real CLI in a child process runs the flow, then
// builds cards (ONNX inspection, ONNX Runtime for perturbation checks) and exports them.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { ModelCard } from '../../core/model/card-types';
import { encodeClassifier } from '../../examples/flight-delays/steps/lib/onnx-model.mjs';
import { ensureBuilt, flowbench, project } from '../cli/harness';
import { CHECKS_FAILING, CHECKS_PASSING, cardProjectFiles, flowText } from './card-project';

ensureBuilt();

interface Ran {
  dir: string;
  runs: string[];
}

function runFlow(dir: string, set: string[] = []): string {
  const res = flowbench(dir, ['run', ...set.flatMap((s) => ['--set', s])], 120_000);
  assert.equal(res.code, 0, res.stderr);
  const runs = JSON.parse(flowbench(dir, ['runs', '--json']).stdout) as { id: string }[];
  return runs[0]!.id;
}

function cardJson(dir: string, run: string): ModelCard {
  const res = flowbench(dir, ['card', run, '--format', 'json'], 120_000);
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout) as ModelCard;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Two runs of the flow with different weights, so the second has a previous model. */
function twoRuns(t: Parameters<typeof project>[0]): Ran {
  const dir = project(t, cardProjectFiles());
  const first = runFlow(dir);
  const second = runFlow(dir, ['weight=-1']); // reverses the ranking, so auc changes
  return { dir, runs: [first, second] };
}

test('the card shows the run\'s metrics overall and per slice, the previous model, lineage, signature and checks', async (t) => {
  const { dir, runs } = twoRuns(t);
  const card = cardJson(dir, runs[1]!);
  const evalNow = JSON.parse(readFileSync(join(dir, 'metrics/eval.json'), 'utf8')).model;
  const slicesNow = JSON.parse(readFileSync(join(dir, 'metrics/slices.json'), 'utf8')).by_group;

  assert.equal(card.details.run, runs[1]);
  assert.equal(card.details.previous?.run, runs[0]);
  assert.equal(card.details.trainingStep, 'train');
  assert.equal(card.details.size, readFileSync(join(dir, 'models/model.onnx')).length);
  const auc = card.metrics.overall.find((m) => m.name === 'model.auc')!;
  assert.equal(auc.value, evalNow.auc);
  assert.equal(auc.direction, 'higher');
  assert.equal(card.metrics.overall.find((m) => m.name === 'model.log_loss')!.direction, 'lower');

  // The first run's card, made after the second run overwrote the working files, shows ITS numbers.
  const old = cardJson(dir, runs[0]!);
  const oldAuc = old.metrics.overall.find((m) => m.name === 'model.auc')!.value;
  assert.notEqual(oldAuc, auc.value);
  assert.equal(auc.previous, oldAuc);
  assert.ok(Math.abs(auc.delta! - (auc.value - oldAuc)) < 1e-12);
  assert.equal(auc.improved, auc.value > oldAuc);
  assert.equal(old.details.previous, undefined);

  const table = card.metrics.slices.find((s) => s.name === 'group')!;
  assert.equal(table.file, 'metrics/slices.json');
  assert.deepEqual(table.rows.map((r) => r.value), ['a', 'b']);
  for (const row of table.rows) {
    const expected = slicesNow.find((s: { group: string }) => s.group === row.value);
    assert.equal(row.rows, expected.rows);
    assert.equal(row.metrics.find((m) => m.name === 'auc')!.value, expected.auc);
    const oldRow = old.metrics.slices[0]!.rows.find((r) => r.value === row.value)!;
    assert.equal(row.metrics.find((m) => m.name === 'auc')!.previous, oldRow.metrics.find((m) => m.name === 'auc')!.value);
  }

  assert.deepEqual(card.signature?.inputs.map((i) => [i.name, i.type, i.shape]), [['features', 'float32', ['N', 3]]]);
  assert.equal(card.signature?.outputs[0]?.name, 'probability');
  assert.equal(card.considerations.intendedUse, 'Testing model cards.');
  assert.deepEqual(card.considerations.owners, ['Flowbench tests']);
  assert.equal(card.lineage.sources[0]?.rows, 400);
  assert.match(card.lineage.sources[0]?.fingerprint ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(card.lineage.steps.map((s) => [s.name, s.training, s.evaluation, s.state]), [['train', true, false, 'succeeded'], ['evaluate', false, true, 'succeeded']]);
  assert.deepEqual(card.lineage.steps[1]!.upstream, ['train', 'raw.points']);
  assert.deepEqual(card.lineage.params, { weight: -1 });
  assert.deepEqual(card.lineage.edges, [{ from: 'step:train', to: 'step:evaluate' }, { from: 'source:raw.points', to: 'step:evaluate' }, { from: 'step:train', to: 'model' }]);
  assert.deepEqual(card.lineage.graph?.nodes.map((n) => n.id).sort(), card.lineage.nodes.map((n) => n.id).sort());
  const y = (id: string) => card.lineage.graph!.nodes.find((n) => n.id === id)!.y;
  assert.ok(y('step:train') < y('model'), 'the layout puts the model below the step that trains it');
  assert.deepEqual(card.problems, []);
});

test('checks: thresholds, slices, gaps and perturbations pass or fail with their numbers; --check exits 1 on a failure', async (t) => {
  const dir = project(t, cardProjectFiles(CHECKS_FAILING));
  const run = runFlow(dir);
  const card = cardJson(dir, run);
  const byName = Object.fromEntries(card.checks.map((c) => [c.name, c]));
  const evalNow = JSON.parse(readFileSync(join(dir, 'metrics/eval.json'), 'utf8')).model;
  const slices = JSON.parse(readFileSync(join(dir, 'metrics/slices.json'), 'utf8')).by_group as { group: string; auc: number }[];
  const sample = JSON.parse(readFileSync(join(dir, 'metrics/sample.json'), 'utf8')).inputs.features.rows as number[][];

  assert.equal(byName['auc ≥ 0.6']!.status, evalNow.auc >= 0.6 ? 'pass' : 'fail');
  assert.equal(byName['auc ≥ 0.6']!.observed, evalNow.auc);
  const perfect = byName['every group slice is near perfect']!;
  assert.equal(perfect.status, 'fail');
  assert.equal(perfect.observed, Math.min(...slices.map((s) => s.auc)));
  assert.deepEqual(perfect.slices?.map((s) => [s.value, s.pass]), slices.map((s) => [s.group, s.auc >= 0.999]));
  const gap = byName['auc gap across group slices ≤ 0.5']!;
  assert.ok(Math.abs(gap.observed! - (Math.max(...slices.map((s) => s.auc)) - Math.min(...slices.map((s) => s.auc)))) < 1e-12);
  assert.equal(gap.status, 'pass');

  // The perturbation ran the real model: its numbers match the logistic regression computed here.
  const logit = (f: number[]) => 2 * f[0]! + 0.3 * f[1]! + 0.3 * f[2]! - 0.3;
  const expectedMax = Math.max(...sample.map((f) => Math.abs(sigmoid(logit(f) + 2 * 0.5) - sigmoid(logit(f)))));
  const perturb = card.checks.find((c) => c.kind === 'perturb')!;
  assert.equal(perturb.status, 'fail');
  assert.equal(perturb.rows, sample.length);
  assert.ok(Math.abs(perturb.observed! - expectedMax) < 1e-5, `${perturb.observed} vs ${expectedMax}`);
  const swap = card.checks.find((c) => c.kind === 'swap')!;
  assert.equal(swap.status, 'pass');
  assert.equal(swap.rows, sample.filter((f) => f[1] === 1).length);
  assert.ok(swap.observed! < 1e-6);
  assert.equal(swap.line, flowText(CHECKS_FAILING).split('\n').findIndex((l) => l.includes('- swap: group')));

  const failing = flowbench(dir, ['card', run, '--check'], 120_000);
  assert.equal(failing.code, 1, failing.stdout + failing.stderr);
  assert.match(failing.stdout, /✘ fail {2}x \+0\.5: \|Δ\| ≤ 0\.01: max \|Δ\| [\d.]+ > 0\.01/);

  writeFileSync(join(dir, 'card-test.flow.yaml'), flowText(CHECKS_PASSING));
  const passing = flowbench(dir, ['card', run, '--check'], 120_000);
  assert.equal(passing.code, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, /✔ pass {2}x \+0\.5: mean \|Δ\| ≥ 0\.01/);
});

test('exports: HF README front matter parses back, HTML is self-contained, MCT uses the v0.0.2 field names', async (t) => {
  const { dir, runs } = twoRuns(t);
  const card = cardJson(dir, runs[1]!);
  const out = join(dir, 'README.md');
  assert.equal(flowbench(dir, ['card', runs[1]!, '--format', 'md', '-o', out], 120_000).code, 0);
  const md = readFileSync(out, 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n/.exec(md);
  assert.ok(m, 'front matter');
  const front = parse(m[1]!) as Record<string, any>;
  assert.equal(front.license, 'mit');
  assert.deepEqual(front.tags, ['flowbench', 'onnx', 'tabular', 'test']);
  assert.deepEqual(front.datasets, ['synthetic-points']);
  assert.ok(front.metrics.includes('auc'));
  const results = front['model-index'][0].results;
  assert.equal(front['model-index'][0].name, 'card-test');
  assert.equal(results[0].task.type, 'tabular-classification');
  assert.equal(results[0].dataset.name, 'synthetic-points');
  const auc = results[0].metrics.find((x: { type: string }) => x.type === 'auc');
  assert.deepEqual(auc, { type: 'auc', value: card.metrics.overall.find((x) => x.name === 'model.auc')!.value, name: 'model.auc' });
  const sliceA = results.find((r: { dataset: { name: string } }) => r.dataset.name === 'synthetic-points (group = a)');
  assert.equal(sliceA.metrics.find((x: { type: string }) => x.type === 'auc').value, card.metrics.slices[0]!.rows[0]!.metrics.find((x) => x.name === 'auc')!.value);
  assert.match(md, /## Intended use\n\nTesting model cards\./);
  assert.match(md, /Synthetic data: x: uniform, labels noisy\./);

  const html = flowbench(dir, ['card', runs[1]!, '--format', 'html'], 120_000).stdout;
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<style>/);
  for (const external of [/<script/i, /\bsrc\s*=/i, /\bhref\s*=/i, /url\(/i, /@import/i, /<link/i, /https?:\/\//i]) assert.doesNotMatch(html, external);
  assert.match(html, /Testing model cards\./);
  assert.ok(html.includes(card.details.sha256!));

  const mct = JSON.parse(flowbench(dir, ['card', runs[1]!, '--format', 'mct'], 120_000).stdout);
  assert.deepEqual(Object.keys(mct).sort(), ['considerations', 'model_details', 'model_parameters', 'quantitative_analysis', 'schema_version']);
  assert.equal(mct.schema_version, '0.0.2');
  assert.deepEqual(Object.keys(mct.model_details).sort(), ['citations', 'documentation', 'licenses', 'name', 'overview', 'owners', 'references', 'version']);
  assert.deepEqual(mct.model_details.licenses, [{ identifier: 'mit' }]);
  assert.deepEqual(Object.keys(mct.considerations).sort(), ['ethical_considerations', 'limitations', 'tradeoffs', 'use_cases', 'users']);
  for (const metric of mct.quantitative_analysis.performance_metrics) {
    assert.deepEqual(Object.keys(metric).filter((k) => !['type', 'value', 'slice'].includes(k)), []);
    assert.equal(typeof metric.value, 'number');
  }
  assert.ok(mct.quantitative_analysis.performance_metrics.some((x: { slice?: string; type: string }) => x.slice === 'group=b' && x.type === 'auc'));
  assert.match(mct.model_parameters.input_format, /features: float32 \[N, 3\]/);
});

test('bad input: a truncated or missing model file is a message on the card, never a crash', async (t) => {
  const dir = project(t, cardProjectFiles());
  const run = runFlow(dir);
  const card = cardJson(dir, run);
  const object = join(dir, '.flowbench/cache/objects', card.details.sha256!.slice(0, 2), card.details.sha256!);
  const model = join(dir, 'models/model.onnx');

  // A cache object cut short and a working copy that no longer matches: the card says so.
  chmodSync(object, 0o644);
  truncateSync(object, 20);
  writeFileSync(model, encodeClassifier({ mean: [0], scale: [1], layers: [{ weights: [1], bias: [0], inputs: 1, outputs: 1 }] }));
  const stale = cardJson(dir, run);
  assert.match(stale.problems.join('\n'), /no longer in the cache and the working file has changed since; re-run/);
  assert.equal(stale.signature, undefined);
  assert.equal(stale.checks.find((c) => c.kind === 'perturb')!.status, 'error');
  assert.equal(stale.checks.find((c) => c.kind === 'metric')!.status, 'pass');

  // The recorded size matches but the bytes are not ONNX: inspection's message is on the card.
  writeFileSync(object, Buffer.alloc(card.details.size!, 0x41));
  const garbage = cardJson(dir, run);
  assert.ok(garbage.problems.some((p) => p.startsWith('model file')), garbage.problems.join('\n'));
  assert.equal(garbage.checks.find((c) => c.kind === 'perturb')!.status, 'error');

  rmSync(object);
  rmSync(model);
  const gone = cardJson(dir, run);
  assert.match(gone.problems.join('\n'), /is gone; re-run the flow/);
  const res = flowbench(dir, ['card', run, '--check'], 120_000);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /! error/);
  assert.doesNotMatch(res.stdout + res.stderr, /internal error|at .*\.js:\d+/);
});
