// flowbench sweep: runs a declared (`sweeps:`) or ad hoc (--grid/--random) sweep, or resumes one, printing
// one line per finished variant and the progress ("3/8 done, 2 running, 0 failed, ETA 40s"). Ctrl-C (or
// SIGTERM) cancels the queue and the running variants; a second Ctrl-C exits at once (the variants'
// reapers end their steps), and `--resume` continues either way.
import { existsSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { RunEvent } from '../../engine/events';
import { holderName } from '../../engine/run-lock';
import { closest } from '../../flow/suggest';
import { specOf, type SweepSpec } from '../../sweeps/expand';
import { runSweep, type SweepEvent } from '../../sweeps/run-sweep';
import { parseCommandArgs, positiveInteger } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { formatValue } from '../format';
import { formatDuration } from '../../time-text';
import { loadFlowOrExplain } from '../load';
import { line, paint, type Output } from '../output';
import { parseOverrides } from '../overrides';
import { openStoreFor } from '../run-store';
import { adHocSpec } from '../sweep-args';

const looksLikeFlow = (arg: string) => /\.ya?ml$/.test(arg) || (existsSync(arg) && statSync(arg).isDirectory());

export async function sweepCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('sweep', args, {
    grid: { type: 'string', multiple: true },
    random: { type: 'string', multiple: true },
    count: { type: 'string' },
    seed: { type: 'string' },
    set: { type: 'string', multiple: true },
    workers: { type: 'string', short: 'w' },
    name: { type: 'string' },
    resume: { type: 'boolean' },
    id: { type: 'string' },
    events: { type: 'boolean' },
    'no-wait': { type: 'boolean' },
  }, 2);
  const flowArg = positionals.find(looksLikeFlow);
  const name = positionals.find((p) => p !== flowArg);
  const file = resolveFlowFile(flowArg);
  const analysis = loadFlowOrExplain(file, o);
  const { flow } = analysis;
  const workers = positiveInteger(values.workers, '--workers', 'sweep');
  const count = positiveInteger(values.count, '--count', 'sweep');
  if (values.seed !== undefined && !/^-?\d+$/.test(values.seed)) throw new UsageError(`--seed expects a whole number, got '${values.seed}'`, 'e.g. --seed 1', 'sweep');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const adHoc = Boolean(values.grid?.length || values.random?.length);

  let spec: SweepSpec | undefined;
  if (values.resume || values.id) {
    if (adHoc) throw new UsageError('--resume continues a sweep as it was queued; it takes no --grid or --random', 'leave them out', 'sweep');
  } else if (adHoc) {
    if (name) throw new UsageError(`name a declared sweep or give --grid/--random, not both`, `for an ad hoc sweep's name use --name ${name}`, 'sweep');
    spec = adHocSpec(flow, { name: values.name ?? 'ad-hoc', grid: values.grid ?? [], random: values.random ?? [], count, seed });
  } else {
    const declared = [...flow.sweeps.keys()];
    if (!name) throw new UsageError('which sweep?', declared.length ? `sweeps of this flow: ${declared.join(', ')}; or give --grid/--random` : 'declare one under `sweeps:` in the flow file, or give --grid/--random', 'sweep');
    const sweep = flow.sweeps.get(name);
    if (!sweep) {
      const guess = closest(name, declared);
      throw new UsageError(`FB094 unknown sweep '${name}'${guess ? `: did you mean '${guess}'?` : ''}`, declared.length ? `sweeps of this flow: ${declared.join(', ')}` : 'this flow declares no sweeps: add them under `sweeps:`, or give --grid/--random', 'sweep');
    }
    spec = specOf(sweep);
    if (count !== undefined) spec.count = count;
    if (seed !== undefined) spec.seed = seed;
  }
  const overrides = parseOverrides(values.set ?? [], flow);
  const { stateDir } = await openStoreFor(dirname(file), o);

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    controller.abort();
    line(o.err, 'Cancelling the sweep: stopping running variants (press Ctrl-C again to quit at once; flowbench sweep --resume continues)…');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const emitJson = (e: RunEvent | SweepEvent) => {
    if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => {});
    if (process.stdout.writable) process.stdout.write(JSON.stringify(e) + '\n');
  };
  let total = 0;
  let shownDone = -1;
  const onEvent = (e: SweepEvent) => {
    if (values.events) emitJson(e);
    if (e.type === 'sweep-start') {
      total = e.total;
      line(o.out, `${e.resumed ? 'Resuming' : 'Sweep'} ${e.name} (${e.sweepId}): ${e.total} variant${e.total === 1 ? '' : 's'}, ${e.workers} at a time, each in ${relative(process.cwd(), stateDir) || '.'}/sweeps/${e.sweepId}/<variant>/`);
    } else if (e.type === 'variant-end') {
      const ok = e.status === 'succeeded';
      const mark = ok ? paint(o, 'green', '✓') : e.status === 'cancelled' ? '■' : paint(o, 'red', '✗');
      const params = Object.entries(e.params).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
      line(o.out, `  ${mark} variant ${e.variant + 1}/${total} ${params} → run ${e.runId} ${e.status}${e.message ? `: ${e.message}` : ''}`);
    } else if (e.type === 'sweep-progress') {
      // One line per finished variant; a variant starting changes no count worth a line.
      if (e.done === shownDone || e.done === 0) return;
      shownDone = e.done;
      line(o.out, `${e.done}/${e.total} done, ${e.running} running, ${e.failed} failed${e.etaMs !== undefined ? `, ETA ${formatDuration(e.etaMs)}` : ''}`);
    }
  };
  try {
    const result = await runSweep({
      flowFile: file, spec, overrides, workers, signal: controller.signal, onEvent,
      ...(values.events ? { onRunEvent: emitJson } : {}),
      ...(values.resume || values.id ? { resume: values.id ?? true, ...(name ? { resumeName: name } : {}) } : {}),
      wait: !values['no-wait'],
      onWait: (h) => line(o.err, `Waiting for ${holderName(h.runId)} (pid ${h.pid}), which is using ${stateDir} (one run or sweep at a time per folder; Ctrl-C to give up)…`),
    });
    if (result.lockedBy) {
      line(o.err, `flowbench: ${result.message} (--no-wait)`);
      return EXIT.busy;
    }
    if (result.message) {
      line(o.err, `flowbench: ${result.message}`);
      return EXIT.failed;
    }
    if (result.status === 'cancelled') {
      line(o.out, `Sweep ${result.id} cancelled: ${result.runs.size} of ${result.total} variants done. Continue it with: flowbench sweep --resume --id ${result.id}`);
      return EXIT.cancelled;
    }
    const filter = `flowbench runs --filter 'sweep = ${result.name}'`;
    line(o.out, `Sweep ${result.id} ${result.status}: ${result.runs.size - result.failed} of ${result.total} variants succeeded${result.failed ? `, ${result.failed} failed` : ''}. Compare: ${filter}; put one run's outs in place: flowbench apply RUN`);
    return result.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
