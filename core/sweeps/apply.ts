// `flowbench apply RUN`: puts a run's outs into the working tree from the content-addressed cache, as the
// step that made them left them. How a sweep's result reaches the project: its variants only ever wrote
// into scratch workspaces. Table exports under .flowbench/ stay as they are (they belong to the project's
// warehouse); the step state is left alone, so `flowbench status` compares the applied outs with what the
// project's own params would make, and says which steps they no longer match.
import * as path from 'node:path';
import { loadFlow } from '../flow/analyze';
import { ContentStore, type RunManifest } from '../engine/cas';
import { ContentHasher } from '../engine/hasher';
import { acquireStateLock, holderName, type StateLock } from '../engine/run-lock';
import { stateDirOf } from '../engine/state';
import { StatCache } from '../engine/statcache';
import { openRunStore } from '../runs/store';

export interface ApplyResult {
  runId: string;
  /** Paths (relative to the flow folder) replaced, in step order. */
  restored: string[];
}

export class ApplyError extends Error {}

/** A sweep never writes the working tree, so its lock does not keep an apply out; a run's does. */
const SWEEP_LOCK = /^sweep-/;

export async function applyRun(flowFile: string, runRef: string, opts: { signal?: AbortSignal } = {}): Promise<ApplyResult> {
  const { flow } = loadFlow(flowFile);
  const stateDir = stateDirOf(flow);
  const store = openRunStore(stateDir);
  const record = await store.get(runRef);
  if (!record) throw new ApplyError(`no run '${runRef}' in ${stateDir}; flowbench runs lists them`);
  if (record.status !== 'succeeded') throw new ApplyError(`run ${record.id} ${record.status === 'running' ? 'is still running' : `is ${record.status}`}: only a succeeded run's outs are applied`);

  let lock: StateLock | undefined;
  const got = await acquireStateLock(stateDir, `apply-${record.id}`, { wait: false, signal: opts.signal });
  if ('lock' in got) lock = got.lock;
  else if ('busy' in got && !SWEEP_LOCK.test(got.busy.runId)) throw new ApplyError(`${holderName(got.busy.runId)} (pid ${got.busy.pid}) is writing this folder's outs; apply once it ends`);
  const hasher = new ContentHasher(new StatCache(path.join(stateDir, 'statcache.json')));
  const cas = new ContentStore(stateDir, hasher);
  try {
    const manifests: RunManifest[] = [];
    for (const [step, s] of Object.entries(record.steps)) {
      if (!s.fingerprint || !['succeeded', 'cached', 'restored'].includes(s.state)) continue;
      const manifest = cas.manifest(s.fingerprint);
      if (!manifest) throw new ApplyError(`the cache no longer holds the outs of step ${step} of run ${record.id}; rerun it`);
      const outputs = manifest.outputs.filter((o) => o.path.split('/')[0] !== '.flowbench');
      if (!outputs.length) continue;
      const check = await cas.check({ ...manifest, outputs });
      if (!check.complete) throw new ApplyError(`the cache copy of step ${step}'s outs is ${check.corrupt.length ? `corrupt (${check.corrupt.join(', ')}): removed it` : 'incomplete (pruned?)'}; rerun the run instead`);
      manifests.push({ ...manifest, outputs });
    }
    // Checked all before replacing any: an apply either lands whole or leaves the tree as it was.
    for (const m of manifests) await cas.restore(flow.root, m);
    return { runId: record.id, restored: manifests.flatMap((m) => m.outputs.map((o) => o.path)) };
  } finally {
    cas.close();
    hasher.saveCache();
    lock?.release();
  }
}
