// A variant's scratch workspace: a folder under .flowbench/sweeps/<id>/<variant>/ that stands for the flow's
// folder. Every entry of the project is a symlink to the original (data, scripts, SQL, the flow file, even
// node_modules: nothing is copied, so a 3 GB source costs nothing), except the folders on the way to an
// out, which are real folders, and the outs themselves, which are absent: the variant's steps write them
// fresh inside the scratch folder and never through a link into the working tree. Its own .flowbench/
// (warehouse, table exports, step state) is created by the runner.
//
// Symlinks, not hard links or copies: a hard link would let a step that rewrites an out in place change
// the project's file, and copies cost the size of the data per variant. What a symlink cannot stop is a
// step writing outside its declared outs into a linked folder (e.g. next to its own script); such a step
// already breaks caching, and docs/flow-format.md (Sweeps) says so.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FlowAnalysis } from '../flow/analyze';
import { isUrl } from '../flow/confine';
import { isWithin } from '../flow/graph';
import { declaredOutputs } from '../engine/fingerprint';

/**
 * Why the flow cannot run in a scratch workspace, or undefined: a path it reads lies above its folder,
 * where the mirror (of the flow's folder only) would not find it.
 */
export function workspaceProblem(analysis: FlowAnalysis): string | undefined {
  const { flow } = analysis;
  const reads: string[] = [];
  for (const step of flow.steps.values()) {
    reads.push(...step.deps.map((d) => d.value));
    if (step.sql) reads.push(step.sql.value);
    if (step.cwd && !step.cwd.value.includes('${')) reads.push(step.cwd.value);
  }
  for (const source of flow.sources.values()) for (const t of source.tables.values()) if (t.path && !t.path.value.includes('${') && !isUrl(t.path.value)) reads.push(t.path.value);
  const away = reads.find((p) => !isUrl(p) && !isWithin(path.resolve(flow.root, p), flow.root));
  return away ? `the flow reads '${away}', outside its folder ${flow.root}; a sweep mirrors only the flow's folder into each variant's workspace, so move it inside` : undefined;
}

/** Builds the scratch folder `dir` (replacing whatever is there) and returns the path of its flow file. */
export function prepareWorkspace(analysis: FlowAnalysis, dir: string): string {
  const { flow } = analysis;
  const outs = new Set<string>();
  const onTheWay = new Set<string>();
  for (const step of flow.steps.values()) {
    for (const out of declaredOutputs(step)) {
      const rel = path.relative(flow.root, path.resolve(flow.root, out));
      if (rel.split(path.sep)[0] === '.flowbench') continue;
      outs.add(rel);
      for (let d = path.dirname(rel); d !== '.'; d = path.dirname(d)) onTheWay.add(d);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const mirror = (rel: string) => {
    for (const name of fs.readdirSync(path.join(flow.root, rel))) {
      const entry = rel ? path.join(rel, name) : name;
      if (!rel && name === '.flowbench') continue;
      if (outs.has(entry)) continue;
      if (onTheWay.has(entry)) {
        fs.mkdirSync(path.join(dir, entry));
        mirror(entry);
      } else {
        fs.symlinkSync(path.join(flow.root, entry), path.join(dir, entry));
      }
    }
  };
  mirror('');
  for (const d of onTheWay) fs.mkdirSync(path.join(dir, d), { recursive: true });
  return path.join(dir, path.basename(flow.file));
}
