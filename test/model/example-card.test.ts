// The flight-delays example's model card: its slice metrics by origin airport and hour of day as the
// evaluate step wrote them, its declared checks (thresholds, a slice gap, a perturbation and a swap run
// with ONNX Runtime on the sample of test flights) with results that agree with their numbers.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ModelCard } from '../../core/model/card-types';
import { ensureBuilt, flowbench, repo } from '../cli/harness';

test('flight-delays: the card shows the slice metrics and evaluates the declared checks', (t) => {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-example-card-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repo, 'examples', 'flight-delays'), dir, { recursive: true, filter: (src) => !/[/\\](\.flowbench|models|metrics)$/.test(src) });
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // A 2% sample: the same steps and code, a fraction of the CPU time.
  const run = flowbench(dir, ['run', '--set', 'sample_per_mille=20'], 300_000);
  assert.equal(run.code, 0, run.stderr.slice(-3000));
  const id = (JSON.parse(flowbench(dir, ['runs', '--json']).stdout) as { id: string }[])[0]!.id;
  const res = flowbench(dir, ['card', id, '--format', 'json'], 120_000);
  assert.equal(res.code, 0, res.stderr);
  const card = JSON.parse(res.stdout) as ModelCard;
  const slices = JSON.parse(readFileSync(join(dir, 'metrics/slices.json'), 'utf8'));

  assert.deepEqual(card.problems, []);
  assert.deepEqual(card.metrics.slices.map((s) => s.name), ['origin', 'hour_of_day']);
  const origin = card.metrics.slices[0]!;
  assert.deepEqual(origin.rows.map((r) => r.value), slices.by_origin.map((s: { origin: string }) => s.origin));
  for (const [i, row] of origin.rows.entries()) {
    assert.equal(row.rows, slices.by_origin[i].rows);
    for (const name of ['auc', 'log_loss', 'accuracy']) assert.equal(row.metrics.find((m) => m.name === name)?.value ?? null, slices.by_origin[i][name]);
  }
  assert.equal(card.metrics.overall.find((m) => m.name === 'model.auc')!.value, JSON.parse(readFileSync(join(dir, 'metrics/eval.json'), 'utf8')).model.auc);
  assert.equal(card.details.trainingStep, 'train');
  assert.match(card.considerations.intendedUse ?? '', /^Teaching example/);
  assert.deepEqual(card.lineage.steps.map((s) => s.name), ['staging', 'features', 'train', 'evaluate']);
  assert.equal(card.signature?.inputs[0]?.name, 'features');

  assert.deepEqual(card.checks.map((c) => c.kind), ['metric', 'metric', 'gap', 'perturb', 'swap']);
  for (const check of card.checks) {
    assert.notEqual(check.status, 'error', `${check.name}: ${check.message}`);
    const within = check.kind === 'swap' ? check.observed! >= check.threshold! : check.kind === 'metric' ? check.observed! >= check.threshold! : check.observed! <= check.threshold!;
    assert.equal(check.status, within ? 'pass' : 'fail', `${check.name}: ${check.message}`);
  }
  const worstOrigin = Math.min(...slices.by_origin.map((s: { auc: number | null }) => s.auc).filter((a: number | null): a is number => a !== null));
  assert.equal(card.checks[1]!.observed, worstOrigin);
  assert.equal(card.checks[3]!.rows, 200);
});
