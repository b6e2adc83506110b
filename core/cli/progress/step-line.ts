// How one step's state reads in a line of the live table.
import type { StepOutcome } from '../../engine/events';
import { OUTCOME_SYMBOL } from '../format';
import { formatDuration } from '../../time-text';
import type { Color } from '../output';
import type { StepProgress } from './run-progress';

export function outcomeColor(outcome: StepOutcome): Color {
  return outcome === 'succeeded' ? 'green' : outcome === 'failed' ? 'red' : outcome === 'cancelled' ? 'yellow' : 'gray';
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function stepCells(s: StepProgress, now: number, frame: number): { symbol: string; color: Color; time: string; detail: string } {
  if (s.state === 'pending') return { symbol: '·', color: 'gray', time: '', detail: 'waiting' };
  if (s.state === 'running') {
    const last = s.tail[s.tail.length - 1] ?? (s.attempt > 1 ? `attempt ${s.attempt}` : '');
    return { symbol: SPINNER[frame % SPINNER.length], color: 'blue', time: formatDuration(now - (s.started ?? now)), detail: last.trim() };
  }
  const detail = s.state === 'succeeded' ? '' : s.state === 'failed' ? `failed: ${s.message ?? ''}` : s.state;
  return { symbol: OUTCOME_SYMBOL[s.state], color: outcomeColor(s.state), time: s.state === 'succeeded' || s.state === 'failed' ? formatDuration(s.durationMs) : '', detail };
}
