// "Flowbench: Preview SQL Step": the panel's VS Code side. Opened from the code lens above a SQL step, or
// from the command palette (the step under the cursor in a flow file, the step whose SQL file is open, or a
// pick). The preview itself runs in the CLI (sql-preview-loader.ts), never in this process.
import * as vscode from 'vscode';
import { PREVIEW_SQL_STEP_COMMAND } from '../../core/analysis/outline';
import type { FlowWorkspace } from '../flow-workspace';
import type { ProcessLog } from '../process-log';
import type { SnowflakeSecret } from '../snowflake-secret';
import type { PreviewTarget } from '../../webviews/sql-preview/contract';
import { PanelHost } from './panel-host';
import { loadPreviewFromCli } from './sql-preview-loader';
import { SqlPreviewController } from './sql-preview-controller';

export const SQL_PREVIEW_VIEW_TYPE = 'flowbench.sqlPreview';

interface Services {
  flows: FlowWorkspace;
  log: ProcessLog;
  secret: SnowflakeSecret;
}

export function registerSqlPreviewPanel(context: vscode.ExtensionContext, { flows, log, secret }: Services): void {
  const cli = context.asAbsolutePath('dist/cli.js');
  const host = new PanelHost(context, {
    viewType: SQL_PREVIEW_VIEW_TYPE,
    title: 'SQL Preview',
    bundle: 'preview',
    controller: (post) => new SqlPreviewController(post, (t) => loadPreviewFromCli(cli, t.flowFile, t.step, secret.env()), (what, err) => log.error(`sql preview panel: ${what}`, err)),
  }, log);

  const sqlSteps = () =>
    flows.flows().flatMap((f) => [...(f.analysis?.flow.steps.values() ?? [])].filter((s) => s.kind === 'sql').map((s) => ({ flowFile: f.file, step: s.name, sql: f.analysis?.sql.get(s.name)?.file })));
  const targetOf = async (args: unknown[]): Promise<PreviewTarget | undefined> => {
    const [flowFile, step] = args;
    if (typeof flowFile === 'string' && typeof step === 'string') return { flowFile, step };
    const all = sqlSteps();
    const open = vscode.window.activeTextEditor?.document.fileName;
    const own = all.filter((s) => s.sql === open);
    if (own.length === 1) return own[0];
    const pick = await vscode.window.showQuickPick(
      (own.length ? own : all).map((s) => ({ label: s.step, description: vscode.workspace.asRelativePath(s.flowFile), target: { flowFile: s.flowFile, step: s.step } })),
      { placeHolder: all.length ? 'Preview which SQL step?' : 'No flow in this workspace has a SQL step' },
    );
    return pick?.target;
  };
  context.subscriptions.push(
    host,
    vscode.commands.registerCommand(PREVIEW_SQL_STEP_COMMAND, async (...args: unknown[]) => {
      if (!vscode.workspace.isTrusted) {
        return void vscode.window.showWarningMessage('Flowbench runs no queries in an untrusted workspace. Trust the workspace to preview SQL steps.');
      }
      const target = await targetOf(args);
      if (target) await host.show().show(target);
    }),
  );
}
