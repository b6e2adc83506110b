// Live progress on a terminal: a compact per-step table redrawn in place, with spinners, durations
// and each running step's latest log line. Logs of a failing step are shown by the summary.
import { paint, type Output } from '../output';
import type { RunProgress, RunView, StepProgress } from './run-progress';
import { stepCells } from './step-line';

const FRAME_MS = 80;

export function ttyView(o: Output, progress: RunProgress): RunView {
  let drawn = 0;
  let frame = 0;
  let stopped = false;
  const draw = () => {
    const columns = o.out.columns || 100; // 0 when the terminal does not say
    const rows = visibleSteps(progress, Math.max(5, (process.stdout.rows ?? 30) - 4));
    const width = Math.max(...[...progress.steps.keys()].map((n) => n.length), 4);
    const now = Date.now();
    const lines = rows.map((s) => {
      if (typeof s === 'string') return paint(o, 'gray', s);
      const c = stepCells(s, now, frame);
      const head = ` ${s.name.padEnd(width)} ${c.time.padStart(7)}  `;
      // Lines must never wrap, or moving the cursor up by the line count would miss.
      const detail = c.detail.slice(0, Math.max(0, columns - 3 - head.length));
      return paint(o, c.color, ` ${c.symbol}`) + head + paint(o, 'gray', detail);
    });
    o.out.write((drawn ? `\x1b[${drawn}A` : '') + '\x1b[0J' + lines.map((l) => l + '\n').join(''));
    drawn = lines.length;
    frame++;
  };
  /** Printed above the table, which is then drawn afresh below it. */
  const note = (text: string) => {
    o.out.write((drawn ? `\x1b[${drawn}A` : '') + '\x1b[0J' + text + '\n');
    drawn = 0;
    draw();
  };
  const timer = setInterval(draw, FRAME_MS);
  timer.unref();
  return {
    live: true,
    note,
    onEvent(event) {
      progress.apply(event);
      if (event.type === 'run-start') draw();
      // The engine's warnings (a corrupt cache object, a FIFO left out) matter even when the step succeeds.
      else if (event.type === 'step-log' && event.text.startsWith('flowbench: warning: ')) note(`${event.step}: ${event.text}`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw();
    },
  };
}

/** When the flow is taller than the terminal: running and failed steps first, then finished ones, the rest counted. */
function visibleSteps(progress: RunProgress, max: number): (StepProgress | string)[] {
  const all = [...progress.steps.values()];
  if (all.length <= max) return all;
  const rank = (s: StepProgress) => (s.state === 'running' ? 0 : s.state === 'failed' ? 1 : s.state === 'pending' ? 3 : 2);
  const chosen = new Set([...all].sort((a, b) => rank(a) - rank(b)).slice(0, max - 1));
  const shown = all.filter((s) => chosen.has(s));
  const done = all.filter((s) => !chosen.has(s) && s.state !== 'pending' && s.state !== 'running').length;
  return [...shown, `   … ${all.length - shown.length} more steps (${done} done, ${all.length - shown.length - done} waiting)`];
}
