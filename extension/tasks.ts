// Every step is also a VS Code task of type `flowbench`, so "Run Task", tasks.json and keybindings
// work. A task runs through the same RunManager as the tree, so the views follow it live.
import * as vscode from 'vscode';
import { basename, isAbsolute, resolve } from 'node:path';
import type { FlowWorkspace } from './flow-workspace';
import type { RunManager } from './run-manager';
import { withNewline } from './step-logs';

export const TASK_TYPE = 'flowbench';

interface FlowbenchTaskDefinition extends vscode.TaskDefinition {
  /** Flow file, relative to the workspace folder or absolute. */
  flow: string;
  /** Absent: the whole flow. */
  step?: string;
  scope?: 'upstream' | 'downstream';
  force?: boolean;
}

export class FlowbenchTasks implements vscode.TaskProvider {
  constructor(
    private readonly flows: FlowWorkspace,
    private readonly runs: RunManager,
  ) {}

  async provideTasks(): Promise<vscode.Task[]> {
    await this.flows.refresher.flush();
    const tasks: vscode.Task[] = [];
    for (const entry of this.flows.flows()) {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(entry.file));
      const flow = folder ? vscode.workspace.asRelativePath(entry.file, false) : entry.file;
      for (const step of entry.analysis?.flow.steps.values() ?? []) {
        const task = this.task({ type: TASK_TYPE, flow, step: step.name }, folder ?? vscode.TaskScope.Workspace);
        task.detail = step.run?.value ?? (step.sql ? `sql: ${step.sql.value}` : undefined);
        tasks.push(task);
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as FlowbenchTaskDefinition;
    if (typeof definition.flow !== 'string') return undefined;
    return this.task(definition, task.scope ?? vscode.TaskScope.Workspace);
  }

  private task(definition: FlowbenchTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope): vscode.Task {
    const base = typeof scope === 'object' ? scope.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const flowFile = isAbsolute(definition.flow) ? definition.flow : resolve(base, definition.flow);
    // "quick › report": step names repeat across flows, so the flow file's name comes first.
    const flowName = basename(flowFile).replace(/\.flow\.ya?ml$/, '');
    const what = [definition.step ?? 'all steps', definition.scope && `+${definition.scope}`, definition.force && '(force)'].filter(Boolean).join(' ');
    const name = `${flowName} › ${what}`;
    const execution = new vscode.CustomExecution(async () => new TaskTerminal(this.runs, { flowFile, step: definition.step, scope: definition.scope, force: definition.force }));
    // An explicit empty matcher list: failures already become diagnostics (RunFeedback), and it spares the
    // user VS Code's "scan the task output for..." prompt.
    const task = new vscode.Task(definition, scope, name, TASK_TYPE, execution, []);
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return task;
  }
}

/** Shows a task's run in the terminal panel: the steps' output, then the outcome; closes with the CLI's exit code. */
class TaskTerminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closed.event;
  private subscriptions: vscode.Disposable[] = [];
  private stopRun: (() => void) | undefined;

  constructor(
    private readonly runs: RunManager,
    private readonly request: Parameters<RunManager['start']>[0],
  ) {}

  open(): void {
    const run = this.runs.start(this.request);
    if (!run) {
      this.closed.fire(1);
      return;
    }
    this.stopRun = () => run.cli.stop();
    const out = (text: string) => this.write.fire(text.replace(/\r?\n/g, '\r\n'));
    this.subscriptions.push(
      this.runs.onEvent(({ run: r, event }) => {
        if (r !== run) return;
        if (event.type === 'step-log') out(withNewline(event.text));
        else if (event.type === 'step-end') out(`\x1b[2m── ${event.step}: ${event.outcome}${event.message ? ` (${event.message})` : ''}\x1b[0m\n`);
      }),
      this.runs.onDidEnd(({ run: r, end }) => {
        if (r !== run) return;
        out(`\nflowbench exited with ${end.signal ?? `code ${end.exitCode}`}\n`);
        this.closed.fire(end.exitCode ?? 1);
        this.dispose();
      }),
    );
  }

  /** Closing the task's terminal (or "Terminate Task") stops the run. */
  close(): void {
    this.stopRun?.();
    this.dispose();
  }

  handleInput(data: string): void {
    if (data === '\x03') this.stopRun?.();
  }

  private dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
  }
}
