// The experiments panel's source (extension/panels/workspace-runs.ts) shows a run whose writer died as
// interrupted, as the Runs view does (liveness.ts's shownStatus), without writing its record: at the first
// load, and at a reload when the writer died after it; it knows which store each run is in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openRunStore } from '../../core/runs/store';
import { RunTable } from '../../core/runs/table';
import { workspaceRuns } from '../../extension/panels/workspace-runs';
import { generateSummaries, writeRunStore } from '../bench/generate-runs';

function startWriter(state: string, runId: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'record-writer.ts'), state, runId, 'stall'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = new Promise<void>((ok, fail) => {
    child.stdout!.once('data', () => ok());
    child.once('exit', (code) => fail(new Error(`writer exited early (${code})`)));
  });
  const kill = async () => {
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGKILL');
    await exited;
  };
  return { started, kill };
}

const statusOf = (table: RunTable, id: string) => table.run(table.rowOf(id)!)?.status;

test('a run whose writer was SIGKILLed shows as interrupted in the panel, at its first load and at a reload', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-workspace-runs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, '.flowbench');
  const early = '20261124-010000-dead';
  const late = '20261124-010001-1a7e';
  const first = startWriter(state, early);
  const second = startWriter(state, late);
  await Promise.all([first.started, second.started]);
  await first.kill();

  // Both kinds of sink: a table the reader hands over whole, and one summary at a time.
  for (const withTable of [true, false]) {
    const table = RunTable.fromSummaries([]);
    const source = workspaceRuns(() => [state], () => undefined);
    const sink = {
      put: (s: Parameters<RunTable['upsert']>[0]) => void table.upsert(s),
      drop: (id: string) => void table.remove(id),
      ...(withTable && { putTable: (runs: RunTable) => table.absorb(runs) }),
    };
    await source.load(sink);
    assert.equal(statusOf(table, early), 'interrupted', `killed before the first load (table sink: ${withTable})`);
    assert.equal(statusOf(table, late), 'running', 'its writer is alive');
  }

  const table = RunTable.fromSummaries([]);
  const source = workspaceRuns(() => [state], () => undefined);
  const sink = { put: (s: Parameters<RunTable['upsert']>[0]) => void table.upsert(s), drop: (id: string) => void table.remove(id), putTable: (runs: RunTable) => table.absorb(runs) };
  await source.load(sink);
  assert.equal(statusOf(table, late), 'running');
  await second.kill();
  await source.load(sink);
  assert.equal(statusOf(table, late), 'interrupted', 'killed after the first load: the next reload shows it');

  const records = openRunStore(state);
  assert.equal((await records.get(late))?.status, 'running', 'the reader never writes a record: the next CLI command marks it');
  assert.deepEqual((await records.markInterrupted()).sort(), [early, late]);
  await source.load(sink);
  assert.equal(statusOf(table, late), 'interrupted');
});

test('a run id in two stores (a copied .flowbench) stays with the first; each run is known by its store, from the table caches too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-workspace-runs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, 'a', '.flowbench');
  const b = join(dir, 'b', '.flowbench');
  writeRunStore(a, 300, { params: 12, metrics: 12 }); // past the size a table cache is written for
  cpSync(a, b, { recursive: true });
  const own = { ...generateSummaries(1, { params: 2, metrics: 2 })[0], id: '20270101-000000-0b0b' };
  mkdirSync(join(b, 'runs', own.id));
  appendFileSync(join(b, 'runs', 'index.jsonl'), JSON.stringify(own) + '\n');
  for (const cached of [false, true]) { // the first loads write the caches, the later ones read them
    const table = RunTable.fromSummaries([]);
    const source = workspaceRuns(() => [a, b], () => undefined);
    const sink = { put: (s: Parameters<RunTable['upsert']>[0]) => void table.upsert(s), drop: (id: string) => void table.remove(id), putTable: (runs: RunTable) => table.absorb(runs) };
    for (let load = 0; load < 2; load++) {
      await source.load(sink);
      assert.equal(table.size, 301, `cached: ${cached}, load ${load}`);
      assert.equal(source.stateDirOf('20260101-000500-0005'), a, 'in both: the first store\'s');
      assert.equal(source.stateDirOf(own.id), b);
      assert.equal(source.stateDirOf('20270101-000000-ffff'), undefined);
    }
  }
});
