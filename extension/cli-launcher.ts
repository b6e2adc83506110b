// "Flowbench: Install CLI in PATH", as VS Code installs `code`: a small launcher script named `flowbench` in
// a user bin folder (~/.local/bin, on PATH in most Linux and macOS shells) that runs the CLI bundled in the
// extension with the editor's own Node (Electron as Node, ELECTRON_RUN_AS_NODE=1), so no Node install is
// needed. Reinstalling replaces only a launcher this command wrote. No `vscode` import, so it is unit-tested.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

const MARKER = '# flowbench launcher, written by the Flowbench extension';

export interface LauncherInstall {
  /** Folder the launcher goes into; ~/.local/bin by default. */
  binDir?: string;
  /** The Node (or Electron) binary that runs the CLI. */
  nodePath: string;
  /** Absolute path of the extension's dist/cli.js. */
  cliPath: string;
  /** PATH to check the folder against; process.env.PATH by default. */
  pathEnv?: string;
}

export interface LauncherResult {
  file: string;
  /** Whether `binDir` is on PATH, i.e. `flowbench` works in a new shell as it is. */
  onPath: boolean;
  /** A line for the user's shell profile when it is not. */
  pathHint?: string;
}

/** Single-quoted for /bin/sh: nothing inside is expanded. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function launcherScript(nodePath: string, cliPath: string): string {
  return `#!/bin/sh
${MARKER}; run "Flowbench: Install CLI in PATH" again after moving the editor.
cli=${shellQuote(cliPath)}
if [ ! -f "$cli" ]; then
  echo "flowbench: $cli is gone (the extension was updated or removed); run \\"Flowbench: Install CLI in PATH\\" in the editor again." >&2
  exit 127
fi
ELECTRON_RUN_AS_NODE=1 exec ${shellQuote(nodePath)} "$cli" "$@"
`;
}

const launcherFile = (binDir: string | undefined) => join(resolve(binDir ?? join(homedir(), '.local', 'bin')), 'flowbench');

/**
 * Keeps an installed launcher pointing at this copy of the extension: an update installs into a new versioned
 * folder and removes the old one, which would leave `flowbench` broken until the command was run again.
 * Touches only a launcher this extension wrote, and only when its text differs.
 */
export function refreshLauncher(options: LauncherInstall): 'updated' | 'current' | 'none' {
  if (process.platform === 'win32') return 'none';
  const file = launcherFile(options.binDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 'none';
  }
  if (!text.includes(MARKER)) return 'none';
  if (text === launcherScript(options.nodePath, options.cliPath)) return 'current';
  writeLauncher(file, options);
  return 'updated';
}

function writeLauncher(file: string, options: LauncherInstall): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, launcherScript(options.nodePath, options.cliPath), { mode: 0o755 });
  chmodSync(temp, 0o755);
  renameSync(temp, file);
}

export function installLauncher(options: LauncherInstall): LauncherResult {
  if (process.platform === 'win32') throw new Error('Installing the CLI in PATH is not supported on Windows yet; run `node <extension>/dist/cli.js` instead.');
  const file = launcherFile(options.binDir);
  const binDir = dirname(file);
  if (existsSync(file) && !readFileSync(file, 'utf8').includes(MARKER)) {
    throw new Error(`${file} exists and was not written by Flowbench; remove it or rename it, then run the command again.`);
  }
  writeLauncher(file, options);
  const onPath = (options.pathEnv ?? process.env.PATH ?? '').split(delimiter).some((dir) => dir && resolve(dir) === binDir);
  return { file, onPath, pathHint: onPath ? undefined : `export PATH=${shellQuote(binDir)}:"$PATH"` };
}
