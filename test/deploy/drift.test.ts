// PSI and KS over baseline bins, with numbers worked by hand, and the bin rule shared with DuckDB's CASE.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featureDrift, ksBinned, MIN_OBSERVED, psi, PSI_THRESHOLD } from '../../core/deploy/drift';
import { featureLayout, featureValue } from '../../core/deploy/features';
import { binCounts, binOf, edgesFromQuantiles } from '../../core/deploy/histogram';

test('psi: identical shares give 0; a known shift gives the hand-worked value', () => {
  assert.equal(psi([10, 20, 30], [1, 2, 3]), 0);
  // shares e = .5/.5, o = .9/.1: (.9-.5)ln(.9/.5) + (.1-.5)ln(.1/.5)
  const expected = 0.4 * Math.log(1.8) + -0.4 * Math.log(0.2);
  assert.ok(Math.abs(psi([50, 50], [90, 10]) - expected) < 1e-12);
  // an empty observed bin is floored, not infinite
  assert.ok(Number.isFinite(psi([50, 50], [100, 0])));
});

test('ks: the largest gap between cumulative shares; per category when unordered', () => {
  assert.equal(ksBinned([25, 25, 25, 25], [25, 25, 25, 25], true), 0);
  assert.ok(Math.abs(ksBinned([25, 25, 25, 25], [0, 0, 50, 50], true) - 0.5) < 1e-12);
  assert.ok(Math.abs(ksBinned([50, 50], [80, 20], false) - 0.3) < 1e-12);
});

test('bins: a value lands where the SQL CASE puts it; the outer bins are open-ended', () => {
  const edges = [0, 1, 2, 3];
  assert.deepEqual([-5, 0, 0.5, 1, 1.99, 2, 3, 99].map((v) => binOf(edges, v)), [0, 0, 0, 1, 1, 2, 2, 2]);
  assert.deepEqual(edgesFromQuantiles([1, 1, 1]), [1, 1]);
  assert.equal(binOf([1, 1], 7), 0);
  assert.deepEqual(binCounts({ kind: 'categorical', counts: { a: 3, '<other>': 1 } }, ['a', 'zz', null, 'a']), { counts: [2, 1], n: 3 });
});

test('featureDrift: flags only past the threshold and with enough values', () => {
  const base = { kind: 'numeric' as const, edges: [0, 1, 2, 3, 4], counts: [25, 25, 25, 25] };
  const even = Array.from({ length: 400 }, (_, i) => (i % 4) + 0.5);
  assert.equal(featureDrift('x', base, even).drifted, false);
  const shifted = Array.from({ length: 400 }, (_, i) => 3 + (i % 2) * 0.5);
  const d = featureDrift('x', base, shifted);
  assert.ok(d.psi > PSI_THRESHOLD && d.drifted && d.n === 400);
  assert.equal(featureDrift('x', base, shifted.slice(0, MIN_OBSERVED - 1)).drifted, false);
});

test('features: one-hot columns fold to a category, read from a row or from named columns', () => {
  const layout = featureLayout([{ name: 'features', type: 'float32', width: 3, columns: ['x', 'g=a', 'g=b'] }, { name: 'city', type: 'string', width: 1 }]);
  assert.deepEqual(layout.map((f) => [f.name, f.kind]), [['x', 'numeric'], ['g', 'onehot'], ['city', 'categorical']]);
  const [x, g, city] = layout;
  assert.equal(featureValue(x!, { features: [[1.5, 0, 1]] }), 1.5);
  assert.equal(featureValue(g!, { features: [1.5, 0, 1] }), 'b');
  assert.equal(featureValue(g!, { 'g=a': 1, 'g=b': 0 }), 'a');
  assert.equal(featureValue(x!, { x: 2 }), 2);
  assert.equal(featureValue(g!, {}), null);
  assert.equal(featureValue(city!, { city: 'Oslo' }), 'Oslo');
});
