// The conventional extension test suite: runs INSIDE a VS Code downloaded by @vscode/test-electron
// (see run.electron.ts; `npm run test:electron`), against the extension loaded from this repository.
// It shares its workspaces and scenarios with the code-server suite in test/e2e; where that suite looks
// at the UI, this one looks at the same behaviour through the API (commands, diagnostics, files).
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesWith } from '../e2e/fixtures';

interface Scenario {
  name: string;
  run(): Promise<void>;
}

const workspace = JSON.parse(process.env.FLOWBENCH_TEST_WORKSPACE ?? '{}') as { kind: 'quick' | 'broken'; dir: string; quickFlow?: string; slowFlow?: string; marker?: string };

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True once the engine's state journal for the quick flow holds a record of `step`. */
function stateRecorded(dir: string, step: string): boolean {
  const journal = join(dir, '.flowbench', 'state', 'quick.jsonl');
  return existsSync(journal) && readFileSync(journal, 'utf8').split('\n').some((line) => line.startsWith(`{"k":"${step}","v":`));
}

async function activated(): Promise<void> {
  const extension = vscode.extensions.getExtension('flowbench.flowbench');
  assert.ok(extension, 'the extension is not loaded');
  await extension.activate();
  assert.ok(extension.isActive);
}

const quickScenarios: Scenario[] = [
  { name: 'activates on a workspace with flow files', run: activated },
  {
    name: 'runs a step through the code-lens command signature [flowFile, step]',
    async run() {
      await vscode.commands.executeCommand('flowbench.runStep', workspace.quickFlow, 'prepare');
      await until('prepare to record its state', () => stateRecorded(workspace.dir, 'prepare'));
      assert.ok(existsSync(join(workspace.dir, 'out', 'a.txt')));
    },
  },
  {
    name: 'runs upstream through the code-lens command signature',
    async run() {
      await vscode.commands.executeCommand('flowbench.runUpstream', workspace.quickFlow, 'report');
      await until('report to record its state', () => stateRecorded(workspace.dir, 'report'));
    },
  },
  {
    name: 'an error typed into a flow file becomes a diagnostic',
    async run() {
      const doc = await vscode.workspace.openTextDocument(workspace.quickFlow!);
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((edit) => edit.insert(new vscode.Position(doc.lineCount, 0), '    needs: [nosuchstep]\n'));
      await until('a diagnostic about nosuchstep', () => vscode.languages.getDiagnostics(doc.uri).some((d) => d.message.includes('nosuchstep')));
      await vscode.commands.executeCommand('workbench.action.files.revert');
    },
  },
  {
    name: 'Stop kills a running step within 2 s',
    async run() {
      await vscode.commands.executeCommand('flowbench.runStep', workspace.slowFlow, 'nap');
      await until('the step processes', () => processesWith(workspace.marker!).length >= 2);
      const stoppedAt = Date.now();
      await vscode.commands.executeCommand('flowbench.stop');
      await until('the step processes to be gone', () => processesWith(workspace.marker!).length === 0, 2000);
      assert.ok(Date.now() - stoppedAt < 2000);
    },
  },
];

const brokenScenarios: Scenario[] = [
  { name: 'activates without error on broken flows', run: activated },
  {
    name: 'a cycle and bad YAML become diagnostics',
    async run() {
      for (const name of ['cycle.flow.yaml', 'bad-yaml.flow.yaml']) {
        const uri = vscode.Uri.file(join(workspace.dir, name));
        await vscode.window.showTextDocument(uri);
        await until(`diagnostics for ${name}`, () => vscode.languages.getDiagnostics(uri).length > 0);
      }
      const cycle = vscode.languages.getDiagnostics(vscode.Uri.file(join(workspace.dir, 'cycle.flow.yaml')));
      const path = 'Cycle: ping → pong → ping. Steps must form a DAG; remove one of these dependencies';
      assert.deepEqual(cycle.filter((d) => d.code === 'FB030').map((d) => d.message).sort(), [`${path} (ping needs pong).`, `${path} (pong needs ping).`]);
    },
  },
];

/** Entry point @vscode/test-electron calls inside the editor; a rejection fails the run. */
export async function run(): Promise<void> {
  const scenarios = workspace.kind === 'broken' ? brokenScenarios : quickScenarios;
  let failed = 0;
  for (const scenario of scenarios) {
    try {
      await scenario.run();
      console.log(`✔ ${scenario.name}`);
    } catch (err) {
      failed++;
      console.error(`✖ ${scenario.name}\n${err instanceof Error ? err.stack : err}`);
    }
  }
  console.log(`${scenarios.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} scenario(s) failed`);
}
