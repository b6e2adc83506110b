// The experiments panel's row context menu as package.json contributes it: every entry names a contributed
// command the panel registers (extension/panels/row-commands.ts), shows on the panel's rows only, and every
// row action and the star are in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPLY_RUN_COMMAND, DEPLOY_MODEL_ROW_COMMAND, OPEN_MODEL_CARD_ROW_COMMAND, ROW_ACTION_COMMANDS, TOGGLE_STAR_COMMAND } from '../../extension/panels/row-commands';

const ROOT = join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const contributed = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
const menu: { command: string; when: string; group?: string }[] = manifest.contributes.menus['webview/context'];
// Apply Run is registered beside the sweep commands (extension/sweep-commands.ts), Open Model Card by the model
// card panel (extension/panels/model-card-panel.ts), Deploy Model by extension/deploy-commands.ts.
const registered = new Set([...Object.values(ROW_ACTION_COMMANDS), TOGGLE_STAR_COMMAND, APPLY_RUN_COMMAND, OPEN_MODEL_CARD_ROW_COMMAND, DEPLOY_MODEL_ROW_COMMAND]);

test('every row context-menu entry names a contributed command the panel registers', () => {
  assert.ok(menu.length > 0);
  for (const entry of menu) {
    assert.ok(contributed.has(entry.command), `${entry.command} is in contributes.commands`);
    assert.ok(registered.has(entry.command), `${entry.command} is registered by the experiments panel`);
  }
});

test('the menu covers every row action and the star, once each, on the panel’s rows only', () => {
  assert.deepEqual(menu.map((e) => e.command).sort(), [...registered].sort());
  // The panel's view type, as the manifest activates it, and the section its rows declare.
  assert.ok(manifest.activationEvents.includes('onWebviewPanel:flowbench.experiments'));
  const table = readFileSync(join(ROOT, 'webviews/experiments/runs-table.tsx'), 'utf8');
  assert.match(table, /data-vscode-context=\{row \? JSON\.stringify\(\{ webviewSection: 'run', runId: row\.id/);
  for (const entry of menu) assert.match(entry.when, /^webviewId == 'flowbench\.experiments' && webviewSection == 'run'( && isWorkspaceTrusted)?$/, entry.command);
});

test('the row commands stay out of the command palette (they need a row)', () => {
  const hidden = new Set(manifest.contributes.menus.commandPalette.filter((e: { when?: string }) => e.when === 'false').map((e: { command: string }) => e.command));
  for (const command of registered) assert.ok(hidden.has(command), `${command} is hidden from the palette`);
});
