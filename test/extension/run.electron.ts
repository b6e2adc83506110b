// `npm run test:electron`: downloads VS Code with @vscode/test-electron and runs suite.electron.ts inside
// it, once on the quick workspace and once on the broken one. Needs a machine that can download VS Code
// (the project's CI cannot: there the code-server suite in test/e2e covers the same scenarios).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { makeBrokenWorkspace, makeQuickWorkspace } from '../e2e/fixtures';

const root = resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  const suite = join(root, 'dist', 'test-electron', 'suite.js');
  await build({ entryPoints: [join(__dirname, 'suite.electron.ts')], outfile: suite, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] });

  const quick = makeQuickWorkspace();
  const broken = makeBrokenWorkspace();
  try {
    for (const workspace of [{ kind: 'quick', ...quick }, { kind: 'broken', ...broken }]) {
      await runTests({
        extensionDevelopmentPath: root,
        extensionTestsPath: suite,
        launchArgs: [workspace.dir, '--disable-extensions', '--disable-workspace-trust'],
        extensionTestsEnv: { FLOWBENCH_TEST_WORKSPACE: JSON.stringify(workspace) },
      });
    }
  } finally {
    rmSync(quick.dir, { recursive: true, force: true });
    rmSync(broken.dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
