// "Flowbench: Run Sweep…" (a declared sweep, or one built in quick inputs) and the experiments panel's
// "Apply Run" row action. Both spawn the CLI as runs do (cli-process.ts: its own process group, Stop = SIGINT
// then a group kill); the sweep's progress shows in a cancellable notification and its runs reach the
// experiments panel through the run store it watches.
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliProcess } from './cli-process';
import { CliRun } from './cli-run';
import type { FlowWorkspace } from './flow-workspace';
import { APPLY_RUN_COMMAND, contextRunId } from './panels/row-commands';
import type { ProcessLog } from './process-log';
import { readSettings } from './settings';
import type { SweepEvent } from '../core/sweeps/run-sweep';
import { adHocSweepArgs, isRange, parseSweepEvent, progressText, type QuickAxis } from './sweep-args';

const BUILD = '$(add) Build a sweep…';

export function registerSweepCommands(context: vscode.ExtensionContext, flows: FlowWorkspace, log: ProcessLog): void {
  const cliPath = context.asAbsolutePath('dist/cli.js');

  async function pickFlow(): Promise<string | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc?.fileName.endsWith('.flow.yaml')) return doc.fileName;
    const all = flows.flows();
    if (all.length <= 1) return all[0]?.file;
    return (await vscode.window.showQuickPick(all.map((e) => ({ label: vscode.workspace.asRelativePath(e.file), file: e.file })), { placeHolder: 'Pick a flow' }))?.file;
  }

  /** The `flowbench sweep` arguments the user chose, or undefined when they gave up. */
  async function chooseSweep(flowFile: string): Promise<string[] | undefined> {
    const flow = flows.get(flowFile)?.analysis?.flow;
    if (!flow) return undefined;
    const declared = [...flow.sweeps.values()].map((s) => ({ label: s.name, description: s.description?.value ?? '' }));
    const picked = declared.length
      ? await vscode.window.showQuickPick([...declared, { label: BUILD, description: 'vary params with lists or ranges' }], { placeHolder: 'Pick a sweep' })
      : { label: BUILD };
    if (!picked) return undefined;
    if (picked.label !== BUILD) return [picked.label];
    if (!flow.params.size) {
      void vscode.window.showInformationMessage('This flow declares no params to sweep; add a `params:` section.');
      return undefined;
    }
    const params = await vscode.window.showQuickPick([...flow.params.values()].map((p) => ({ label: p.name, description: JSON.stringify(p.value) })), { canPickMany: true, placeHolder: 'Params to vary' });
    if (!params?.length) return undefined;
    const axes: QuickAxis[] = [];
    for (const p of params) {
      const text = await vscode.window.showInputBox({
        title: `Sweep ${p.label}`,
        prompt: 'Values to try, e.g. 0.001,0.003 (each one), or a range to draw from: 1e-6..1e-3 (add :log for log space)',
        validateInput: (v) => (v.trim() ? undefined : 'Give values or a range'),
      });
      if (text === undefined) return undefined;
      axes.push({ param: p.label, text });
    }
    let count: number | undefined;
    if (axes.some((a) => isRange(a.text))) {
      const text = await vscode.window.showInputBox({ title: 'Random draws', prompt: 'How many draws from the ranges (per combination of listed values)?', value: '10', validateInput: (v) => (/^[1-9]\d*$/.test(v.trim()) ? undefined : 'A whole number, at least 1') });
      if (text === undefined) return undefined;
      count = Number(text);
    }
    return adHocSweepArgs(axes, count);
  }

  async function runSweep(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Flowbench runs no steps in an untrusted workspace. Trust the workspace to run a sweep.');
      return;
    }
    const flowFile = await pickFlow();
    const sweep = flowFile && (await chooseSweep(flowFile));
    if (!flowFile || !sweep) return;
    const settings = readSettings(vscode.Uri.file(flowFile));
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Sweep ${sweep[0]!.startsWith('--') ? 'ad hoc' : sweep[0]}`, cancellable: true }, async (progress, token) => {
      let last = '';
      const onSweep = (e: SweepEvent) => {
        if (e.type === 'sweep-progress') progress.report({ message: (last = progressText(e)) });
        else if (e.type === 'variant-end' && e.status === 'failed') log.warn(`sweep variant ${e.variant + 1} failed (run ${e.runId})${e.message ? `: ${e.message}` : ''}`);
      };
      const cli = new CliRun({ flowFile, sweep }, { cliPath, pythonPath: settings.pythonPath }, dirname(flowFile), {
        // variant-end carries a runId, so CliRun hands it over as an event; the variants' own run events need no view here.
        onEvent: (e) => {
          if ((e as { sweepId?: unknown }).sweepId !== undefined) onSweep(e as unknown as SweepEvent);
        },
        onOutput: (line) => {
          const e = parseSweepEvent(line);
          if (e) onSweep(e);
          else log.info(`cli: ${line}`);
        },
      });
      const exited = log.spawned(process.execPath, cli.child.spawnargs.slice(1), dirname(flowFile), cli.pid);
      token.onCancellationRequested(() => cli.stop());
      const end = await cli.done;
      exited(end.exitCode, end.signal);
      if (end.stopped) void vscode.window.showInformationMessage(`Sweep cancelled (${last}). Run "flowbench sweep --resume" to continue it.`);
      else if (end.exitCode === 0 || end.exitCode === 1) {
        void vscode.window.showInformationMessage(`Sweep ${end.exitCode === 0 ? 'done' : 'finished with failures'}: ${last}`, 'Open Experiments').then((pick) => pick && vscode.commands.executeCommand('flowbench.openExperiments'));
      } else void vscode.window.showErrorMessage(`Flowbench: the sweep did not run: ${end.stderrTail.split('\n').filter(Boolean).slice(-3).join(' ')}`);
    });
  }

  /** The flow file of a run, from its record in one of the workspace's run stores. */
  function flowOfRun(runId: string): string | undefined {
    for (const entry of flows.flows()) {
      const record = join(dirname(entry.file), '.flowbench', 'runs', runId, 'record.json');
      if (existsSync(record)) return (JSON.parse(readFileSync(record, 'utf8')) as { flowFile?: string }).flowFile ?? entry.file;
    }
    return undefined;
  }

  async function applyRun(arg: unknown): Promise<void> {
    const runId = contextRunId(arg);
    const flowFile = runId && flowOfRun(runId);
    if (!runId || !flowFile) return;
    const pick = await vscode.window.showWarningMessage(`Replace the outs in the working tree with those of run ${runId}?`, { modal: true }, 'Apply');
    if (pick !== 'Apply') return;
    const end = await new CliProcess(cliPath, ['apply', runId, flowFile], { cwd: dirname(flowFile) }).done;
    if (end.code === 0) void vscode.window.showInformationMessage(end.stdout.trim());
    else void vscode.window.showErrorMessage(`Flowbench: ${end.stderrTail.trim().replace(/^flowbench( apply)?: /, '') || `flowbench apply exited with code ${end.code}`}`);
  }

  context.subscriptions.push(vscode.commands.registerCommand('flowbench.runSweep', runSweep), vscode.commands.registerCommand(APPLY_RUN_COMMAND, applyRun));
}
