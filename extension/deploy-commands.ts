// "Flowbench: Deploy Model" and the Deployments view's actions (Stop, Open Card, Copy curl, Send Test
// Request, Open Endpoint Monitor), plus the monitor panel. Deploying and stopping spawn the CLI
// (deploy-cli.ts) with progress and Cancel; the served endpoint is never a child of the editor.
// Untrusted workspaces never deploy: a deployment runs the project's model and code.
import * as vscode from 'vscode';
import { dirname, join, resolve } from 'node:path';
import { DEPLOY_MODEL_COMMAND } from '../core/analysis/outline';
import { listDeployments } from '../core/deploy/records';
import type { DeployTarget, MonitorSeries } from '../core/deploy/types';
import type { MonitorTarget } from '../webviews/endpoint-monitor/contract';
import { deployArgs, failureOf, invokeArgs, parseInvokeAnswer, parseRecord, refusedAsFailed, runCli } from './deploy-cli';
import { DeploymentsTree, type DeploymentNode } from './deployments-tree';
import type { FlowWorkspace } from './flow-workspace';
import type { ModelNode } from './models-tree';
import { EndpointMonitorController } from './panels/endpoint-monitor-controller';
import { PanelHost } from './panels/panel-host';
import { contextRunId, DEPLOY_MODEL_ROW_COMMAND } from './panels/row-commands';
import type { ProcessLog } from './process-log';
import { findRun } from './run-lookup';

export const MONITOR_VIEW_TYPE = 'flowbench.endpointMonitor';
export const DEPLOYMENT_COMMANDS = {
  stop: 'flowbench.deployments.stop',
  openCard: 'flowbench.deployments.openCard',
  copyCurl: 'flowbench.deployments.copyCurl',
  sendTestRequest: 'flowbench.deployments.sendTestRequest',
  openMonitor: 'flowbench.deployments.openMonitor',
  refresh: 'flowbench.deployments.refresh',
} as const;

interface Services {
  flows: FlowWorkspace;
  log: ProcessLog;
}

type DeployWhat = { flowFile: string; run: string };

// Loaded on first use: it reads the model's ONNX metadata, and onnx-proto is costly to load at activation.
let testRequestModule: Promise<typeof import('../core/deploy/test-request')> | undefined;
const testRequest = () => (testRequestModule ??= import('../core/deploy/test-request'));

export function registerDeployCommands(context: vscode.ExtensionContext, { flows, log }: Services): void {
  const cli = context.asAbsolutePath('dist/cli.js');
  const tree = new DeploymentsTree(flows, log);
  const output = vscode.window.createOutputChannel('Flowbench Deployments');
  const monitor = new PanelHost(context, {
    viewType: MONITOR_VIEW_TYPE,
    title: 'Endpoint Monitor',
    bundle: 'monitor',
    controller: (post) => new EndpointMonitorController(post, {
      deployment: async (t: MonitorTarget) => (await listDeployments(join(t.projectDir, '.flowbench'))).find((r) => r.name === t.name),
      sageMakerSeries: async (t: MonitorTarget, minutes?: number) => {
        const result = await runCli(cli, t.projectDir, ['metrics', t.name, ...(minutes ? ['--minutes', String(minutes)] : [])], (line) => output.appendLine(line));
        if (result.code !== 0) throw new Error(failureOf(result));
        return JSON.parse(result.stdout) as MonitorSeries;
      },
    }, (what, err) => log.error(`endpoint monitor: ${what}`, err)),
  }, log);

  /** What a Deploy entry point was invoked on: a model version, a card, a run row, or a flow (its latest run). */
  const targetOf = async (arg: unknown): Promise<DeployWhat | undefined> => {
    const node = arg as Partial<ModelNode> | undefined;
    if (node?.kind === 'version' && 'version' in node) return { flowFile: node.version!.flowFile, run: node.version!.run };
    const given = arg as Partial<DeployWhat> | undefined;
    if (given && typeof given.flowFile === 'string' && typeof given.run === 'string') return { flowFile: given.flowFile, run: given.run };
    if (node?.kind === 'flow' && typeof (node as { flowFile?: unknown }).flowFile === 'string') return { flowFile: (node as { flowFile: string }).flowFile, run: 'latest' };
    if (typeof arg === 'string') return { flowFile: arg, run: 'latest' };
    if (arg instanceof vscode.Uri) return { flowFile: arg.fsPath, run: 'latest' };
    const doc = vscode.window.activeTextEditor?.document;
    const flowFile = doc?.fileName.endsWith('.flow.yaml') ? doc.fileName : flows.flows().find((f) => f.analysis?.flow.model)?.file;
    return flowFile ? { flowFile, run: 'latest' } : undefined;
  };

  const deploy = async (arg?: unknown) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Flowbench deploys nothing in an untrusted workspace: an endpoint runs the project\'s model. Trust the workspace to deploy.', 'Manage Workspace Trust')
        .then((pick) => pick && vscode.commands.executeCommand('workbench.trust.manage'));
      return;
    }
    const what = await targetOf(arg);
    if (!what) return void vscode.window.showInformationMessage('Flowbench: no flow with a `model:` to deploy. Open one, or pick a model version in the Models view.');
    const pick = await vscode.window.showQuickPick<vscode.QuickPickItem & { target: DeployTarget }>([
      { label: 'Local', description: 'an ONNX Runtime endpoint on 127.0.0.1, in its own process', target: 'local' },
      { label: 'SageMaker', description: 'a SageMaker endpoint, with the SageMaker profile of settings or .flowbench/', target: 'sagemaker' },
    ], { placeHolder: `Deploy the model of ${what.run === 'latest' ? 'the latest run' : `run ${what.run}`} to…` });
    if (!pick) return;
    const cwd = dirname(what.flowFile);
    const runDeploy = (recreate: boolean) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Deploying ${what.run === 'latest' ? 'the latest model' : `run ${what.run}`} (${pick.label})`, cancellable: true }, (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runCli(cli, cwd, deployArgs(what.run, what.flowFile, pick.target, undefined, recreate), (line) => {
        output.appendLine(line);
        progress.report({ message: line.replace(/^flowbench:\s*/, '') });
      }, abort.signal);
    });
    let result = await runDeploy(false);
    if (pick.target === 'sagemaker' && result.code !== 0 && !result.cancelled && refusedAsFailed(result)) {
      const RECREATE = 'Delete and Recreate';
      const asked = await vscode.window.showWarningMessage(`Flowbench: ${failureOf(result)}.`, { modal: true, detail: 'Delete the failed endpoint (with its configuration and model) and create it again with this model? Until it is InService nothing answers under its name.' }, RECREATE);
      if (asked === RECREATE) result = await runDeploy(true);
    }
    await tree.refresh();
    if (result.cancelled) return void vscode.window.showInformationMessage('Flowbench: deploy cancelled.');
    const record = result.code === 0 ? parseRecord(result.stdout) : undefined;
    if (!record) {
      output.appendLine(result.stderrTail);
      return void vscode.window.showErrorMessage(`Flowbench: deploy failed: ${failureOf(result)}`, 'Show Output').then((p) => p && output.show());
    }
    const node = tree.all().find((n) => n.record.name === record.name && n.projectDir === cwd) ?? { projectDir: cwd, record, requests: 0 };
    const next = await vscode.window.showInformationMessage(`Flowbench: deployed ${record.name}${record.url ? ` at ${record.url}` : ''}.`, 'Send Test Request', 'Open Monitor');
    if (next === 'Send Test Request') await sendTestRequest(node);
    if (next === 'Open Monitor') await openMonitor(node);
  };

  const stop = async (node?: DeploymentNode) => {
    if (!node) return;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stopping ${node.record.name}`, cancellable: false }, () =>
      runCli(cli, node.projectDir, ['undeploy', node.record.name, resolve(node.projectDir, node.record.flow)], (line) => output.appendLine(line)));
    await tree.refresh();
    if (result.code !== 0) return void vscode.window.showErrorMessage(`Flowbench: could not stop ${node.record.name}: ${failureOf(result)}`);
    vscode.window.setStatusBarMessage(`Stopped ${node.record.name}`, 5000);
  };

  const bodyFor = async (node: DeploymentNode) => {
    const flowFile = resolve(node.projectDir, node.record.flow);
    const flow = flows.get(flowFile)?.analysis?.flow;
    return (await testRequest()).sampleRequestBody({ flowRoot: node.projectDir, stateDir: join(node.projectDir, '.flowbench'), runId: node.record.runId, samplePath: flow?.model?.sample?.value, modelPath: node.record.model });
  };

  const showAnswer = async (name: string, sent: string, res: { status: number; ms: number; body: string }) => {
    output.appendLine(`${sent}\n→ ${res.status} in ${res.ms.toFixed(1)} ms: ${res.body}`);
    const shown = res.body.length > 300 ? `${res.body.slice(0, 300)}…` : res.body;
    const say = res.status < 400 ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
    if (await say(`${name}: ${res.status} in ${res.ms.toFixed(1)} ms: ${shown}`, 'Show Output')) output.show();
  };

  /** SageMaker: through the CLI (`flowbench invoke`), which holds the AWS SDK and the payload limits. */
  const sendThroughCli = async (node: DeploymentNode) => {
    const { record } = node;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Sending a test request to ${record.name}`, cancellable: true }, (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runCli(cli, node.projectDir, invokeArgs(record.name, resolve(node.projectDir, record.flow)), (line) => output.appendLine(line), abort.signal);
    });
    if (result.cancelled) return;
    await tree.refresh();
    const answer = parseInvokeAnswer(result.stdout);
    if (!answer) return void vscode.window.showErrorMessage(`Flowbench: the test request failed: ${failureOf(result)}`, 'Show Output').then((p) => p && output.show());
    await showAnswer(record.name, `InvokeEndpoint ${record.endpointName ?? record.name} (the sample row)`, { ...answer, body: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body) });
  };

  const sendTestRequest = async (node?: DeploymentNode) => {
    if (!node) return;
    const { record } = node;
    if (record.target === 'sagemaker') return sendThroughCli(node);
    if (!record.url) return;
    const body = await bodyFor(node);
    if ('problem' in body) return void vscode.window.showErrorMessage(`Flowbench: no test row: ${body.problem}`);
    try {
      await showAnswer(record.name, `POST ${record.url}/invocations ${body.body}`, await (await testRequest()).postInvocation(record.url, body.body));
    } catch (err) {
      void vscode.window.showErrorMessage(`Flowbench: the test request failed: ${(err as Error).message}`);
    }
  };

  const copyCurl = async (node?: DeploymentNode) => {
    if (!node?.record.url) return;
    const body = await bodyFor(node);
    if ('problem' in body) return void vscode.window.showErrorMessage(`Flowbench: no test row: ${body.problem}`);
    await vscode.env.clipboard.writeText((await testRequest()).curlCommand(node.record.url, body.body));
    vscode.window.setStatusBarMessage('Copied a curl command for a test request', 5000);
  };

  const openMonitor = async (node?: DeploymentNode) => {
    if (!node) return;
    await monitor.show().show({ projectDir: node.projectDir, name: node.record.name });
  };

  const openCard = (node?: DeploymentNode) =>
    node && vscode.commands.executeCommand('flowbench.openModelCard', { flowFile: resolve(node.projectDir, node.record.flow), run: node.record.runId });

  const deployRow = async (arg: unknown) => {
    const id = contextRunId(arg);
    if (!id) return;
    const found = await findRun(flows, id, (m) => log.warn(m));
    if (found) return deploy(found);
    void vscode.window.showInformationMessage(`Flowbench: run ${id} was not found in any flow's run store.`);
  };

  context.subscriptions.push(
    tree,
    output,
    monitor,
    vscode.window.createTreeView('flowbench.deployments', { treeDataProvider: tree }),
    vscode.commands.registerCommand(DEPLOY_MODEL_COMMAND, deploy),
    vscode.commands.registerCommand(DEPLOY_MODEL_ROW_COMMAND, deployRow),
    vscode.commands.registerCommand(DEPLOYMENT_COMMANDS.stop, stop),
    vscode.commands.registerCommand(DEPLOYMENT_COMMANDS.openCard, openCard),
    vscode.commands.registerCommand(DEPLOYMENT_COMMANDS.copyCurl, copyCurl),
    vscode.commands.registerCommand(DEPLOYMENT_COMMANDS.sendTestRequest, sendTestRequest),
    vscode.commands.registerCommand(DEPLOYMENT_COMMANDS.openMonitor, openMonitor),
    vscode.commands.registerCommand(DEPLOYMENT_COMMANDS.refresh, () => tree.refresh()),
  );
}
