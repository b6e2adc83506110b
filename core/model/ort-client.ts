// Runs ONNX Runtime in a child process (ort-worker.ts) and waits for its one answer, with a time limit.
// Native-free: the extension host, the CLI and the model card may all call it; the runtime itself only
// ever loads in the child, so a crashing or hanging model cannot take the caller down.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { distDir } from '../dist-dir';
import type { OrtAnswer, OrtRequest } from './ort-protocol';

const DEFAULT_TIMEOUT_MS = 60_000;

/** Bundled: dist/ort-worker.js beside the caller's bundle (or above it, for a chunk in dist/lazy/); from sources (tests): the .ts file through tsx. */
function workerArgs(): string[] {
  if (__filename.endsWith('.ts')) return ['--import', 'tsx', join(__dirname, 'ort-worker.ts')];
  return [join(distDir(__dirname), 'ort-worker.js')];
}

export function ortWorkerAvailable(): boolean {
  const args = workerArgs();
  return existsSync(args[args.length - 1]!);
}

export function askOrt(request: OrtRequest, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<OrtAnswer> {
  return new Promise((done) => {
    const child = spawn(process.execPath, workerArgs(), {
      stdio: ['pipe', 'pipe', 'pipe'],
      // In the extension host execPath is Electron's binary: this makes it a plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (answer: OrtAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(answer);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, error: `ONNX Runtime did not answer within ${timeoutMs / 1000} s (stopped it)` });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', (err) => finish({ ok: false, error: `cannot start the ONNX Runtime worker: ${err.message}` }));
    child.on('close', (code, signal) => {
      try {
        finish(JSON.parse(stdout) as OrtAnswer);
      } catch {
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        finish({ ok: false, error: `the ONNX Runtime worker ${why}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}` });
      }
    });
    child.stdin.on('error', () => {}); // a worker that died early: its close event reports it
    child.stdin.end(JSON.stringify(request));
  });
}
