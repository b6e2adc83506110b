// Lay out a generated 500-step flow (mixed SQL and run steps, fan-out and fan-in: generate-graph.ts) in the
// host, as the flow-graph panel does on open and on every change of the flow's shape. Target: ≤ 1 s.
// Baselines in the same run: analyzing the flow (parse, SQL files, graph, every check: what the panel has
// already paid for when it asks for a layout), and dagre on the same graph (what small graphs still use;
// graph-layout.ts), side by side with the layered layout big graphs get, with each drawing's edge
// crossings and size as the quality check. CPU time is printed too: on a loaded machine wall time measures
// the neighbours.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowGraphModel } from '../../core/analysis/flow-graph';
import { layoutGraph } from '../../core/analysis/graph-layout';
import type { LaidOutGraph } from '../../core/analysis/graph-types';
import { analyzeFlow } from '../../core/flow/analyze';
import { edgeCrossings } from '../helpers/edge-crossings';
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
    const engines = [
      ['layered', { layeredAbove: 0 }],
      ['dagre', { layeredAbove: Infinity }],
    ] as const;
    for (const [, options] of engines) layoutGraph(model.nodes, model.edges, options); // warm-up: JIT, not the figure
    const analyze: number[] = [];
    const runs = engines.map(() => ({ wall: [] as number[], cpu: [] as number[], graph: undefined as LaidOutGraph | undefined }));
    for (let i = 0; i < SAMPLES; i++) {
      analyze.push(timed(() => analyzeFlow(file, text.replace('flow: branching', `flow: branching${i}`))).wall);
      engines.forEach(([, options], k) => {
        const t = timed(() => layoutGraph(model.nodes, model.edges, options));
        runs[k]!.wall.push(t.wall);
        runs[k]!.cpu.push(t.cpu);
        runs[k]!.graph = t.value;
      });
    }
    const base = median(analyze);
    console.log(`flow → graph model (${model.nodes.length} nodes, ${model.edges.length} edges): ${timed(() => flowGraphModel(analysis)).wall.toFixed(1)} ms`);
    console.log(`baseline: analyze the ${STEPS}-step flow p50 ${base.toFixed(0)} ms`);
    engines.forEach(([name], k) => {
      const { wall, cpu, graph } = runs[k]!;
      console.log(
        `  ${name}: p50 ${median(wall).toFixed(0)} ms wall (${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)}), ${median(cpu).toFixed(0)} ms CPU, ` +
          `${(median(wall) / base).toFixed(1)}× the analysis; drawing ${Math.round(graph!.width)}×${Math.round(graph!.height)}, ${edgeCrossings(graph!)} edge crossings`,
      );
    });
    const [layered, dagre] = runs.map((r) => median(r.wall));
    console.log(`layout as the panel does it (${model.nodes.length} nodes → layered): p50 ${layered!.toFixed(0)} ms, ${(dagre! / layered!).toFixed(1)}× faster than dagre (target ≤ 1000 ms) ${atMost(layered!, 1000)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
