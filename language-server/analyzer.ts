// Flow analysis runs in a worker thread. The YAML parser can take seconds on some malformed input, and the
// server must keep answering meanwhile: requests use the last finished analysis, and a worker that overruns
// its budget is replaced rather than waited for.
import { Worker } from 'node:worker_threads';
import type { FlowAnalysis, SqlFileInfo } from '../core/flow/analyze';
import { MAX_SQL_FEATURE_CHARS } from '../core/analysis/workspace';
import { analyzeFlow } from '../core/flow/analyze';
import { buildGraph } from '../core/flow/graph';
import { diskHost, type FileHost } from '../core/flow/host';
import type { Flow, Problem } from '../core/flow/model';
import { LineIndex } from '../core/flow/positions';

/** Past this a flow's analysis is abandoned and the file reported as too complex. */
export const ANALYSIS_BUDGET_MS = 1000;

interface Job {
  id: number;
  file: string;
  text: string;
  /** Unsaved buffers changed since the worker last saw them (the worker keeps the rest); null: closed. */
  buffers: Record<string, string | null>;
}

/** What crosses back from the worker: plain data only (the graph is rebuilt here, it holds functions). */
interface Outcome {
  id: number;
  flow?: Flow;
  problems?: Problem[];
  sql?: SqlText[];
  error?: string;
}

/**
 * A SQL file as the worker read it, with its template scan (rescanning a large file here would stall
 * requests). The text comes back only when it was read from disk: buffers are known on this side.
 */
type SqlText = Omit<SqlFileInfo, 'lines' | 'text'> & { text?: string };

export type AnalysisResult = { analysis: FlowAnalysis } | { timedOut: true } | { failed: string };

export class Analyzer {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: AnalysisResult) => void; timer: NodeJS.Timeout }>();
  /** Jobs posted and not answered yet, to re-post to a replacement worker. */
  private readonly jobs = new Map<number, Job>();
  /** The buffers the current worker holds; only changes cross over, big SQL buffers are not copied per job. */
  private sent = new Map<string, string>();
  private buffers = new Map<string, string>();

  /** `script` is the bundle that, loaded in a worker thread, calls `serveAnalysis`. */
  constructor(private readonly script: string) {}

  analyze(file: string, text: string, buffers: Map<string, string>): Promise<AnalysisResult> {
    const id = this.nextId++;
    this.buffers = buffers;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // The worker is stuck in one file: replace it; jobs queued behind it are retried on the new one.
        this.waiting.delete(id);
        resolve({ timedOut: true });
        this.restart();
      }, ANALYSIS_BUDGET_MS);
      this.waiting.set(id, { resolve, timer });
      const job: Job = { id, file, text, buffers: {} };
      this.jobs.set(id, job);
      this.post(job);
    });
  }

  private post(job: Job): void {
    const worker = this.ensureWorker();
    const changes: Job['buffers'] = {};
    for (const [file, text] of this.buffers) if (this.sent.get(file) !== text) changes[file] = text;
    for (const file of this.sent.keys()) if (!this.buffers.has(file)) changes[file] = null;
    this.sent = new Map(this.buffers);
    worker.postMessage({ ...job, buffers: changes });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { argv: ['--flowbench-analysis-worker'] });
    this.sent = new Map();
    worker.on('message', (outcome: Outcome) => this.settle(outcome));
    worker.on('error', () => this.restart());
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(outcome: Outcome): void {
    this.jobs.delete(outcome.id);
    const waiter = this.waiting.get(outcome.id);
    if (!waiter) return;
    this.waiting.delete(outcome.id);
    clearTimeout(waiter.timer);
    if (outcome.error || !outcome.flow || !outcome.problems || !outcome.sql) {
      waiter.resolve({ failed: outcome.error ?? 'no result' });
      return;
    }
    const sql = outcome.sql.map((f) => ({ ...f, text: f.text ?? this.buffers.get(f.file) ?? '' }));
    waiter.resolve({ analysis: rebuild(outcome.flow, outcome.problems, sql) });
  }

  private restart(): void {
    const old = this.worker;
    this.worker = undefined;
    void old?.terminate();
    const pending = [...this.jobs.values()].filter((j) => this.waiting.has(j.id));
    this.jobs.clear();
    for (const job of pending) {
      this.jobs.set(job.id, job);
      this.post(job);
    }
  }

  dispose(): void {
    void this.worker?.terminate();
  }
}

function rebuild(flow: Flow, problems: Problem[], files: Omit<SqlFileInfo, 'lines'>[]): FlowAnalysis {
  const sql = new Map<string, SqlFileInfo>();
  for (const f of files) sql.set(f.step, { ...f, lines: new LineIndex(f.text) });
  return { flow, graph: buildGraph(flow, sql), sql, problems };
}

/** Broken YAML can yield a problem per character; past this many per file, more would only slow the editor. */
const MAX_PROBLEMS_PER_FILE = 500;

function firstPerFile(problems: Problem[], max: number): Problem[] {
  const counts = new Map<string, number>();
  return problems.filter((p) => {
    const n = (counts.get(p.file) ?? 0) + 1;
    counts.set(p.file, n);
    return n <= max;
  });
}

/** The worker side: analyse each job with a host that prefers the buffers sent along. */
export function serveAnalysis(port: { on(event: 'message', fn: (job: Job) => void): void; postMessage(o: Outcome): void }): void {
  const buffers = new Map<string, string>();
  const host: FileHost = {
    readText: (file) => buffers.get(file) ?? diskHost.readText(file),
    exists: (file) => buffers.has(file) || diskHost.exists(file),
  };
  port.on('message', (job) => {
    for (const [file, text] of Object.entries(job.buffers)) {
      if (text === null) buffers.delete(file);
      else buffers.set(file, text);
    }
    try {
      const { flow, problems, sql } = analyzeFlow(job.file, job.text, host);
      const files = [...sql.values()].map(({ step, file, text, template }) => ({
        step,
        file,
        // Copying a huge file's template scan on every analysis would stall the server; such files get none.
        template: text.length > MAX_SQL_FEATURE_CHARS ? { calls: [], spans: [], problems: [] } : template,
        ...(buffers.has(file) ? {} : { text }),
      }));
      port.postMessage({ id: job.id, flow, problems: firstPerFile(problems, MAX_PROBLEMS_PER_FILE), sql: files });
    } catch (e) {
      port.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
