// Flowbench runs into an mlruns/ folder, in the layout MLflow's file store reads (see file-store.ts). A run
// is written into a hidden temp folder of its experiment and renamed into place once complete, so a reader
// (or a second export) never sees half a run; a run whose tags/flowbench.run_id names the record is
// already there and is left alone.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import type { RunRecord } from '../runs/types';
import { exportContent, mlflowStatus, type ExportOutcome } from './export';
import { NUMBER_BY_STATUS, TAG } from './model';

/** MLflow's SourceType.LOCAL. */
const SOURCE_LOCAL = 4;

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

async function readMeta(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const meta: unknown = parse(await readFile(path, 'utf8'));
    return meta && typeof meta === 'object' ? (meta as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function dirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch {
    return [];
  }
}

export async function exportToFolder(rootArg: string, records: RunRecord[]): Promise<ExportOutcome[]> {
  const root = resolve(rootArg);
  await mkdir(root, { recursive: true });
  const experiments = new Map<string, string>();
  for (const name of await dirs(root)) {
    const meta = await readMeta(join(root, name, 'meta.yaml'));
    if (meta && meta.lifecycle_stage !== 'deleted' && typeof meta.name === 'string') experiments.set(meta.name, String(meta.experiment_id ?? name));
  }
  const experimentDir = async (flow: string) => {
    let id = experiments.get(flow);
    if (id === undefined) {
      const taken = (await dirs(root)).map(Number).filter(Number.isInteger);
      id = String(Math.max(0, ...taken) + 1);
      const now = Date.now();
      await mkdir(join(root, id), { recursive: true });
      await writeFile(join(root, id, 'meta.yaml'), stringify({ artifact_location: pathToFileURL(join(root, id)).href, creation_time: now, experiment_id: id, last_update_time: now, lifecycle_stage: 'active', name: flow }));
      experiments.set(flow, id);
    }
    return { id, dir: join(root, id) };
  };
  const outcomes: ExportOutcome[] = [];
  for (const record of records) {
    const status = mlflowStatus(record.status);
    if (!status) {
      outcomes.push({ id: record.id, result: 'skipped', note: 'still running; export it once it ended' });
      continue;
    }
    const exp = await experimentDir(record.flow);
    let present: string | undefined;
    for (const run of await dirs(exp.dir)) {
      const tag = await readFile(join(exp.dir, run, 'tags', TAG.runId), 'utf8').catch(() => undefined);
      if (tag === record.id) present = run;
    }
    if (present) {
      outcomes.push({ id: record.id, result: 'present', mlflowRunId: present });
      continue;
    }
    const runId = randomUUID().replace(/-/g, '');
    const temp = join(exp.dir, `.flowbench-export-${runId}`);
    const content = exportContent(record);
    const write = async (path: string, text: string) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    };
    try {
      for (const [key, value] of Object.entries(content.params)) await write(join(temp, 'params', key), value);
      for (const [key, value] of Object.entries(content.tags)) await write(join(temp, 'tags', key), value);
      const lines = new Map<string, string[]>();
      for (const m of content.metrics) {
        const list = lines.get(m.key) ?? [];
        list.push(`${m.timestamp} ${numberText(m.value)} ${m.step}\n`);
        lines.set(m.key, list);
      }
      for (const [key, list] of lines) await write(join(temp, 'metrics', key), list.join(''));
      await mkdir(join(temp, 'artifacts'), { recursive: true });
      await write(join(temp, 'meta.yaml'), stringify({
        artifact_uri: pathToFileURL(join(exp.dir, runId, 'artifacts')).href,
        end_time: Math.round(record.end ?? record.updated ?? record.start),
        entry_point_name: '',
        experiment_id: exp.id,
        lifecycle_stage: 'active',
        run_id: runId,
        run_name: record.id,
        run_uuid: runId,
        source_name: '',
        source_type: SOURCE_LOCAL,
        source_version: record.code.commit ?? '',
        start_time: Math.round(record.start),
        status: NUMBER_BY_STATUS[status],
        tags: [],
        user_id: process.env.USER ?? '',
      }));
      await rename(temp, join(exp.dir, runId));
    } catch (err) {
      if (existsSync(temp)) await rm(temp, { recursive: true, force: true });
      throw err;
    }
    outcomes.push({ id: record.id, result: 'exported', mlflowRunId: runId, ...(content.notes.length ? { note: content.notes.join('; ') } : {}) });
  }
  return outcomes;
}
