// Progress as plain lines, for logs, CI and pipes: every log line prefixed with its step, one line
// per step outcome.
import type { RunEvent } from '../../engine/events';
import { formatLocation, OUTCOME_SYMBOL } from '../format';
import { formatDuration } from '../../time-text';
import { line, paint, type Output } from '../output';
import type { RunProgress, RunView } from './run-progress';
import { outcomeColor } from './step-line';

export function plainView(o: Output, progress: RunProgress, opts: { logs: boolean }): RunView {
  const onEvent = (event: RunEvent) => {
    const logLines = progress.apply(event);
    if (event.type === 'step-log' && opts.logs) {
      for (const text of logLines) line(o.out, `${paint(o, 'gray', `[${event.step}]`)} ${text}`);
    }
    if (event.type === 'step-start') {
      const why = event.reasons.length ? `: ${event.reasons.join('; ')}` : '';
      line(o.out, event.attempt > 1 ? `↻ ${event.step} attempt ${event.attempt}` : `▶ ${event.step}${paint(o, 'gray', why)}`);
    } else if (event.type === 'step-end') {
      const symbol = paint(o, outcomeColor(event.outcome), OUTCOME_SYMBOL[event.outcome]);
      const detail =
        event.outcome === 'succeeded' ? formatDuration(event.durationMs)
        : event.outcome === 'failed' ? `failed: ${event.message ?? 'see the log above'}${formatLocation(event.location)}`
        : event.outcome;
      line(o.out, `${symbol} ${event.step} ${detail}`);
    }
  };
  return { live: false, onEvent, note: (text) => line(o.err, text), stop: () => {} };
}
