// Ends a run's step process groups when the runner dies without doing so itself (SIGKILL, OOM killer, a
// second Ctrl-C). One reaper per run: a tiny /bin/sh loop in its own session that reads "+pgid" / "-pgid"
// lines from a pipe whose only writer is the runner. EOF on that pipe means the runner is gone, by whatever
// death; the reaper then sends TERM, and KILL after REAPER_GRACE_S, to every group still registered.
// A shell rather than a Node process: it starts in about a millisecond and holds a few hundred KB, and the
// runner's side is one pipe write per step: a finished group's "-pgid" waits for the next "+pgid" (or the
// next turn of the event loop, so a recycled pid is never left registered), which halves the writes and the
// reaper's wake-ups in a chain of short steps (measured in test/bench/engine.bench.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { isGroupId } from './process-tree';

/** Between the reaper's TERM and KILL; short, because Stop's TERM usually came before. */
export const REAPER_GRACE_S = 0.5;

const SCRIPT = `trap '' INT HUP
groups=' '
while read -r line; do
  p=\${line#?}
  # Only plain group ids above 1: "kill -- -1" would signal every process on the machine.
  case $p in '' | *[!0-9]* | 0* | 1) continue ;; esac
  case $line in
    +*) groups="$groups$p " ;;
    -*) case $groups in *" $p "*) groups="\${groups%% $p *} \${groups#* $p }" ;; esac ;;
  esac
done
[ "$groups" = ' ' ] && exit 0
for p in $groups; do kill -s TERM -- "-$p" 2>/dev/null; done
sleep ${REAPER_GRACE_S}
for p in $groups; do kill -s KILL -- "-$p" 2>/dev/null; done
`;

export class Reaper {
  private child: ChildProcess | undefined;
  /** "-pgid" lines not written yet; a group is registered at once, its removal can wait a turn. */
  private removals = '';
  private flushing: NodeJS.Immediate | undefined;

  /** Started with the first group, so a run with nothing to spawn never pays for it. */
  add(pgid: number): void {
    if (isGroupId(pgid)) this.start().stdin!.write(`${this.takeRemovals()}+${pgid}\n`);
  }

  remove(pgid: number): void {
    if (!isGroupId(pgid) || !this.child) return;
    this.removals += `-${pgid}\n`;
    this.flushing ??= setImmediate(() => {
      const lines = this.takeRemovals();
      if (lines) this.child?.stdin!.write(lines);
    });
  }

  /** The run is over: the reaper ends whatever is still registered (normally nothing) and exits. */
  close(): void {
    this.child?.stdin!.end(this.takeRemovals());
    this.child = undefined;
  }

  private takeRemovals(): string {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const lines = this.removals;
    this.removals = '';
    return lines;
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    // Its own session: a kill of the runner's process group (the extension's Stop backstop) spares it.
    const child = spawn('/bin/sh', ['-c', SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    // A reaper that could not start or died only loses the backstop; the run itself goes on.
    child.on('error', () => {});
    child.stdin!.on('error', () => {});
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    return child;
  }
}
