// One cold read for test/bench/mlflow.bench.ts, bundled by the bench with esbuild and run by plain `node`
// in a fresh process, as the CLI child the extension spawns would run: MLflow runs read, mapped to
// summaries and built into the experiments panel's RunTable. Prints one JSON line; `ms` and `cpu` count
// from the process's own start (performance.now(), process.cpuUsage()), bundle loading included.
// Usage: node mlflow-read.js file|sqlite URI CACHE_DIR|'' EXPECTED_RUNS [later]
// `later`: read as if a minute from now, as the index tests do: files changed just before this read are
// then not in the racy window, so the index keeps them and the next read finds nothing changed.
import { mlflowRunSet } from '../../core/mlflow/collect';
import { fileStoreReader } from '../../core/mlflow/file-store';
import { sqliteReader } from '../../core/mlflow/sqlite-store';
import { RunTable } from '../../core/runs/table';

async function main(): Promise<void> {
  const [kind, uri, cacheDir, expected, later] = process.argv.slice(2);
  const clock = later ? () => Date.now() + 60_000 : undefined;
  const reader = kind === 'sqlite' ? await sqliteReader(uri!) : fileStoreReader(uri!, uri!, { ...(cacheDir ? { cacheDir } : {}), ...(clock ? { clock } : {}) });
  const { summaries, notes } = await mlflowRunSet([reader]).load();
  const table = RunTable.fromSummaries(summaries);
  if (table.size !== Number(expected) || notes.length) throw new Error(`read ${table.size} runs, expected ${expected}; notes: ${notes.slice(0, 3).join('; ')}`);
  const c = process.cpuUsage();
  const stats = (reader as { lastRead?: object }).lastRead;
  console.log(JSON.stringify({ ms: performance.now(), cpu: (c.user + c.system) / 1000, ...stats }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
