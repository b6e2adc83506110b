// The `Flowbench: ...` commands. Each takes its target from whichever caller invoked it: a tree node,
// the language server's code lens (`[flowFilePath, stepName]`), the task system, or the command
// palette (the step under the cursor in a flow file, else a quick pick).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { diskHost } from '../core/flow/host';
import { failingRowsMarkdown, lastTests } from '../core/flow/validate-tests';
import type { Range as FlowRange } from '../core/flow/model';
import type { RunRequest } from './cli-run';
import type { FlowEntry, FlowWorkspace } from './flow-workspace';
import { flowLabel, SHOW_FAILING_ROWS_COMMAND, type PipelineNode } from './pipelines-tree';
import type { ProcessLog } from './process-log';
import type { RunManager } from './run-manager';
import type { RunsTree } from './runs-tree';
import type { StepLogs } from './step-logs';

export interface StepTarget {
  file: string;
  step: string;
}

interface Services {
  flows: FlowWorkspace;
  runs: RunManager;
  runsTree: RunsTree;
  stepLogs: StepLogs;
  log: ProcessLog;
}

function toRange(range: FlowRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

function fileOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg && typeof arg === 'object' && 'file' in arg && typeof (arg as PipelineNode).file === 'string') return (arg as PipelineNode).file;
  return undefined;
}

function activeFlowFile(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.uri.scheme === 'file' && doc.fileName.endsWith('.flow.yaml') ? doc.fileName : undefined;
}

/** The flow a command is about: its argument (a path, a Uri, a tree node), the active flow file, the only flow, or a pick. */
export async function pickFlow(flows: FlowWorkspace, a: unknown): Promise<string | undefined> {
  const file = fileOf(a) ?? activeFlowFile();
  if (file) return file;
  const all = flows.flows();
  if (all.length === 1) return all[0]!.file;
  if (all.length === 0) {
    void vscode.window.showInformationMessage('No flow files found: add a *.flow.yaml file to the workspace.');
    return undefined;
  }
  const items = all.map((entry) => ({ label: flowLabel(entry), description: vscode.workspace.asRelativePath(entry.file), file: entry.file }));
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Pick a flow' }))?.file;
}

const FAILING_ROWS_SCHEME = 'flowbench-failing-rows';

export function registerCommands(context: vscode.ExtensionContext, services: Services): void {
  const { flows, runs, stepLogs, log } = services;

  async function entryFor(file: string): Promise<FlowEntry | undefined> {
    if (!flows.get(file)) await flows.refresher.flush();
    return flows.get(file);
  }

  async function stepTarget(a: unknown, b: unknown): Promise<StepTarget | undefined> {
    const file = fileOf(a);
    if (file && typeof b === 'string') return { file, step: b };
    if (file && a && typeof a === 'object' && 'step' in a && typeof a.step === 'string') return { file, step: a.step };
    const editor = vscode.window.activeTextEditor;
    const current = activeFlowFile();
    if (current && editor) {
      const steps = (await entryFor(current))?.analysis?.flow.steps.values() ?? [];
      for (const step of steps) if (toRange(step.range).contains(editor.selection.active)) return { file: current, step: step.name };
    }
    const items = flows.flows().flatMap((entry) =>
      [...(entry.analysis?.flow.steps.keys() ?? [])].map((step) => ({ label: step, description: flowLabel(entry), target: { file: entry.file, step } })),
    );
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No flow steps found: add a *.flow.yaml file to the workspace.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { placeHolder: 'Pick a step', matchOnDescription: true }))?.target;
  }

  const flowTarget = (a: unknown) => pickFlow(flows, a);

  function runStep(scope?: RunRequest['scope']) {
    return async (a?: unknown, b?: unknown) => {
      const target = await stepTarget(a, b);
      if (target) runs.start({ flowFile: target.file, step: target.step, scope });
    };
  }

  /** `prefill`: values to offer (a run's params, from the experiments panel) instead of the flow's. */
  async function runWithParams(a?: unknown, prefill?: Record<string, unknown>): Promise<void> {
    const file = await flowTarget(a);
    const params = file && (await entryFor(file))?.analysis?.flow.params;
    if (!file || !params) return;
    if (params.size === 0) {
      void vscode.window.showInformationMessage('This flow declares no params; add a `params:` section to override them per run.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      [...params.values()].map((p) => ({ label: p.name, description: JSON.stringify(prefill?.[p.name] ?? p.value) })),
      { canPickMany: true, placeHolder: 'Params to change for this run' },
    );
    if (!picked?.length) return;
    const overrides: Record<string, string> = {};
    for (const item of picked) {
      const current = prefill && item.label in prefill ? prefill[item.label] : params.get(item.label)!.value;
      const value = await vscode.window.showInputBox({
        title: `Run with params: ${item.label}`,
        prompt: `Value for params.${item.label} (a YAML value; currently ${JSON.stringify(current)})`,
        value: typeof current === 'string' ? current : JSON.stringify(current),
      });
      if (value === undefined) return;
      overrides[item.label] = value;
    }
    runs.start({ flowFile: file, overrides });
  }

  async function openStepDefinition(a?: unknown, b?: unknown): Promise<void> {
    const target = await stepTarget(a, b);
    const step = target && (await entryFor(target.file))?.analysis?.flow.steps.get(target.step);
    if (!target) return;
    const selection = step ? toRange(step.nameRange) : undefined;
    await vscode.window.showTextDocument(vscode.Uri.file(target.file), { selection, preview: true });
  }

  async function revealOutputs(a?: unknown, b?: unknown): Promise<void> {
    const target = await stepTarget(a, b);
    const entry = target && (await entryFor(target.file));
    const step = target && entry?.analysis?.flow.steps.get(target.step);
    if (!target || !entry?.analysis || !step) return;
    const root = entry.analysis.flow.root;
    const declared = [...step.outs, ...step.metrics].map((o) => resolve(root, o.value));
    if (step.kind === 'sql' && step.materialize?.value === 'table') declared.push(resolve(root, '.flowbench', 'tables', `${step.name}.parquet`));
    const present = declared.filter((path) => existsSync(path));
    if (present.length === 0) {
      void vscode.window.showInformationMessage(
        declared.length ? `${step.name} has not produced its outputs yet.` : `${step.name} declares no outputs (outs:, metrics:).`,
      );
      return;
    }
    const chosen =
      present.length === 1
        ? present[0]
        : (await vscode.window.showQuickPick(present.map((path) => ({ label: vscode.workspace.asRelativePath(path), path }))))?.path;
    if (chosen) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(chosen));
  }

  const commands: Record<string, (...args: any[]) => unknown> = {
    'flowbench.runStep': runStep(),
    'flowbench.runUpstream': runStep('upstream'),
    'flowbench.runDownstream': runStep('downstream'),
    'flowbench.runFlow': async (a?: unknown) => {
      const file = await flowTarget(a);
      if (file) runs.start({ flowFile: file });
    },
    'flowbench.forceRun': async (a?: unknown) => {
      const file = await flowTarget(a);
      if (file) runs.start({ flowFile: file, force: true });
    },
    'flowbench.runWithParams': runWithParams,
    'flowbench.stop': (a?: unknown) => runs.stop(fileOf(a)),
    'flowbench.showStepLog': async (a?: unknown, b?: unknown) => {
      const target = await stepTarget(a, b);
      if (target) stepLogs.show(target.file, target.step);
    },
    'flowbench.openStepDefinition': openStepDefinition,
    'flowbench.revealOutputs': revealOutputs,
    'flowbench.refresh': () => Promise.all([flows.refresher.flush(), services.runsTree.refresher.flush()]),
    'flowbench.showProcessLog': () => log.channel.show(true),
    [SHOW_FAILING_ROWS_COMMAND]: async (file: string, step: string, table: string, name: string) => {
      const query = new URLSearchParams({ file, step, table, name }).toString();
      const uri = vscode.Uri.from({ scheme: FAILING_ROWS_SCHEME, path: `/${table}/${name.replace(/[/\\]/g, '_')}.md`, query });
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    },
  };
  for (const [id, handler] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  // A failed test's rows, read from the table's last check each time the document is opened: read-only, nothing to save.
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(FAILING_ROWS_SCHEME, {
      provideTextDocumentContent(uri) {
        const q = new URLSearchParams(uri.query);
        const test = lastTests(dirname(q.get('file') ?? ''), q.get('step') ?? '', diskHost)?.find((t) => t.table === q.get('table') && t.name === q.get('name'));
        return test ? failingRowsMarkdown(test) : `# ${q.get('name')}\n\nNot in the last check of \`${q.get('step')}\` any more: run the step again.\n`;
      },
    }),
  );
}
