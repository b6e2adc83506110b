// Lay out a generated 500-step flow (mixed SQL and run steps, fan-out and fan-in: generate-graph.ts) in the
// host, as the flow-graph panel does on open and on every change of the flow's shape. Target: ≤ 1 s.
// Baseline in the same run: analyzing the flow (parse, SQL files, graph, every check: what the panel has
// already paid for when it asks for a layout). CPU time is printed too: on a loaded machine wall time
// measures the neighbours.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowGraphModel } from '../../core/analysis/flow-graph';
import { layoutGraph } from '../../core/analysis/graph-layout';
import { analyzeFlow } from '../../core/flow/analyze';
import { writeBranchingFlow } from './generate-graph';
import { atMost, median, runBench, size } from './harness';

const STEPS = size(500, 40);
const SAMPLES = size(5, 2);

function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, wall, cpu: (cpu.user + cpu.system) / 1000 };
}

runBench(async () => {
  const root = mkdtempSync(join(tmpdir(), 'flowbench-bench-graph-'));
  try {
    const file = writeBranchingFlow(root, STEPS);
    const text = readFileSync(file, 'utf8');
    const analysis = analyzeFlow(file, text);
    const model = flowGraphModel(analysis);
    layoutGraph(model.nodes, model.edges); // warm-up: JIT, not the figure
    const analyze: number[] = [];
    const layout: number[] = [];
    const layoutCpu: number[] = [];
    let size = { width: 0, height: 0 };
    for (let i = 0; i < SAMPLES; i++) {
      analyze.push(timed(() => analyzeFlow(file, text.replace('flow: branching', `flow: branching${i}`))).wall);
      const t = timed(() => layoutGraph(model.nodes, model.edges));
      layout.push(t.wall);
      layoutCpu.push(t.cpu);
      size = t.value;
    }
    const p50 = median(layout);
    const base = median(analyze);
    console.log(`flow → graph model (${model.nodes.length} nodes, ${model.edges.length} edges): ${timed(() => flowGraphModel(analysis)).wall.toFixed(1)} ms`);
    console.log(`baseline: analyze the ${STEPS}-step flow p50 ${base.toFixed(0)} ms`);
    console.log(
      `layout (dagre, tight-tree ranking): p50 ${p50.toFixed(0)} ms wall, ${median(layoutCpu).toFixed(0)} ms CPU, ${(p50 / base).toFixed(1)}× the analysis; ` +
        `drawing ${Math.round(size.width)}×${Math.round(size.height)} (target ≤ 1000 ms) ${atMost(p50, 1000)}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
