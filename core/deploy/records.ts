// Deployment records under `.flowbench/deployments/<name>.json`: written atomically by the CLI, read by the
// CLI and the extension. A local record's status is only what was last written; `liveDeployment` says what
// is true now (the served process alive by its identity, and answering /ping), without writing the record.
import { mkdirSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { readJsonSync } from '../engine/atomic';
import { writeFileAtomic } from '../runs/atomic';
import { pidAlive, writerState } from '../runs/liveness';
import type { DeploymentRecord } from './types';

/** SageMaker's rule for endpoint names, which also keeps a name safe as a file name. */
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export function deploymentNameProblem(name: string): string | undefined {
  return NAME.test(name) ? undefined : `'${name}' is not a valid deployment name: use 1–63 letters, digits and hyphens, starting and ending with a letter or digit`;
}

export function deploymentsDir(stateDir: string): string {
  return join(stateDir, 'deployments');
}

/** The folder of one deployment's files (request log, baseline). */
export function deploymentDir(stateDir: string, name: string): string {
  return join(deploymentsDir(stateDir), name);
}

export function requestLogPath(stateDir: string, name: string): string {
  return join(deploymentDir(stateDir, name), 'requests.jsonl');
}

function recordPath(stateDir: string, name: string): string {
  if (deploymentNameProblem(name)) throw new Error(deploymentNameProblem(name));
  return join(deploymentsDir(stateDir), `${name}.json`);
}

/** The record as last written; `undefined` when there is none (or it cannot be read). */
export function readDeployment(stateDir: string, name: string): DeploymentRecord | undefined {
  const record = readJsonSync<DeploymentRecord>(recordPath(stateDir, name));
  return record && typeof record.name === 'string' && typeof record.target === 'string' ? record : undefined;
}

export function writeDeployment(stateDir: string, record: DeploymentRecord): void {
  const file = recordPath(stateDir, record.name);
  mkdirSync(deploymentsDir(stateDir), { recursive: true });
  writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n');
}

/** Answers whether `GET <url>/ping` returns 200 within `timeoutMs`. */
export function ping(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let req;
    try {
      req = request(`${url}/ping`, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
    } catch {
      resolve(false);
      return;
    }
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

const LIVE: ReadonlySet<string> = new Set(['starting', 'running', 'updating']);

/**
 * A local record as it is now: its process dead (or replaced by another with the same pid) → `stopped`; alive
 * and answering /ping → `running`; alive but silent → `starting` while it was starting, else `failed`.
 * SageMaker records are returned as written (their truth is in AWS).
 */
export async function liveDeployment(record: DeploymentRecord): Promise<DeploymentRecord> {
  if (record.target !== 'local' || !LIVE.has(record.status)) return record;
  if (!processAlive(record)) return { ...record, status: 'stopped' };
  if (record.url && (await ping(record.url))) return { ...record, status: 'running' };
  return record.status === 'starting' ? record : { ...record, status: 'failed', failureReason: `pid ${record.pid} is alive but ${record.url}/ping does not answer` };
}

/** The served process of a local record is alive (by its identity when recorded, else by pid). */
export function processAlive(record: DeploymentRecord): boolean {
  if (record.pid === undefined) return false;
  return record.writer ? writerState(record.writer) !== 'dead' : pidAlive(record.pid);
}

/** Every deployment of the project, with live status, by name. */
export async function listDeployments(stateDir: string): Promise<DeploymentRecord[]> {
  let files: string[];
  try {
    files = readdirSync(deploymentsDir(stateDir));
  } catch {
    return [];
  }
  const names = files.filter((f) => f.endsWith('.json') && !deploymentNameProblem(f.slice(0, -5))).map((f) => f.slice(0, -5)).sort();
  const records = names.map((n) => readDeployment(stateDir, n)).filter((r): r is DeploymentRecord => r !== undefined);
  return Promise.all(records.map(liveDeployment));
}
