// 10,000 mutated flow and SQL documents through the real server: it must never crash, never hang, never
// log a handler failure, and answer every request. A request counts as hung past 10 s: far beyond the
// ~12 ms p50 this prints, so machine load cannot fail it; how fast the server answers is lsp.bench.ts's job.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { LspClient, uri } from './client';
import { FEATURES_SQL, FLOW, makeProject, SUMMARY_SQL } from './fixture';
import { huge, int, mutate, pick, seeded } from './mutate';

const DOCUMENTS = 10_000;
const HUGE_DOCUMENTS = 4;
const HUGE_SIZE = 5 * 1024 * 1024;
const HUNG_MS = 10_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

const REQUESTS = [
  'textDocument/completion',
  'textDocument/hover',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/documentSymbol',
  'textDocument/codeLens',
  'textDocument/codeAction',
  'textDocument/prepareRename',
  'textDocument/rename',
] as const;

test(`fuzz: ${DOCUMENTS} mutated documents, every request answered, none hung`, { timeout: 300_000 }, async () => {
  const rnd = seeded(SEED);
  const example = path.resolve(__dirname, '../../examples/flight-delays/flight-delays.flow.yaml');
  const flowSeeds = [FLOW, ...(fs.existsSync(example) ? [fs.readFileSync(example, 'utf8')] : [])];
  const corpus = path.join(__dirname, 'corpus');
  const sqlSeeds = [FEATURES_SQL, SUMMARY_SQL, ...['tpch/q02.sql', 'tpch/q15.sql', 'duckdb/templated_features.sql', 'duckdb/window_functions.sql'].map((f) => fs.readFileSync(path.join(corpus, f), 'utf8'))];

  const project = makeProject();
  const client = await LspClient.start([project.root]);
  const files = { flow: project.flow, sql: [project.features, project.summary] };
  const current = new Map<string, string>([[files.flow, FLOW], [project.features, FEATURES_SQL], [project.summary, SUMMARY_SQL]]);
  for (const [file, text] of current) client.open(file, text);
  // The clock starts once the server has answered a first request on each open file: start-up (the first
  // analysis, loading DuckDB for the SQL check) is not the latency of a request. A valid file may get no
  // diagnostics at all, so an answer, not a publication, is the sign.
  for (const file of current.keys()) await client.request('textDocument/documentSymbol', { textDocument: { uri: uri(file) } });

  const latencies: number[] = [];
  let slowest = { ms: 0, method: '', size: 0 };
  const hugeAt = new Set(Array.from({ length: HUGE_DOCUMENTS }, (_, i) => Math.floor(((i + 0.5) * DOCUMENTS) / HUGE_DOCUMENTS)));
  try {
    for (let n = 0; n < DOCUMENTS; n++) {
      const isFlow = rnd() < 0.5;
      const file = isFlow ? files.flow : pick(rnd, files.sql);
      const seed = isFlow ? pick(rnd, flowSeeds) : pick(rnd, sqlSeeds);
      // Half the time keep mutating the current text, so documents drift far from anything valid.
      const base = rnd() < 0.5 ? current.get(file)! : seed;
      const text = hugeAt.has(n) ? huge(seed, HUGE_SIZE, rnd) : mutate(base.length > 200_000 ? seed : base, rnd);
      current.set(file, text);
      client.change(file, text);

      const lines = text.split('\n');
      const line = int(rnd, lines.length + 2);
      const position = { line, character: int(rnd, (lines[line]?.length ?? 5) + 3) };
      const method = pick(rnd, REQUESTS);
      const params = {
        textDocument: { uri: uri(file) },
        position,
        range: { start: position, end: position },
        context: { diagnostics: [...(client.diagnostics.get(uri(file)) ?? [])].slice(0, 3), includeDeclaration: true },
        newName: pick(rnd, ['renamed', 'x', '9bad', '😀']),
      };
      const started = performance.now();
      await client.request(method, params).catch((e: Error) => {
        // A refused rename is an answer; anything else is a server fault.
        if (method !== 'textDocument/rename') throw e;
      });
      const ms = performance.now() - started;
      latencies.push(ms);
      if (ms > slowest.ms) slowest = { ms, method, size: text.length };
      assert.equal(client.exited, undefined, `server exited at document ${n}: ${client.stderr}`);
    }

    // Still alive and still right: valid text gets its usual diagnostics back.
    client.change(files.flow, FLOW.replace('needs: [train]', 'needs: [trian]'));
    await client.waitForDiagnostics(files.flow, (d) => d.some((x) => x.code === 'FB020'));
    client.change(project.summary, 'SELECT FROM WHERE\n');
    await client.waitForDiagnostics(project.summary, (d) => d.some((x) => x.code === 'FB601'));
  } finally {
    await client.stop();
    project.cleanup();
  }
  latencies.sort((a, b) => a - b);
  const p50 = latencies[Math.floor(latencies.length / 2)]!;
  console.log(`fuzz seed ${SEED}: ${latencies.length} requests, p50 ${p50.toFixed(2)} ms, max ${slowest.ms.toFixed(1)} ms (${slowest.method}, ${slowest.size} chars)`);
  assert.equal(latencies.length, DOCUMENTS);
  assert.ok(slowest.ms < HUNG_MS, `a request hung: the slowest took ${slowest.ms.toFixed(0)} ms: ${slowest.method} on ${slowest.size} chars`);
  assert.doesNotMatch(client.stderr, /failed:/, 'no handler threw');
});
