// Language server benchmarks, through a real LSP connection to dist/server.js:
//  (a) diagnostics latency, didChange → publishDiagnostics, for a 500-step flow and a 300-line SQL file;
//  (b) SQL syntax check time per file against `sqlfluff parse --dialect snowflake` on the same files
//      (the whole process a user would wait for), as a ratio.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkSqlSyntax } from '../../core/sql/syntax';
import { LspClient } from '../lsp/client';
import { percentile, verdict, writeLayeredFlow } from './generate';

const EDITS = 60;
/** Pause between edits, past the server's 50 ms batching interval: each edit is measured as a lone one. */
const PAUSE_MS = 70;
const FLOW_P50_TARGET = 15;
const SQL_P50_TARGET = 5;
const SQLFLUFF_RATIO_TARGET = 1000;
const TPCH = ['q01', 'q02', 'q05', 'q07', 'q09', 'q13', 'q18'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);

/** A 300-line analytical query: CTEs, joins, window functions, CASE, templates. */
function longQuery(): string {
  const lines = ['WITH base AS (', "  SELECT * FROM {{ ref('s0') }}", ')'];
  for (let i = 1; lines.length < 280; i++) {
    lines.push(
      `, step_${i} AS (`,
      `  SELECT id, value + ${i} AS value,`,
      `         row_number() OVER (PARTITION BY id ORDER BY value DESC) AS rn_${i},`,
      `         CASE WHEN value > ${i * 10} THEN 'high' ELSE 'low' END AS band_${i}`,
      `  FROM ${i === 1 ? 'base' : `step_${i - 1}`}`,
      `  WHERE value IS NOT NULL AND id <> ${i}`,
      ')',
    );
  }
  while (lines.length < 299) lines.push('-- filler comment to reach 300 lines');
  lines.push(`SELECT * FROM step_${Math.floor((lines.length - 3) / 7)} QUALIFY rn_1 = 1`);
  return lines.join('\n') + '\n';
}

async function latency(client: LspClient, file: string, texts: (i: number) => string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    await sleep(PAUSE_MS);
    const published = client.waitForDiagnostics(file);
    const started = performance.now();
    client.change(file, texts(i));
    await published;
    samples.push(performance.now() - started);
  }
  return samples.slice(5); // the first edits warm up the JIT and the parser
}

async function lspLatency(): Promise<boolean> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-lsp-bench-'));
  const client = await LspClient.start([root]);
  try {
    const flow = writeLayeredFlow(root, 500);
    const sqlFile = path.join(root, 'sql', 's5.sql');
    const flowText = fs.readFileSync(flow, 'utf8');
    const query = longQuery();
    fs.writeFileSync(sqlFile, query);

    client.open(flow, flowText);
    await client.waitForDiagnostics(flow);
    const flowSamples = await latency(client, flow, (i) => flowText.replace('lr: 0.1', `lr: 0.1${i}`));

    client.open(sqlFile, query);
    await client.waitForDiagnostics(sqlFile);
    // Each edit changes the text so the syntax cache never answers: every sample is a real parse.
    const sqlSamples = await latency(client, sqlFile, (i) => query.replace('value + 1 AS', `value + ${1000 + i} AS`));
    const diagnostics = client.diagnostics.get(new URL(`file://${sqlFile}`).href) ?? [];
    if (diagnostics.length > 0) throw new Error(`the benchmark query should be valid: ${JSON.stringify(diagnostics)}`);

    const flowP50 = percentile(flowSamples, 50);
    const sqlP50 = percentile(sqlSamples, 50);
    console.log(`lsp diagnostics 500-step flow: p50 ${fmt(flowP50)} ms, p95 ${fmt(percentile(flowSamples, 95))} ms (target p50 ≤ ${FLOW_P50_TARGET} ms) ${verdict(flowP50, FLOW_P50_TARGET)}`);
    console.log(`lsp diagnostics 300-line SQL:  p50 ${fmt(sqlP50)} ms, p95 ${fmt(percentile(sqlSamples, 95))} ms (target p50 ≤ ${SQL_P50_TARGET} ms) ${verdict(sqlP50, SQL_P50_TARGET)}`);
    return flowP50 <= FLOW_P50_TARGET && sqlP50 <= SQL_P50_TARGET;
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function againstSqlfluff(): Promise<boolean> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-sqlfluff-'));
  try {
    const files = [path.join(dir, 'long_query.sql')];
    fs.writeFileSync(files[0]!, longQuery().replace(/\{\{[^}]*\}\}/g, 'base_table'));
    for (const q of TPCH) {
      const file = path.join(dir, `${q}.sql`);
      fs.copyFileSync(path.join(__dirname, '..', 'lsp', 'corpus', 'tpch', `${q}.sql`), file);
      files.push(file);
    }
    const probe = spawnSync('sqlfluff', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      console.log('sqlfluff is NOT installed: cannot measure the ratio. Install it with `apt-get install -y sqlfluff` (Debian package, 1.4.5).');
      return false;
    }
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const runs: number[] = [];
      for (let i = 0; i < 21; i++) {
        // A unique comment defeats the cache: each run parses.
        const started = performance.now();
        const problems = await checkSqlSyntax(`${text}\n-- run ${i} ${Math.random()}`, 'duckdb');
        runs.push(performance.now() - started);
        if (problems.length > 0) throw new Error(`${path.basename(file)} should parse: ${problems[0]!.message}`);
      }
      ours.push(percentile(runs, 50));
      const started = performance.now();
      spawnSync('sqlfluff', ['parse', '--dialect', 'snowflake', file], { stdio: 'ignore' });
      theirs.push(performance.now() - started);
    }
    const oursMs = percentile(ours, 50);
    const theirsMs = percentile(theirs, 50);
    const ratio = theirsMs / oursMs;
    console.log(`SQL syntax check per file (${files.length} files, median): flowbench ${fmt(oursMs)} ms, sqlfluff parse --dialect snowflake ${fmt(theirsMs)} ms`);
    console.log(`  ratio ${Math.round(ratio)}× faster (target ≥ ${SQLFLUFF_RATIO_TARGET}×) ${ratio >= SQLFLUFF_RATIO_TARGET ? 'OK' : 'MISSED'}`);
    return ratio >= SQLFLUFF_RATIO_TARGET;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const latencyOk = await lspLatency();
  const ratioOk = await againstSqlfluff();
  process.exit(latencyOk && ratioOk ? 0 : 1);
}

void main();
