// The Pipelines view: flows → steps with a status icon, plus the problems of a broken flow so the
// view stays useful (and points at the fix) while the file cannot run.
import * as vscode from 'vscode';
import { basename, dirname, relative } from 'node:path';
import { diskHost } from '../core/flow/host';
import { formatDuration } from '../core/time-text';
import { lastTests, type LastTest } from '../core/flow/validate-tests';
import type { Flow, Problem, Step } from '../core/flow/model';
import type { FlowEntry, FlowWorkspace, StepStatusView } from './flow-workspace';
import type { RunManager } from './run-manager';
import { shownState, type LiveStep } from './step-state';

export interface FlowNode {
  kind: 'flow';
  file: string;
}
export interface StepNode {
  kind: 'step';
  file: string;
  step: string;
}
interface ProblemNode {
  kind: 'problem';
  file: string;
  problem: Problem;
}
/** One data test of a SQL step, as its table was last checked. */
interface TestNode {
  kind: 'test';
  file: string;
  step: string;
  test: LastTest;
}
export type PipelineNode = FlowNode | StepNode | ProblemNode | TestNode;

/** Opens a failed test's failing rows: (flow file, step, test name). */
export const SHOW_FAILING_ROWS_COMMAND = 'flowbench.showFailingRows';

const MAX_PROBLEMS_SHOWN = 20;

export interface StepPresentation {
  label: string;
  icon: vscode.ThemeIcon;
  running: boolean;
}

export function presentStep(status: StepStatusView | undefined, live: LiveStep | undefined, activeRun: boolean): StepPresentation {
  const state = shownState(status?.kind, live, activeRun);
  const shown = (label: string, icon: string, colour?: string) => ({ label, icon: new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined), running: false });
  switch (state) {
    case 'running':
      return { ...shown('running', 'loading~spin'), running: true };
    case 'queued':
      return shown('queued', 'clock');
    case 'failed':
      return shown('failed', 'error', 'testing.iconFailed');
    case 'cancelled':
      return shown('cancelled', 'circle-slash', 'list.warningForeground');
    case 'skipped':
      return shown('skipped', 'debug-step-over', 'disabledForeground');
    case 'succeeded':
    case 'up-to-date':
      return shown('up to date', 'pass-filled', 'testing.iconPassed');
    case 'cached':
    case 'restored':
      return shown(`up to date (${state})`, 'pass-filled', 'testing.iconPassed');
    case 'stale':
      return shown('stale', 'circle-filled', 'charts.yellow');
    case 'never-run':
      return shown('never run', 'circle-large-outline');
    case 'invalid':
      return shown('cannot run', 'warning', 'list.warningForeground');
    case 'unknown':
      return shown('status unknown', 'question');
  }
}

/** Where a step runs: `local`, `sagemaker ml.m5.xlarge spot`, `sql` (embedded DuckDB) or `sql snowflake`. */
function computeLabel(step: Step, flow: Flow): string {
  const compute = step.compute;
  if (compute.target === 'sagemaker') return ['sagemaker', compute.instanceType?.value, compute.spot?.value && 'spot'].filter(Boolean).join(' ');
  if (step.kind !== 'sql') return 'local';
  const warehouse = (step.warehouse ?? flow.warehouse)?.value;
  return warehouse && flow.warehouses.get(warehouse)?.type.value === 'snowflake' ? 'sql snowflake' : 'sql';
}

export function flowLabel(entry: FlowEntry): string {
  return entry.analysis?.flow.name?.value || basename(entry.file).replace(/\.flow\.ya?ml$/, '');
}

export class PipelinesTree implements vscode.TreeDataProvider<PipelineNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PipelineNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly flows: FlowWorkspace,
    private readonly runs: RunManager,
  ) {
    this.disposables.push(
      flows.onDidChange(() => this.changed.fire(undefined)),
      runs.onDidChange(() => this.changed.fire(undefined)),
    );
  }

  getChildren(node?: PipelineNode): PipelineNode[] {
    if (!node) return this.flows.flows().map((entry) => ({ kind: 'flow', file: entry.file }));
    // Failures first (errors, then warnings), so what needs a look is right under the step.
    const rank = (t: LastTest) => (t.status === 'pass' ? 2 : t.severity === 'warn' ? 1 : 0);
    if (node.kind === 'step') return [...(this.testsOf(node) ?? [])].sort((a, b) => rank(a) - rank(b)).map((test): TestNode => ({ kind: 'test', file: node.file, step: node.step, test }));
    if (node.kind !== 'flow') return [];
    const entry = this.flows.get(node.file);
    if (!entry?.analysis) return [];
    const steps: PipelineNode[] = [...entry.analysis.flow.steps.keys()].map((step) => ({ kind: 'step', file: node.file, step }));
    const errors = entry.analysis.problems.filter((p) => p.severity === 'error').slice(0, MAX_PROBLEMS_SHOWN);
    return [...steps, ...errors.map((problem): ProblemNode => ({ kind: 'problem', file: node.file, problem }))];
  }

  getParent(node: PipelineNode): PipelineNode | undefined {
    if (node.kind === 'test') return { kind: 'step', file: node.file, step: node.step };
    return node.kind === 'flow' ? undefined : { kind: 'flow', file: node.file };
  }

  /** The step's tests as last checked; only SQL steps that declare tests have them. */
  private testsOf(node: StepNode): LastTest[] | undefined {
    const step = this.flows.get(node.file)?.analysis?.flow.steps.get(node.step);
    return step?.kind === 'sql' && step.tests ? lastTests(dirname(node.file), node.step, diskHost) : undefined;
  }

  getTreeItem(node: PipelineNode): vscode.TreeItem {
    if (node.kind === 'flow') return this.flowItem(node);
    if (node.kind === 'step') return this.stepItem(node);
    if (node.kind === 'test') return testItem(node);
    return problemItem(node);
  }

  private flowItem(node: FlowNode): vscode.TreeItem {
    const entry = this.flows.get(node.file);
    const item = new vscode.TreeItem(entry ? flowLabel(entry) : basename(node.file), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `flow:${node.file}`;
    item.resourceUri = vscode.Uri.file(node.file);
    const running = this.runs.activeRun(node.file) !== undefined;
    item.contextValue = running ? 'flow-running' : 'flow';
    const errors = entry?.analysis?.problems.filter((p) => p.severity === 'error').length ?? 0;
    const folder = vscode.workspace.getWorkspaceFolder(item.resourceUri);
    const where = folder ? relative(folder.uri.fsPath, node.file) : node.file;
    if (entry?.error || errors > 0) {
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
      item.description = entry?.error ? 'could not be read' : `${errors} problem${errors === 1 ? '' : 's'}`;
    } else {
      item.iconPath = new vscode.ThemeIcon(running ? 'loading~spin' : 'type-hierarchy-sub');
      item.description = where;
    }
    item.tooltip = entry?.error ?? [entry?.analysis?.flow.description?.value, where].filter(Boolean).join('\n');
    item.accessibilityInformation = { label: `flow ${item.label}, ${item.description}` };
    return item;
  }

  private stepItem(node: StepNode): vscode.TreeItem {
    const entry = this.flows.get(node.file);
    const step = entry?.analysis?.flow.steps.get(node.step);
    const status = entry?.status.get(node.step);
    const live = this.runs.stepState(node.file, node.step);
    const shown = presentStep(status, live, this.runs.activeRun(node.file) !== undefined);
    const tests = this.testsOf(node);
    const item = new vscode.TreeItem(node.step, tests ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `step:${node.file}#${node.step}`;
    item.iconPath = shown.icon;
    item.contextValue = shown.running ? 'step-running' : 'step';
    const count = (what: (t: LastTest) => boolean) => tests?.filter(what).length ?? 0;
    const [pass, warn, fail] = [count((t) => t.status === 'pass'), count((t) => t.status !== 'pass' && t.severity === 'warn'), count((t) => t.status !== 'pass' && t.severity !== 'warn')];
    const testLabel = tests && `tests ${pass}✓${warn ? ` ${warn}!` : ''}${fail ? ` ${fail}✗` : ''}`;
    item.description = [stepTiming(status, live, shown.running), step && entry?.analysis && computeLabel(step, entry.analysis.flow), testLabel].filter(Boolean).join(' · ');
    item.accessibilityInformation = { label: `${node.step}, ${shown.label}` };
    item.tooltip = stepTooltip(node.step, step, shown.label, status, live);
    item.command = { title: 'Open Step Definition', command: 'flowbench.openStepDefinition', arguments: [node.file, node.step] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** "running…", "cached" when the last run skipped it, else how long it last took. */
function stepTiming(status: StepStatusView | undefined, live: LiveStep | undefined, running: boolean): string | undefined {
  if (running) return 'running…';
  if (live?.state === 'cached' || live?.state === 'restored') return live.state;
  const duration = live?.durationMs ?? status?.durationMs;
  return duration !== undefined ? formatDuration(duration) : undefined;
}

function stepTooltip(name: string, step: Step | undefined, state: string, status: StepStatusView | undefined, live: LiveStep | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${name}** — ${state}\n\n`);
  if (step?.description) md.appendText(`${step.description.value}\n\n`);
  if (live?.message) md.appendMarkdown(`$(error) `).appendText(`${live.message}\n\n`);
  const reasons = live?.state === 'running' ? live.reasons : status?.kind === 'stale' || status?.kind === 'invalid' ? status.reasons : undefined;
  if (reasons?.length) {
    md.appendMarkdown(status?.kind === 'invalid' ? `Cannot run because:\n` : `Stale because:\n`);
    for (const reason of reasons) md.appendMarkdown(`- `).appendText(`${reason}\n`);
    md.appendMarkdown('\n');
  }
  if (step?.run) md.appendCodeblock(step.run.value, 'shell');
  if (step?.sql) md.appendText(`SQL: ${step.sql.value}\n`);
  return md;
}

function testItem({ file, step, test }: TestNode): vscode.TreeItem {
  const item = new vscode.TreeItem(test.name, vscode.TreeItemCollapsibleState.None);
  item.id = `test:${file}#${step}#${test.table}#${test.name}`;
  const passed = test.status === 'pass';
  item.iconPath = passed
    ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
    : test.severity === 'warn'
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  const state = passed ? 'passed' : test.status === 'error' ? 'could not run' : `${test.failing?.toLocaleString('en-US') ?? 'some'} failing`;
  item.description = test.table === step ? state : `${state} · ${test.table}`;
  item.tooltip = test.message ?? `${test.name}: ${state}`;
  item.accessibilityInformation = { label: `test ${test.name}, ${state}` };
  item.contextValue = passed ? 'test' : 'test-failed';
  if (!passed) item.command = { title: 'Show Failing Rows', command: SHOW_FAILING_ROWS_COMMAND, arguments: [file, step, test.table, test.name] };
  return item;
}

function problemItem(node: ProblemNode): vscode.TreeItem {
  const { problem } = node;
  const item = new vscode.TreeItem(problem.message, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  item.description = `${problem.code} · ${basename(problem.file)}:${problem.range.start.line + 1}`;
  item.contextValue = 'problem';
  item.tooltip = `${problem.code}: ${problem.message}`;
  const range = new vscode.Range(problem.range.start.line, problem.range.start.character, problem.range.end.line, problem.range.end.character);
  item.command = { title: 'Go to Problem', command: 'vscode.open', arguments: [vscode.Uri.file(problem.file), { selection: range }] };
  return item;
}
