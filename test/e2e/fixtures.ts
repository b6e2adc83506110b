// Workspaces the editor suites open: small fast flows made fresh in a temp folder for each suite.
// Shared by the code-server suite (test/e2e) and the @vscode/test-electron suite (test/extension).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface QuickWorkspace {
  dir: string;
  quickFlow: string;
  slowFlow: string;
  /** One step whose script throws on line 3 of steps/boom.mjs. */
  failingFlow: string;
  /** Appears in the command line of every process the slow step starts, to find leftovers. */
  marker: string;
}

/**
 * `quick`: two chained steps that take milliseconds. `slow`: one step that sleeps in two processes until
 * stopped. `failing`: one step whose script throws.
 */
export function makeQuickWorkspace(): QuickWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-ws-'));
  const marker = `fbmark${process.pid}x${Date.now()}`;
  const quickFlow = join(dir, 'quick.flow.yaml');
  writeFileSync(
    quickFlow,
    `flow: quick
description: Two fast steps for the editor tests
params:
  greeting: hello
steps:
  prepare:
    run: node -e "require('fs').mkdirSync('out',{recursive:true}); require('fs').writeFileSync('out/a.txt', process.argv[1])" \${params.greeting}
    outs: [out/a.txt]
  report:
    run: node -e "const fs=require('fs'); fs.writeFileSync('out/b.txt', fs.readFileSync('out/a.txt','utf8').toUpperCase()); console.log('report written')"
    deps: [out/a.txt]
    outs: [out/b.txt]
`,
  );
  const sleeper = `node -e "setTimeout(()=>{},300000)" ${marker}`;
  const slowFlow = join(dir, 'slow.flow.yaml');
  writeFileSync(slowFlow, `flow: slow\nsteps:\n  nap:\n    run: ${sleeper} & ${sleeper}; wait\n`);
  mkdirSync(join(dir, 'steps'));
  writeFileSync(join(dir, 'steps', 'boom.mjs'), `console.log('about to fail');\nconst config = undefined;\nconsole.log(config.threshold);\n`);
  const failingFlow = join(dir, 'failing.flow.yaml');
  writeFileSync(failingFlow, `flow: failing\nsteps:\n  boom:\n    run: node steps/boom.mjs\n    deps: [steps/boom.mjs]\n`);
  return { dir, quickFlow, slowFlow, failingFlow, marker };
}

/** One flow that is not valid YAML and one whose steps form a cycle (plus a healthy step). */
export function makeBrokenWorkspace(): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-broken-'));
  writeFileSync(join(dir, 'bad-yaml.flow.yaml'), `flow: bad-yaml\nsteps:\n  first:\n    run: echo one\n  second: [unclosed\n    run: echo two\n`);
  writeFileSync(
    join(dir, 'cycle.flow.yaml'),
    `flow: cycle\nsteps:\n  ping:\n    run: echo ping\n    needs: [pong]\n  pong:\n    run: echo pong\n    needs: [ping]\n  fine:\n    run: echo fine\n`,
  );
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'README.md'), 'A workspace whose flows are broken on purpose.\n');
  return { dir };
}

/** Pids of live processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}
