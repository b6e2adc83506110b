// Typed access to the `flowbench.*` settings declared in package.json.
import * as vscode from 'vscode';

export interface Settings {
  /** Parallel steps; undefined lets the engine choose (one per core). */
  jobs: number | undefined;
  /** Python interpreter for `run:` steps; its folder goes first on PATH. */
  pythonPath: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

export function readSettings(scope?: vscode.Uri): Settings {
  const config = vscode.workspace.getConfiguration('flowbench', scope);
  const jobs = config.get<number | null>('jobs', null);
  return {
    jobs: typeof jobs === 'number' && jobs > 0 ? Math.floor(jobs) : undefined,
    pythonPath: config.get<string>('pythonPath', '').trim(),
    logLevel: config.get<Settings['logLevel']>('logLevel', 'info'),
  };
}
