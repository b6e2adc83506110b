// The extension host's end of one location's long-lived MLflow reader (core/mlflow/reader-service.ts): the
// CLI started once (`flowbench runs --source mlflow --mlflow URI --serve`) and asked over JSON lines while
// the panel is open, started again if it exits. better-sqlite3 is native and the file store's reads are
// synchronous: both stay in that process, never in the extension host.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TrackingLocation } from '../../core/mlflow/locate';

export interface CliCommand {
  nodePath: string;
  cliPath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ReaderChild {
  request<T>(op: string, args?: Record<string, unknown>): Promise<T>;
  /** Ends the child (its stdin closes, it exits); a later request starts another. */
  close(): void;
}

type Pending = { resolve(value: unknown): void; reject(err: Error): void; timer: ReturnType<typeof setTimeout> };

export function readerChild(cli: CliCommand, location: TrackingLocation, timeoutMs: number): ReaderChild {
  let child: ChildProcess | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (message: string) => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(message));
    }
    pending.clear();
  };

  const start = (): ChildProcess => {
    const proc = spawn(cli.nodePath, [cli.cliPath, 'runs', '--source', 'mlflow', '--mlflow', location.uri, '--serve'], {
      ...(cli.cwd ? { cwd: cli.cwd } : {}),
      env: { ...process.env, ...cli.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      if (line.trim() && stderr.length < 4) stderr.push(line.replace(/^flowbench( runs)?: /, '').trim());
    });
    createInterface({ input: proc.stdout!, crlfDelay: Infinity }).on('line', (line) => {
      let answer: { id: number; ok?: unknown; error?: string };
      try {
        answer = JSON.parse(line) as typeof answer;
      } catch {
        return;
      }
      const p = pending.get(answer.id);
      if (!p) return;
      pending.delete(answer.id);
      clearTimeout(p.timer);
      if (answer.error !== undefined) p.reject(new Error(answer.error));
      else p.resolve(answer.ok);
    });
    const gone = (why: string) => {
      if (child === proc) child = undefined;
      failAll(stderr.slice(0, 2).join(' — ') || why);
    };
    proc.on('error', (err) => gone(`the MLflow reader could not start: ${err.message}`));
    proc.on('exit', (code, signal) => gone(`the MLflow reader stopped (${signal ?? `exit code ${code}`})`));
    // A host that dies takes its stdin pipe with it, which ends the child; it never holds the host open.
    proc.stdin!.on('error', () => undefined);
    return proc;
  };

  return {
    request<T>(op: string, args: Record<string, unknown> = {}) {
      child ??= start();
      const proc = child;
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`the MLflow reader did not answer ${op} within ${Math.round(timeoutMs / 1000)} s`));
          // Wedged: the next request gets a new one.
          proc.kill();
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.stdin!.write(JSON.stringify({ id, op, ...args }) + '\n');
      });
    },
    close() {
      const proc = child;
      child = undefined;
      proc?.stdin!.end();
      failAll('the MLflow reader was closed');
    },
  };
}
