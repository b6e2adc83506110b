// Starting and stopping local endpoints. The served process (endpoint-server.ts) runs detached in its own
// process group, so it outlives the CLI or editor that started it; its model is a copy under
// `.flowbench/deployments/<name>/model.onnx`, so the cache or a new run cannot change what it serves.
// Native-free: ONNX Runtime loads only in the served process.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { distDir } from '../dist-dir';
import { copyFileAtomic } from '../engine/atomic';
import { processIdentity } from '../runs/liveness';
import type { WriterIdentity } from '../runs/types';
import { deploymentDir, ping, processAlive, requestLogPath } from './records';
import type { DeploymentRecord } from './types';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 35_000;

/** Bundled: dist/endpoint-server.js beside the caller's bundle (or above it, for a chunk in dist/lazy/); from sources (tests): the .ts file through tsx. */
function serverArgs(): string[] {
  if (__filename.endsWith('.ts')) return ['--import', 'tsx', join(__dirname, 'endpoint-server.ts')];
  return [join(distDir(__dirname), 'endpoint-server.js')];
}

export interface StartOptions {
  stateDir: string;
  name: string;
  /** The model file to serve (a cache object or the working file); copied before it is served. */
  modelFile: string;
  /** 0: any free port. */
  port: number;
  batching?: boolean;
  maxBatch?: number;
  batchWindowMs?: number;
  logMaxBytes?: number;
  /** The bundled server to run instead of the one beside this module (the bench measures what ships). */
  entry?: string;
}

export interface Started {
  pid: number;
  port: number;
  url: string;
  batching: boolean;
  /** For liveness later: the pid with its start time, so a reused pid is not taken for the endpoint. */
  writer: WriterIdentity;
}

export class StartError extends Error {}

/** Starts the endpoint and resolves once it answers /ping; a StartError says why it could not (port taken, model refused). */
export async function startLocalEndpoint(o: StartOptions): Promise<Started> {
  const dir = deploymentDir(o.stateDir, o.name);
  const model = join(dir, 'model.onnx');
  await copyFileAtomic(o.modelFile, model);
  const errFd = openSync(join(dir, 'server.log'), 'a');
  const args = [
    ...(o.entry ? [o.entry] : serverArgs()), '--model', model, '--port', String(o.port), '--log', requestLogPath(o.stateDir, o.name),
    ...(o.batching === false ? ['--no-batching'] : []),
    ...(o.maxBatch !== undefined ? ['--max-batch', String(o.maxBatch)] : []),
    ...(o.batchWindowMs !== undefined ? ['--batch-window-ms', String(o.batchWindowMs)] : []),
    ...(o.logMaxBytes !== undefined ? ['--log-max-bytes', String(o.logMaxBytes)] : []),
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', errFd],
    // In the extension host execPath is Electron's binary: this makes it a plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  closeSync(errFd);
  const announcement = await new Promise<{ ready: boolean; port?: number; error?: string; batching?: boolean }>((resolve) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ready: false, error: `the endpoint did not start within ${START_TIMEOUT_MS / 1000} s (see ${join(dir, 'server.log')})` });
    }, START_TIMEOUT_MS);
    const done = (v: { ready: boolean; port?: number; error?: string }) => {
      clearTimeout(timer);
      resolve(v);
    };
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      try {
        done(JSON.parse(out.slice(0, nl)));
      } catch {
        done({ ready: false, error: `the endpoint printed something unexpected: ${out.slice(0, 200)}` });
      }
    });
    child.on('error', (err) => done({ ready: false, error: `cannot start the endpoint process: ${err.message}` }));
    child.on('close', (code, signal) => done({ ready: false, error: `the endpoint process ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before it was ready (see ${join(dir, 'server.log')})` }));
  });
  child.stdout!.destroy();
  child.removeAllListeners('close');
  child.unref();
  if (!announcement.ready || !announcement.port) throw new StartError(announcement.error ?? 'the endpoint did not say it was ready');
  const url = `http://127.0.0.1:${announcement.port}`;
  if (!(await ping(url, 5000))) throw new StartError(`the endpoint said it was ready but ${url}/ping does not answer`);
  return { pid: child.pid!, port: announcement.port, url, batching: announcement.batching === true, writer: processIdentity(child.pid!) };
}

/**
 * SIGTERM, then waits until the process is gone (it drains in-flight requests first); SIGKILL after
 * STOP_TIMEOUT_MS. Resolves to how it ended.
 */
export async function stopLocalEndpoint(record: DeploymentRecord, timeoutMs = STOP_TIMEOUT_MS): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!processAlive(record)) return 'not-running';
  try {
    process.kill(record.pid!, 'SIGTERM');
  } catch {
    return 'not-running';
  }
  const deadline = Date.now() + timeoutMs;
  // Not our child (another CLI started it): no exit event to wait for, so the pid is polled.
  while (Date.now() < deadline) {
    if (!processAlive(record)) return 'stopped';
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    process.kill(record.pid!, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  return 'killed';
}
