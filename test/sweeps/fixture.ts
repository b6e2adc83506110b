// A small fast flow shaped like the example: two SQL steps upstream (real DuckDB), a training step whose
// model bytes depend on its params and on the features table, and an evaluation step reading the model.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const rows = Array.from({ length: 200 }, (_, i) => `${i},${(i * 37) % 101},${i % 7 === 0 ? 'a' : 'b'}`).join('\n');

export const FILES: Record<string, string> = {
  'mini.flow.yaml': `flow: mini
params:
  learning_rate: 0.01
  epochs: 2
  rows: 150
  delay_ms: 0
sources:
  raw:
    points: { path: data/points.csv }
steps:
  staging:
    sql: sql/staging.sql
  features:
    sql: sql/features.sql
  train:
    run: node steps/train.mjs --lr \${params.learning_rate} --epochs \${params.epochs}
    inputs: [features]
    deps: [steps/train.mjs]
    params: [delay_ms]
    outs: [models/model.bin]
    metrics: metrics/train.json
  evaluate:
    run: node steps/evaluate.mjs
    deps: [steps/evaluate.mjs, models/model.bin]
    metrics: metrics/eval.json
sweeps:
  grid8:
    grid:
      learning_rate: [0.001, 0.003]
      epochs: [1, 2, 3, 4]
`,
  'data/points.csv': `id,x,kind\n${rows}\n`,
  'sql/staging.sql': `SELECT id, x, kind FROM {{ source('raw', 'points') }} WHERE id < {{ params.rows }}\n`,
  'sql/features.sql': `SELECT id, x, x * x AS x2, kind = 'a' AS is_a FROM {{ ref('staging') }} ORDER BY id\n`,
  'steps/train.mjs': `import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const lr = Number(arg('--lr'));
const epochs = Number(arg('--epochs'));
const delay = Number(JSON.parse(process.env.FLOWBENCH_PARAMS).delay_ms);
const features = readFileSync(process.env.FLOWBENCH_INPUT_FEATURES);
if (delay) await new Promise((ok) => setTimeout(ok, delay));
mkdirSync('models', { recursive: true });
mkdirSync('metrics', { recursive: true });
const digest = createHash('sha256').update(features).update(\`lr=\${lr};epochs=\${epochs}\`).digest();
writeFileSync('models/model.bin', Buffer.concat([Buffer.from('MODEL1'), digest]));
writeFileSync('metrics/train.json', JSON.stringify({ loss: 1 / (1 + lr * epochs * 100) }));
`,
  'steps/evaluate.mjs': `import { readFileSync, writeFileSync } from 'node:fs';
const model = readFileSync('models/model.bin');
writeFileSync('metrics/eval.json', JSON.stringify({ score: model[10] / 255 }));
`,
};

/** A temp project with the fixture's files (and whatever `extra` adds); removed when the test ends. */
export function miniProject(t: { after: (fn: () => void) => void }, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-sweep-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries({ ...FILES, ...extra })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A second copy of a project's files, without its .flowbench/. */
export function copyProject(t: { after: (fn: () => void) => void }, from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-sweep-copy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(from, dir, { recursive: true, filter: (src) => !src.includes('.flowbench') });
  return dir;
}
