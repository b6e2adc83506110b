// Engine benchmarks, each against a baseline measured in the same run:
//  (a) cold and warm `flowStatus` of a 200-step flow over 2,000 dep files (~1 GB) vs `md5sum` of the same files;
//  (b) a 1,000-step chain of trivial commands through runFlow vs spawning the same commands bare.
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runProcess } from '../../core/engine/process';
import { runFlow } from '../../core/engine/runner';
import { flowStatus } from '../../core/engine/status';

const STEPS = 200;
const FILES = 2000;
const TOTAL_BYTES = 1 << 30;
const CHAIN = 1000;
const REPEATS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function verdict(ok: boolean): string {
  return ok ? 'OK' : 'MISSED';
}

/** 2,000 files of random bytes, sizes spread around 512 KiB so the total is ~1 GiB, and a flow over them. */
function generateStatusFlow(dir: string): { flowFile: string; files: string[] } {
  const files: string[] = [];
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (let i = 0; i < FILES; i++) {
    const size = Math.round((TOTAL_BYTES / FILES) * (0.5 + ((i * 7919) % FILES) / FILES));
    const rel = `data/part-${String(i).padStart(4, '0')}.bin`;
    randomFillSync(buffer, 0, size);
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), buffer.subarray(0, size));
    files.push(rel);
  }
  const perStep = FILES / STEPS;
  let yaml = 'flow: status-bench\nparams: { lr: 0.1 }\nsteps:\n';
  for (let s = 0; s < STEPS; s++) {
    yaml += `  s${s}:\n    run: echo \${params.lr} > out/s${s}.txt\n    deps:\n`;
    for (const f of files.slice(s * perStep, (s + 1) * perStep)) yaml += `      - ${f}\n`;
    if (s > 0 && s % 10 !== 0) yaml += `    needs: [s${s - 1}]\n`;
    yaml += `    outs: [out/s${s}.txt]\n`;
  }
  const flowFile = path.join(dir, 'bench.flow.yaml');
  fs.writeFileSync(flowFile, yaml);
  return { flowFile, files };
}

async function benchStatus(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-bench-status-'));
  try {
    const { flowFile, files } = generateStatusFlow(dir);
    const bytes = files.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    const statCache = path.join(dir, '.flowbench', 'statcache.json');
    const md5 = () => {
      const r = spawnSync('md5sum', files, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error('md5sum failed');
    };
    md5(); // both sides then read from a warm page cache
    const md5Times: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      md5Times.push(await timed(md5));
      fs.rmSync(statCache, { force: true });
      cold.push(await timed(() => flowStatus(flowFile)));
      warm.push(await timed(() => flowStatus(flowFile)));
    }
    const status = await flowStatus(flowFile);
    if (status.steps.size !== STEPS || [...status.steps.values()].some((s) => s.state !== 'never-run')) throw new Error('unexpected status');
    const m = median(md5Times);
    const c = median(cold);
    const w = median(warm);
    console.log(`status of ${STEPS} steps over ${FILES} files (${(bytes / 2 ** 30).toFixed(2)} GiB), page cache warm for both sides, median of ${REPEATS}:`);
    console.log(`  md5sum of the same files: ${m.toFixed(0)} ms`);
    console.log(`  cold status (no stat cache): ${c.toFixed(0)} ms = ${(c / m).toFixed(2)}x md5sum (target ≤ 1.2x) ${verdict(c / m <= 1.2)}`);
    console.log(`  warm status: ${w.toFixed(0)} ms (target ≤ 300 ms) ${verdict(w <= 300)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function spawnBare(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

async function benchChain(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-bench-chain-'));
  try {
    let yaml = 'flow: chain-bench\nsteps:\n';
    for (let i = 0; i < CHAIN; i++) yaml += `  c${i}:\n    run: "true"\n${i ? `    needs: [c${i - 1}]\n` : ''}`;
    const flowFile = path.join(dir, 'chain.flow.yaml');
    fs.writeFileSync(flowFile, yaml);
    const bare: number[] = [];
    const processLayer: number[] = [];
    const engine: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      bare.push(await timed(async () => {
        for (let s = 0; s < CHAIN; s++) await spawnBare('true');
      }));
      processLayer.push(await timed(async () => {
        for (let s = 0; s < CHAIN; s++) await runProcess({ command: 'true', cwd: dir, env: process.env, onLine: () => {} });
      }));
      engine.push(await timed(async () => {
        const r = await runFlow({ flowFile, force: true });
        if (r.status !== 'succeeded' || r.steps.size !== CHAIN) throw new Error(`chain run ${r.status}: ${r.message ?? ''}`);
      }));
    }
    const b = median(bare);
    const p = median(processLayer);
    const e = median(engine);
    const overhead = (e / b - 1) * 100;
    console.log(`${CHAIN}-step chain of \`true\`, median of ${REPEATS}:`);
    console.log(`  bare /bin/sh -c spawns, sequential: ${b.toFixed(0)} ms (${(b / CHAIN).toFixed(2)} ms/step)`);
    console.log(`  the same through the engine's process layer alone (own process group, output piped): ${p.toFixed(0)} ms (+${((p / b - 1) * 100).toFixed(1)}%)`);
    console.log(`  runFlow: ${e.toFixed(0)} ms (${(e / CHAIN).toFixed(2)} ms/step), overhead ${overhead.toFixed(1)}% (target ≤ 20%) ${verdict(overhead <= 20)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  // Both sides of each ratio share the machine; a busy one (other suites running) inflates spawn times most.
  console.log(`load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`);
  // The chain goes first: forking costs grow with this process's memory, which hashing 1 GB inflates.
  await benchChain();
  await benchStatus();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
