// sha256 of files on worker threads, so cold hashing of a large tree uses every core instead of one.
// The worker is inline source: bundles (CJS, no file layout to rely on) can start it anywhere.
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const buffer = Buffer.allocUnsafe(8 << 20);
parentPort.on('message', ({ id, path }) => {
  let fd;
  try {
    const hash = createHash('sha256');
    fd = fs.openSync(path, 'r');
    let n;
    while ((n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
    parentPort.postMessage({ id, hash: hash.digest('hex') });
  } catch (err) {
    parentPort.postMessage({ id, error: err.message });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

interface Job {
  resolve(hash: string): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

export class HashPool {
  private slots: Slot[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;

  constructor(private readonly size = Math.max(1, os.availableParallelism())) {}

  hash(path: string): Promise<string> {
    if (this.slots.length === 0) this.start();
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    if (slot.busy === 1) slot.worker.ref();
    return new Promise<string>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      slot.worker.postMessage({ id, path });
    }).finally(() => {
      // An idle pool must not keep the process alive.
      if (--slot.busy === 0) slot.worker.unref();
    });
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (m: { id: number; hash?: string; error?: string }) => {
        const job = this.jobs.get(m.id);
        this.jobs.delete(m.id);
        if (m.hash !== undefined) job?.resolve(m.hash);
        else job?.reject(new Error(m.error));
      });
      worker.on('error', (err) => this.failAll(err));
      // After the listeners: adding a 'message' listener refs the worker again.
      worker.unref();
      this.slots.push({ worker, busy: 0 });
    }
  }

  /** A worker that died takes its jobs with it; the pool restarts on the next request. */
  private failAll(err: Error): void {
    for (const job of this.jobs.values()) job.reject(err);
    this.jobs.clear();
    for (const s of this.slots) void s.worker.terminate();
    this.slots = [];
  }
}

/** One pool per process: workers are started once and sleep, unreferenced, between uses. */
export const sharedHashPool = new HashPool();
