// Language server benchmarks, through a real LSP connection to dist/server.js:
//  (a) diagnostics latency, didChange → publishDiagnostics, for a 500-step flow and a 300-line SQL file;
//  (b) SQL syntax check time per file against `sqlfluff parse --dialect snowflake` on the same files: the
//      whole process a user would wait for, and sqlfluff's own lexing + parsing time (its `--bench` output).
//      A sqlfluff that fails (exit status) fails the benchmark; one that is not installed is said so.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkSqlSyntax } from '../../core/sql/syntax';
import { LspClient } from '../lsp/client';
import { writeLayeredFlow } from './generate';
import { atMost, median, percentile, QUICK, runBench, size, verdict } from './harness';

const EDITS = size(60, 15);
const FLOW_STEPS = size(500, 50);
const OUR_RUNS = size(21, 3);
/** Pause between edits, past the server's 50 ms batching interval: each edit is measured as a lone one. */
const PAUSE_MS = 70;
const FLOW_P50_TARGET = 15;
const SQL_P50_TARGET = 5;
const SQLFLUFF_RATIO_TARGET = 1000;
const TPCH = size(['q01', 'q02', 'q05', 'q07', 'q09', 'q13', 'q18'], ['q01']);

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
  return samples.slice(QUICK ? 2 : 5); // the first edits warm up the JIT and the parser
}

async function lspLatency(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-lsp-bench-'));
  const client = await LspClient.start([root]);
  try {
    const flow = writeLayeredFlow(root, FLOW_STEPS);
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
    console.log(`lsp diagnostics ${FLOW_STEPS}-step flow: p50 ${fmt(flowP50)} ms, p95 ${fmt(percentile(flowSamples, 95))} ms (target p50 ≤ ${FLOW_P50_TARGET} ms) ${atMost(flowP50, FLOW_P50_TARGET)}`);
    console.log(`lsp diagnostics 300-line SQL:  p50 ${fmt(sqlP50)} ms, p95 ${fmt(percentile(sqlSamples, 95))} ms (target p50 ≤ ${SQL_P50_TARGET} ms) ${atMost(sqlP50, SQL_P50_TARGET)}`);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

interface SqlfluffRun {
  /** The whole process, as a user waits for it. */
  processMs: number;
  /** sqlfluff's own figures from `--bench` (it prints seconds with two decimals: 10 ms resolution). */
  clockMs: number;
  lexParseMs: number;
}

/** One `sqlfluff parse --bench` of a file; a parse failure or a crash is a broken benchmark, not a figure. */
function sqlfluffParse(file: string): SqlfluffRun {
  const started = performance.now();
  const res = spawnSync('sqlfluff', ['parse', '--dialect', 'snowflake', '--bench', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const processMs = performance.now() - started;
  if (res.status !== 0) {
    const said = `${res.stderr ?? ''}${res.stdout ?? ''}`.split('\n').filter((l) => /error|unparsable|PRS/i.test(l)).slice(0, 5).join('\n');
    throw new Error(`sqlfluff parse ${path.basename(file)} exited with ${res.status ?? res.signal}${said ? `:\n${said}` : ''}`);
  }
  const seconds = (section: string) => {
    const m = new RegExp(`=== ${section} ===\\s+cnt:\\s+\\d+\\s+sum:\\s+([\\d.]+)`).exec(res.stdout);
    if (!m) throw new Error(`sqlfluff --bench printed no ${section} timing`);
    return Number(m[1]) * 1000;
  };
  const clock = /Clock time:\s+([\d.]+)/.exec(res.stdout);
  if (!clock) throw new Error('sqlfluff --bench printed no clock time');
  return { processMs, clockMs: Number(clock[1]) * 1000, lexParseMs: seconds('lexing') + seconds('parsing') };
}

async function againstSqlfluff(): Promise<void> {
  const probe = spawnSync('sqlfluff', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const message = 'sqlfluff is NOT installed, so the comparison with it was not measured. Install it with `apt-get install -y sqlfluff` (Debian package, 1.4.5).';
    if (QUICK) return console.log(`${message} Skipped in quick mode.`);
    throw new Error(message);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-sqlfluff-'));
  try {
    const files: string[] = [];
    // sqlfluff takes seconds over the long query: quick mode leaves it out.
    if (!QUICK) {
      files.push(path.join(dir, 'long_query.sql'));
      fs.writeFileSync(files[0]!, longQuery().replace(/\{\{[^}]*\}\}/g, 'base_table'));
    }
    for (const q of TPCH) {
      const file = path.join(dir, `${q}.sql`);
      fs.copyFileSync(path.join(__dirname, '..', 'lsp', 'corpus', 'tpch', `${q}.sql`), file);
      files.push(file);
    }
    const ours: number[] = [];
    const theirs: SqlfluffRun[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const runs: number[] = [];
      for (let i = 0; i < OUR_RUNS; i++) {
        // A unique comment defeats the cache: each run parses.
        const started = performance.now();
        const problems = await checkSqlSyntax(`${text}\n-- run ${i} ${Math.random()}`, 'duckdb');
        runs.push(performance.now() - started);
        if (problems.length > 0) throw new Error(`${path.basename(file)} should parse: ${problems[0]!.message}`);
      }
      ours.push(percentile(runs, 50));
      theirs.push(sqlfluffParse(file));
    }
    const oursMs = median(ours);
    const processMs = median(theirs.map((r) => r.processMs));
    const lexParseMs = median(theirs.map((r) => r.lexParseMs));
    const clockMs = median(theirs.map((r) => r.clockMs));
    const ratio = processMs / oursMs;
    console.log(`SQL syntax check per file (${files.length} files, median): flowbench ${fmt(oursMs)} ms (DuckDB's parser, in process)`);
    console.log(`  sqlfluff parse --dialect snowflake, whole process: ${fmt(processMs)} ms → ${Math.round(ratio)}× ours (target ≥ ${SQLFLUFF_RATIO_TARGET}×) ${verdict(ratio >= SQLFLUFF_RATIO_TARGET)}`);
    console.log(`  sqlfluff's own --bench figures: lexing + parsing ${fmt(lexParseMs)} ms (${Math.round(lexParseMs / oursMs)}× ours), clock ${fmt(clockMs)} ms; the rest of its process is Python start-up and imports`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench(async () => {
  await lspLatency();
  await againstSqlfluff();
});
