// The MLflow side of `flowbench runs`: `--source mlflow [--mlflow URI]` lists MLflow's runs (read-only)
// through the same table as Flowbench's own, `flowbench show mlflow:ID` prints one with its histories, and
// `runs export --mlflow URL|DIR [RUN...]` writes Flowbench runs into MLflow. The token for a server comes
// from MLFLOW_TRACKING_TOKEN, as MLflow's own client takes it.
import { basename, dirname, join } from 'node:path';
import { mlflowRunSet, type MlflowRunSet } from '../../mlflow/collect';
import { exportToServer, type ExportOutcome } from '../../mlflow/export';
import { exportToFolder } from '../../mlflow/file-store-write';
import { findTrackingLocations, parseTrackingUri, type TrackingLocation } from '../../mlflow/locate';
import { openReader } from '../../mlflow/open';
import { CLI_TOKEN_HINT, MlflowRest } from '../../mlflow/rest';
import { AmbiguousRunIdError } from '../../runs/store';
import type { RunRecord, RunSummary } from '../../runs/types';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { loadFlowOrExplain } from '../load';
import { line, nonFinite, type Output } from '../output';
import { serveMlflow } from '../../mlflow/reader-service';
import { openStoreFor } from '../run-store';

const REST = () => ({ token: process.env.MLFLOW_TRACKING_TOKEN || undefined, tokenHint: CLI_TOKEN_HINT });

function locations(explicit: string | undefined): TrackingLocation[] {
  const found = findTrackingLocations({ explicit, folders: [process.cwd()] });
  if (found.length === 0) {
    throw new UsageError('no MLflow runs to read here: MLFLOW_TRACKING_URI is not set and there is no ./mlruns or ./mlflow.db', 'name one with --mlflow URI (http://host:5000, a folder, or sqlite:///mlflow.db)', 'runs');
  }
  return found;
}

// An mlruns/ folder's parsed runs are indexed in the project's state folder (core/mlflow/file-store-index.ts).
const cacheDir = () => join(process.cwd(), '.flowbench', 'mlflow');

async function runSet(explicit: string | undefined): Promise<{ set: MlflowRunSet; where: string }> {
  const found = locations(explicit);
  const readers = await Promise.all(found.map((l) => openReader(l, REST(), { cacheDir: cacheDir() })));
  return { set: mlflowRunSet(readers), where: found.map((l) => l.uri).join(' and ') };
}

export async function loadMlflowRuns(explicit: string | undefined, o: Output): Promise<{ summaries: RunSummary[]; where: string }> {
  const { set, where } = await runSet(explicit);
  const { summaries, notes } = await set.load();
  for (const note of notes) line(o.err, `flowbench: warning: ${note}`);
  return { summaries, where };
}

/**
 * `flowbench show mlflow:ID... [--mlflow URI]`: the records with their histories, those found, in the order
 * asked (the editor asks for a compare view's selection in one call).
 */
export async function mlflowRecords(ids: string[], explicit: string | undefined): Promise<RunRecord[]> {
  const { set } = await runSet(explicit);
  return set.records(ids);
}

/** `flowbench runs --source mlflow --mlflow URI --serve`: the panel's long-lived reader of one location (core/mlflow/reader-service.ts). */
export async function serveMlflowRuns(explicit: string | undefined): Promise<number> {
  const [location, ...more] = locations(explicit);
  if (more.length) throw new UsageError('--serve reads one tracking location', 'name it with --mlflow URI', 'runs');
  const reader = await openReader(location!, REST(), { cacheDir: cacheDir() });
  await serveMlflow(location!, reader, { cacheDir: cacheDir(), input: process.stdin, write: (text) => process.stdout.write(text + '\n'), replacer: nonFinite });
  return EXIT.ok;
}

export async function exportAction(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('runs', args, { mlflow: { type: 'string' }, flow: { type: 'string' }, json: { type: 'boolean' } }, Infinity);
  if (!values.mlflow) throw new UsageError('where to? --mlflow URL|DIR is missing', 'e.g. flowbench runs export --mlflow http://127.0.0.1:5000, or --mlflow ./mlruns', 'runs');
  const target = parseTrackingUri(values.mlflow, process.cwd());
  if (target.kind === 'sqlite') throw new UsageError('export writes to a tracking server or an mlruns/ folder, not to a database file', `serve it (mlflow server --backend-store-uri ${target.uri}) and export to its URL`, 'runs');
  const file = resolveFlowFile(values.flow);
  const flow = loadFlowOrExplain(file, o, { allowErrors: true }).flow;
  const { store } = await openStoreFor(dirname(file), o);
  const records: RunRecord[] = [];
  if (positionals.length === 0) {
    for (const s of await store.list({ flow: flow.name?.value ?? basename(flow.file) })) {
      const record = await store.get(s.id);
      if (record) records.push(record);
    }
  } else {
    for (const prefix of positionals) {
      let record: RunRecord | undefined;
      try {
        record = await store.get(prefix);
      } catch (err) {
        if (err instanceof AmbiguousRunIdError) throw new UsageError(err.message, 'type more of the id', 'runs');
        throw err;
      }
      if (!record) throw new UsageError(`no run '${prefix}' is recorded for this flow`, 'list runs with flowbench runs', 'runs');
      records.push(record);
    }
  }
  let outcomes: ExportOutcome[];
  outcomes = target.kind === 'rest' ? await exportToServer(new MlflowRest(target.url, REST()), records) : await exportToFolder(target.dir, records);
  if (values.json) {
    line(o.out, JSON.stringify(outcomes, null, 2));
    return EXIT.ok;
  }
  for (const r of outcomes) {
    const what = r.result === 'exported' ? `exported as MLflow run ${r.mlflowRunId}` : r.result === 'present' ? `already in MLflow as run ${r.mlflowRunId}; left alone` : 'not exported';
    line(o.out, `${r.id}: ${what}${r.note ? ` (${r.note})` : ''}`);
  }
  const count = (result: ExportOutcome['result']) => outcomes.filter((r) => r.result === result).length;
  line(o.out, `${count('exported')} exported, ${count('present')} already there, ${count('skipped')} skipped → ${target.uri}`);
  return EXIT.ok;
}
