// flowbench run: brings the selected steps up to date, with live progress, and records the run.
// Ctrl-C (or SIGTERM) cancels through the runner, which kills each step's process tree and records
// the run as cancelled; a second Ctrl-C exits at once, and the run's reaper ends the steps' trees.
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { RunEvent } from '../../engine/events';
import { runFlow } from '../../engine/runner';
import { holderName } from '../../engine/run-lock';
import { selectSteps, type Scope } from '../../engine/select';
import { parseCommandArgs, positiveInteger } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { loadFlowOrExplain } from '../load';
import { line, type Output } from '../output';
import { parseOverrides } from '../overrides';
import { plainView } from '../progress/plain-view';
import { RunProgress } from '../progress/run-progress';
import { printSummary } from '../progress/summary';
import { ttyView } from '../progress/tty-view';
import { openStoreFor } from '../run-store';
import { leftBehind, leftBehindNote, listPending } from '../../sagemaker/pending';

export async function runCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', args, {
    step: { type: 'string', multiple: true },
    upstream: { type: 'boolean' },
    downstream: { type: 'boolean' },
    set: { type: 'string', multiple: true },
    jobs: { type: 'string', short: 'j' },
    force: { type: 'boolean' },
    events: { type: 'boolean' },
    'no-wait': { type: 'boolean' },
    attach: { type: 'boolean' },
    'snowflake-at': { type: 'string' },
  }, 1);
  if (values.upstream && values.downstream) throw new UsageError('--upstream and --downstream exclude each other', 'pick one, or run twice', 'run');
  const targets = values.step ?? [];
  if ((values.upstream || values.downstream) && targets.length === 0) {
    throw new UsageError(`--${values.upstream ? 'upstream' : 'downstream'} needs --step S`, 'e.g. flowbench run --step train --upstream', 'run');
  }
  const scope: Scope = values.upstream ? 'upstream' : values.downstream ? 'downstream' : 'only';
  const jobs = positiveInteger(values.jobs, '--jobs', 'run');
  const snowflakeAt = timeTravelAt(values['snowflake-at']);

  const file = resolveFlowFile(positionals[0]);
  const analysis = loadFlowOrExplain(file, o);
  const overrides = parseOverrides(values.set ?? [], analysis.flow);
  const selection = selectSteps(analysis.graph, targets, scope);
  if ('error' in selection) throw new UsageError(selection.error, 'flowbench status lists the steps of this flow', 'run');
  const { stateDir } = await openStoreFor(dirname(file), o);

  const progress = new RunProgress();
  const view = !values.events && o.out.isTTY ? ttyView(o, progress) : plainView(o, progress, { logs: !values.events });
  const onEvent = (event: RunEvent) => {
    if (values.events) writeEventLine(event);
    if (event.type === 'run-waiting') view.note(`Waiting for ${holderText(event.holder)}, which is using ${stateDir} (one run at a time per folder; Ctrl-C to give up)…`);
    view.onEvent(event);
  };

  // Said before the run waits for the lock or starts: a job nobody follows costs money every minute.
  for (const job of listPending(stateDir).filter(leftBehind)) view.note(leftBehindNote(job, values.attach ?? false));

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    controller.abort();
    view.note('Cancelling: stopping running steps (press Ctrl-C again to quit at once)…');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runFlow({ flowFile: file, targets, scope, overrides, jobs, force: values.force, signal: controller.signal, onEvent, wait: !values['no-wait'], attach: values.attach, ...(snowflakeAt && { snowflakeAt }) });
    view.stop();
    if (result.lockedBy) {
      line(o.err, `flowbench: ${holderText(result.lockedBy)} is using ${stateDir}; not waiting for it (--no-wait)`);
      return EXIT.busy;
    }
    if (!progress.runId && result.status === 'cancelled') return EXIT.cancelled;
    if (result.message) {
      line(o.err, result.message);
      return EXIT.failed;
    }
    printSummary(o, progress, { showLogTail: view.live, stateDir });
    if (result.error) {
      line(o.err, `flowbench: run ${result.runId} failed: ${result.error}`);
      return EXIT.failed;
    }
    return result.status === 'succeeded' ? EXIT.ok : result.status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
  } finally {
    view.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** "run X, pid N" or "sweep X, pid N" (a sweep holds the lock as `sweep-<id>`), and the host when it is another machine sharing the folder. */
function holderText(holder: { runId: string; pid: number; hostname: string }): string {
  return `${holderName(holder.runId)}, pid ${holder.pid}${holder.hostname === hostname() ? '' : ` on ${holder.hostname}`}`;
}

/** A reader that goes away (e.g. `| head`) must not crash the run: the run goes on and is still recorded. */
function writeEventLine(event: RunEvent): void {
  if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => {});
  if (process.stdout.writable) process.stdout.write(JSON.stringify(event) + '\n');
}

/** `--snowflake-at TIME`: an ISO time, e.g. a source's `last changed` from the run being replayed. */
function timeTravelAt(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(t)) {
    throw new UsageError(`--snowflake-at '${value}' is not an ISO time`, 'e.g. --snowflake-at 2026-11-30T08:00:00.000Z (the time a run record lists for its Snowflake sources)', 'run');
  }
  return new Date(t).toISOString();
}
