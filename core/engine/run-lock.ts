// One run at a time per state folder (.flowbench/): two runs writing the same journals would lose records
// (a compaction renames the file while the other process appends to the old one). Read-only commands
// (status, runs, show) never take the lock: journals are replaced by rename, so a reader sees the old or the new file.
//
// The lock is the file .flowbench/lock, created whole (written to a temp file, then hard-linked into place,
// which fails if it exists) and naming its holder. It is stale exactly when its holder is dead, by the
// same test as run records (pid, process start time, boot id: core/runs/liveness.ts), so a crash, SIGKILL
// or reboot never blocks the next run. Hand-written rather than proper-lockfile: that library calls a lock
// stale when its holder stops refreshing its mtime, so a suspended run (Ctrl-Z, a sleeping laptop) loses
// it, and it cannot say who holds it.
//
// Taking over a stale lock is itself guarded: the remover first creates `lock.<digest of its content>.claim`
// exclusively, so of several processes finding the same dead holder only one removes the file, and it
// removes it only if it still holds that content (a lock taken meanwhile is never removed).
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentWriter, writerState } from '../runs/liveness';
import type { WriterIdentity } from '../runs/types';

export interface LockHolder extends WriterIdentity {
  runId: string;
  since: number;
  nonce: string;
}

/** How often a waiting run looks again; a lock is held for a whole run, so this costs nothing noticeable. */
const POLL_MS = 100;
/** A lock file that does not parse is taken to be stale once this old (a writer fills it in at once). */
const UNREADABLE_GRACE_MS = 2_000;

/** How a holder is named to people: a sweep holds the lock as `sweep-<id>` for all its variants. */
export function holderName(runId: string): string {
  return runId.startsWith('sweep-') ? `sweep ${runId.slice(6)}` : `run ${runId}`;
}

export type LockResult = { lock: StateLock } | { busy: LockHolder } | { cancelled: true };

export class StateLock {
  private readonly onExit = () => this.release();

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {
    // A process ending through process.exit (a second Ctrl-C) still frees the folder for the next run.
    process.on('exit', this.onExit);
  }

  release(): void {
    process.off('exit', this.onExit);
    // Only our own lock: after a wrong take-over (a clock or pid oddity) the other run's lock stays.
    if (readText(this.file) === this.text) fs.rmSync(this.file, { force: true });
  }
}

/**
 * Takes the state folder's lock for run `runId`. With `wait`, polls until the holder ends (telling
 * `onWait` once per holder); without it, returns the holder at once. A dead holder's lock is taken over.
 */
export async function acquireStateLock(
  stateDir: string,
  runId: string,
  opts: { wait: boolean; signal?: AbortSignal; onWait?: (holder: LockHolder) => void },
): Promise<LockResult> {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, 'lock');
  const text = JSON.stringify({ ...currentWriter(), runId, since: Date.now(), nonce: randomBytes(8).toString('hex') } satisfies LockHolder);
  let told: string | undefined;
  for (;;) {
    if (opts.signal?.aborted) return { cancelled: true };
    if (createExclusive(file, text)) return { lock: new StateLock(file, text) };
    const found = readText(file);
    if (found === undefined) continue; // released in between
    const holder = parseHolder(found);
    if (isStale(file, holder)) {
      if (takeOver(file, found, text)) continue;
    } else if (!holder) {
      // Being written by a process without hard links: it names its holder in a moment.
    } else if (!opts.wait) {
      return { busy: holder };
    } else if (found !== told) {
      told = found;
      opts.onWait?.(holder);
    }
    if (!(await pause(opts.signal))) return { cancelled: true };
  }
}

/** Writes `text` to `file` only if nothing is there, never leaving a half-written file under that name. */
function createExclusive(file: string, text: string): boolean {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, text);
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // A file system without hard links: an exclusive create, filled at once (readers allow for the gap).
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h?.pid === 'number' && typeof h.runId === 'string' && typeof h.hostname === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

function isStale(file: string, holder: LockHolder | undefined): boolean {
  if (holder) return writerState(holder) === 'dead';
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return !st || Date.now() - st.mtimeMs > UNREADABLE_GRACE_MS;
}

/**
 * Removes `file` if it still holds `found`, whose holder is dead. Returns false when another live process
 * is already doing it (the caller waits a moment and looks again).
 */
function takeOver(file: string, found: string, mine: string): boolean {
  const claim = `${file}.${createHash('sha256').update(found).digest('hex').slice(0, 16)}.claim`;
  if (!createExclusive(claim, mine)) {
    // The claimer itself may have died between its claim and the removal: its claim is stale in turn.
    const other = readText(claim);
    if (other === undefined) return true;
    return isStale(claim, parseHolder(other)) && takeOver(claim, other, mine);
  }
  try {
    if (readText(file) === found) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(claim, { force: true });
  }
  return true;
}

function pause(signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((done) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done(true);
    }, POLL_MS);
    const onAbort = () => {
      clearTimeout(timer);
      done(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
