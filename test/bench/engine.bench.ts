// Engine benchmarks, each against a baseline measured in the same run:
//  (a) a 1,000-step chain of trivial commands through runFlow vs spawning the same commands bare;
//  (b) `flowbench status` of a 200-step flow over 2,000 dep files (~1 GiB), cold (no stat cache) in a fresh
//      CLI process, vs the hash limit at equal parallelism: the machine's SHA-256 throughput per core
//      (`openssl speed -evp sha256`, SHA-NI where the CPU has it) times the cores status hashes on; with
//      `md5sum` on the same cores beside it (coreutils `sha256sum` is several times slower than the limit).
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runProcess } from '../../core/engine/process';
import { runFlow } from '../../core/engine/runner';
import { atMost, median, QUICK, runBench, size } from './harness';

const STEPS = size(200, 20);
const FILES = size(2000, 200);
const TOTAL_BYTES = size(1 << 30, 32 << 20);
const CHAIN = size(1000, 50);
const REPEATS = size(3, 1);
const CLI = path.resolve(__dirname, '../../dist/cli.js');
/** Status hashes on one worker per core (core/engine/hash-pool.ts). */
const CORES = os.availableParallelism();

async function timed(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** `FILES` files of random bytes, sizes spread around TOTAL_BYTES / FILES, and a flow over them. */
function generateStatusFlow(dir: string): { flowFile: string; files: string[] } {
  const files: string[] = [];
  const buffer = Buffer.allocUnsafe(Math.ceil((TOTAL_BYTES / FILES) * 1.5));
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const bytes = Math.round((TOTAL_BYTES / FILES) * (0.5 + ((i * 7919) % FILES) / FILES));
    const rel = `data/part-${String(i).padStart(4, '0')}.bin`;
    randomFillSync(buffer, 0, bytes);
    fs.writeFileSync(path.join(dir, rel), buffer.subarray(0, bytes));
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

/** SHA-256 bytes per second on one core, as OpenSSL measures it (CPU time, so load barely moves it). */
function sha256PerCore(): number {
  const res = spawnSync('openssl', ['speed', '-evp', 'sha256', '-bytes', String(1 << 20), '-seconds', QUICK ? '1' : '3', '-mr'], { encoding: 'utf8' });
  const figure = /^\+F:\d+:sha256:([\d.]+)$/m.exec(res.stdout ?? '');
  if (res.status !== 0 || !figure) throw new Error(`openssl speed failed (exit ${res.status}): ${res.stderr || res.error?.message}`);
  return Number(figure[1]);
}

/** md5sum over the files split into one process per core, all at once. */
function md5sumParallel(dir: string, files: string[]): Promise<void> {
  const groups = Array.from({ length: CORES }, (_, g) => files.filter((_, i) => i % CORES === g));
  return Promise.all(
    groups.map(
      (group) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('md5sum', group, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`md5sum exited with ${code}`))));
        }),
    ),
  ).then(() => undefined);
}

/** Loaded into the CLI process: prints its CPU time (all threads, hash workers included) as it exits. */
const REPORT_CPU = `data:text/javascript,process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('cpu-ms ' + (u.user + u.system) / 1000 + '\\n'); })`;

/** `flowbench status --json` in a new process, as a user (or the extension) runs it; checks what it says. */
function cliStatus(flowFile: string): { ms: number; cpuMs: number; states: string[] } {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, ['--import', REPORT_CPU, CLI, 'status', '--json', flowFile], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (res.status !== 0) throw new Error(`flowbench status exited with ${res.status}: ${res.stderr}`);
  const cpu = /^cpu-ms ([\d.]+)$/m.exec(res.stderr);
  if (!cpu) throw new Error(`flowbench status reported no CPU time: ${res.stderr}`);
  const states = (JSON.parse(res.stdout) as { steps: { state: string }[] }).steps.map((s) => s.state);
  return { ms, cpuMs: Number(cpu[1]), states };
}

async function benchStatus(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run bench does).`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-bench-status-'));
  try {
    const { flowFile, files } = generateStatusFlow(dir);
    const bytes = files.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    const statCache = path.join(dir, '.flowbench', 'statcache.json');
    const perCore = sha256PerCore();
    const limit = (bytes / (perCore * CORES)) * 1000;
    await md5sumParallel(dir, files); // both sides then read from a warm page cache
    const md5: number[] = [];
    const cold: number[] = [];
    const coldCpu: number[] = [];
    const warm: number[] = [];
    const nodeStart: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      md5.push(await timed(() => md5sumParallel(dir, files)));
      fs.rmSync(statCache, { force: true });
      const c = cliStatus(flowFile);
      if (c.states.length !== STEPS || c.states.some((s) => s !== 'never-run')) throw new Error(`unexpected status: ${c.states.join(', ')}`);
      if (!fs.existsSync(statCache)) throw new Error('status wrote no stat cache');
      cold.push(c.ms);
      coldCpu.push(c.cpuMs);
      warm.push(cliStatus(flowFile).ms);
      nodeStart.push(await timed(() => spawnSync(process.execPath, ['-e', '0'])));
    }
    const m = median(md5);
    const c = median(cold);
    const w = median(warm);
    const gb = (n: number) => (n / 1e9).toFixed(2);
    console.log(`flowbench status of ${STEPS} steps over ${FILES} files (${(bytes / 2 ** 30).toFixed(2)} GiB), page cache warm, new CLI process each time, median of ${REPEATS}:`);
    console.log(`  hash limit: SHA-256 ${gb(perCore)} GB/s per core (openssl speed -evp sha256) × ${CORES} cores = ${limit.toFixed(0)} ms`);
    console.log(`  md5sum, one process per core (${CORES}): ${m.toFixed(0)} ms = ${(m / limit).toFixed(2)}× the limit`);
    console.log(`  cold status (no stat cache): ${c.toFixed(0)} ms = ${(c / limit).toFixed(2)}× the limit (target ≤ 1.5×) ${atMost(c / limit, 1.5)}; ${(c / m).toFixed(2)}× md5sum`);
    // CPU time barely moves with load: the same comparison in CPU-seconds, against hashing every byte at that speed.
    const cpuLimit = (bytes / perCore) * 1000;
    console.log(`  CPU time of the cold status process: ${median(coldCpu).toFixed(0)} ms = ${(median(coldCpu) / cpuLimit).toFixed(2)}× the ${cpuLimit.toFixed(0)} ms of CPU that hashing every byte at that speed takes`);
    console.log(`  warm status: ${w.toFixed(0)} ms (target ≤ 300 ms) ${atMost(w, 300)}; a bare \`node -e 0\` takes ${median(nodeStart).toFixed(0)} ms of it`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `+12.3%` / `-1.0%`: how much `a` exceeds `b`. */
function percentOver(a: number, b: number): string {
  const pct = (a / b - 1) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
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
    const sides = {
      bare: async () => {
        for (let s = 0; s < CHAIN; s++) await spawnBare('true');
      },
      processLayer: async () => {
        for (let s = 0; s < CHAIN; s++) await runProcess({ command: 'true', cwd: dir, env: process.env, onLine: () => {} });
      },
      engine: async () => {
        const r = await runFlow({ flowFile, force: true });
        if (r.status !== 'succeeded' || r.steps.size !== CHAIN) throw new Error(`chain run ${r.status}: ${r.message ?? ''}`);
      },
    };
    const wall = { bare: [] as number[], processLayer: [] as number[], engine: [] as number[] };
    const cpu = { bare: [] as number[], processLayer: [] as number[], engine: [] as number[] };
    // The three alternate rep by rep, so a change in load hits them alike.
    for (let i = 0; i < REPEATS; i++) {
      for (const side of ['bare', 'processLayer', 'engine'] as const) {
        const before = process.cpuUsage();
        wall[side].push(await timed(sides[side]));
        const used = process.cpuUsage(before);
        cpu[side].push((used.user + used.system) / 1000);
      }
    }
    const [b, p, e] = [median(wall.bare), median(wall.processLayer), median(wall.engine)];
    const perStep = (side: keyof typeof cpu) => (median(cpu[side]) / CHAIN).toFixed(2);
    const overhead = (e / b - 1) * 100;
    console.log(`${CHAIN}-step chain of \`true\`, median of ${REPEATS}:`);
    console.log(`  bare /bin/sh -c spawns, sequential: ${b.toFixed(0)} ms (${(b / CHAIN).toFixed(2)} ms/step)`);
    console.log(`  the same through the engine's process layer alone (own process group, output piped): ${p.toFixed(0)} ms (${percentOver(p, b)} over bare)`);
    console.log(`  runFlow: ${e.toFixed(0)} ms (${(e / CHAIN).toFixed(2)} ms/step), ${percentOver(e, b)} over bare (target ≤ 20%) ${atMost(overhead, 20)}`);
    // On the critical path of a chain and far less sensitive to load than wall time: this process's CPU.
    console.log(`  CPU of this process per step (what load barely moves): bare ${perStep('bare')} ms, process layer ${perStep('processLayer')} ms, runFlow ${perStep('engine')} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench(async () => {
  // The chain goes first: forking costs grow with this process's memory.
  await benchChain();
  await benchStatus();
});
