// Validate a generated 500-step flow: parse, read SQL files, build the graph, run every check.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFlow, hasErrors } from '../../core/flow/analyze';
import { writeLayeredFlow } from './generate';
import { atMost, percentile, runBench, size } from './harness';

const STEPS = size(500, 50);
const SAMPLES = size(60, 10);

runBench(async () => {
  const root = mkdtempSync(join(tmpdir(), 'flowbench-bench-flow-'));
  try {
    const file = writeLayeredFlow(root, STEPS);
    const text = readFileSync(file, 'utf8');
    const first = analyzeFlow(file, text);
    if (hasErrors(first.problems)) throw new Error(`generated flow is invalid: ${first.problems[0]!.message}`);
    // Each sample is an edit, as in the editor: a new text, so no cache keyed on the text answers.
    const edited = (i: number) => text.replace('lr: 0.1', `lr: 0.1${i}`);
    for (let i = 0; i < 10; i++) analyzeFlow(file, edited(i));
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const next = edited(10 + i);
      const t0 = performance.now();
      analyzeFlow(file, next);
      samples.push(performance.now() - t0);
    }
    const p50 = percentile(samples, 50);
    console.log(`validate ${STEPS}-step flow (${first.graph.edges.length} edges, ${text.length} bytes): p50 ${p50.toFixed(2)} ms, p95 ${percentile(samples, 95).toFixed(2)} ms (target p50 ≤ 15 ms) ${atMost(p50, 15)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
