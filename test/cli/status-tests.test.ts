// `flowbench status` shows each SQL step's data tests from its last check: an up-to-date step whose table
// fails a warn-severity test says so, in text and in --json, without running anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, flowbench, project } from './harness';

test('status lists failing data tests of up-to-date steps from the last check', (t) => {
  ensureBuilt();
  const dir = project(t, {
    'data/trips.csv': 'id,city\n1,Oslo\n2,Lima\n3,\n',
    'sql/trips.sql': "SELECT id, city FROM {{ source('raw', 'trips') }}\n",
    'status.flow.yaml': `flow: st
sources:
  raw:
    trips: { path: data/trips.csv }
steps:
  trips:
    sql: sql/trips.sql
    tests:
      columns:
        id: [not_null, unique]
        city: [{ not_null: { severity: warn } }]
`,
  });
  const before = flowbench(dir, ['status']);
  assert.doesNotMatch(before.stdout, /tests /, 'no check yet, so no tests shown');
  assert.equal(flowbench(dir, ['run']).code, 0);

  const text = flowbench(dir, ['status']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /trips\s+up to date\s+tests 2 passed, 1 failed/);
  assert.match(text.stdout, /! trips: not_null\(city\) \(warn\) 1 failing row\b/);

  const json = JSON.parse(flowbench(dir, ['status', '--json']).stdout) as { steps: { step: string; state: string; tests?: unknown }[] };
  const step = json.steps.find((s) => s.step === 'trips')!;
  assert.equal(step.state, 'up-to-date');
  assert.deepEqual(step.tests, { total: 3, passed: 2, failed: 1, errors: 0 });
});
