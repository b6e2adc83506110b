// The experiments panel's row context menu (package.json `webview/context`, shown on rows through their
// `data-vscode-context`): one command per row action, each routed to the controller handler the panel's
// own buttons and keys use.
import type { RowAction } from '../../webviews/experiments/contract';

/** Every row action has one (the type says so). */
export const ROW_ACTION_COMMANDS: Readonly<Record<RowAction, string>> = {
  logs: 'flowbench.experiments.openLogs',
  rerun: 'flowbench.experiments.rerun',
  modify: 'flowbench.experiments.runWithParams',
  reveal: 'flowbench.experiments.revealOutputs',
  copyId: 'flowbench.experiments.copyId',
  delete: 'flowbench.experiments.delete',
};
export const TOGGLE_STAR_COMMAND = 'flowbench.experiments.toggleStar';
/** Opens the run's model card (registered by the model card panel, extension/panels/model-card-panel.ts). */
export const OPEN_MODEL_CARD_ROW_COMMAND = 'flowbench.experiments.openModelCard';
/** Deploys the run's model (extension/deploy-commands.ts). */
export const DEPLOY_MODEL_ROW_COMMAND = 'flowbench.experiments.deployModel';
/** Puts a run's outs into the working tree (extension/sweep-commands.ts; `flowbench apply`). */
export const APPLY_RUN_COMMAND = 'flowbench.experiments.applyRun';

/** The run a context-menu command was invoked on: VS Code passes the row's data-vscode-context. */
export function contextRunId(arg: unknown): string | undefined {
  const id = (arg as { runId?: unknown } | undefined)?.runId;
  return typeof id === 'string' ? id : undefined;
}
