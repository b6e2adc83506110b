import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { descendantGroups, signalGroup } from '../../core/engine/process-tree';

test('descendant groups include a session a child moved to with setsid', async (t) => {
  const parent = spawn('/bin/sh', ['-c', 'setsid sh -c "echo \\$\\$; sleep 30" & wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => {
    for (const g of [parent.pid!, ...descendantGroups(parent.pid!)]) signalGroup(g, 'SIGKILL');
  });
  const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
  const away = Number(chunk.toString().trim());
  assert.ok(away > 1 && away !== parent.pid);
  assert.ok(descendantGroups(parent.pid!).includes(away), 'the setsid child leads a group of its own, found below the parent');
  assert.equal(signalGroup(away, 0), true);
});

test('group ids 0 and 1 are never signalled (they would mean this group, or every process)', () => {
  // Signal 0 only asks whether the target exists, so this is safe even if the guard were missing.
  assert.equal(signalGroup(0, 0), false);
  assert.equal(signalGroup(1, 0), false);
  assert.equal(signalGroup(-5, 0), false);
});
