// A small but complete flow project on disk, in a fresh temp folder per test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FLOW = `flow: demo
description: Fixture flow for language server tests
params:
  learning_rate: 0.1
  epochs: 20
  unused_knob: 3
warehouse: local
sources:
  raw:
    flights: { path: data/flights.csv }
steps:
  features:
    sql: sql/features.sql
    materialize: table
  summary:
    sql: sql/summary.sql
  train:
    run: node steps/train.mjs --lr \${params.learning_rate} --epochs \${params.epochs}
    inputs: [features]
    deps: [steps/train.mjs]
    outs: [models/model.onnx]
  evaluate:
    run: node steps/evaluate.mjs
    needs: [train]
    deps: [models/model.onnx]
`;

export const FEATURES_SQL = `-- delayed flights — über wide
SELECT origin, dest, delay
FROM {{ source('raw', 'flights') }}
WHERE delay > 0
`;

export const SUMMARY_SQL = `SELECT origin, count(*) AS n
FROM {{ ref('features') }}
GROUP BY origin
`;

export interface Project {
  root: string;
  flow: string;
  features: string;
  summary: string;
  cleanup(): void;
}

export function makeProject(files: Record<string, string> = {}): Project {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-lsp-'));
  const all: Record<string, string> = {
    'demo.flow.yaml': FLOW,
    'sql/features.sql': FEATURES_SQL,
    'sql/summary.sql': SUMMARY_SQL,
    'steps/train.mjs': 'console.log("train")\n',
    'steps/evaluate.mjs': 'console.log("evaluate")\n',
    'data/flights.csv': 'origin,dest,delay\nSFO,LAX,5\n',
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return {
    root,
    flow: path.join(root, 'demo.flow.yaml'),
    features: path.join(root, 'sql/features.sql'),
    summary: path.join(root, 'sql/summary.sql'),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
