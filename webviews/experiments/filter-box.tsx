// The filter expression box. A problem is underlined where it is in the text (the box uses the editor's
// monospace font, so a mirror of the text lines up with it) and said below, with its column.
import { useId } from 'react';
import type { QueryProblem } from './contract';

interface Props {
  value: string;
  onChange(value: string): void;
  problems: readonly QueryProblem[];
}

export function FilterBox({ value, onChange, problems }: Props) {
  const id = useId();
  const first = problems[0];
  return (
    <div className="xp-filter">
      <label htmlFor={id} className="fb-visually-hidden">
        Filter runs
      </label>
      <div className="xp-filter-field">
        <input
          id={id}
          className={first ? 'xp-filter-input invalid' : 'xp-filter-input'}
          spellCheck={false}
          autoComplete="off"
          placeholder="Filter: metrics.auc > 0.7 and params.learning_rate < 0.01 and status = succeeded"
          value={value}
          aria-invalid={first ? true : undefined}
          aria-describedby={first ? `${id}-problem` : undefined}
          onChange={(event) => onChange(event.target.value)}
        />
        {first && (
          <div className="xp-filter-mirror" aria-hidden="true">
            <span className="xp-filter-before">{value.slice(0, first.start)}</span>
            <span className="xp-filter-mark" data-testid="filter-mark">
              {value.slice(first.start, Math.max(first.end, first.start + 1)) || ' '}
            </span>
          </div>
        )}
      </div>
      {first && (
        <div id={`${id}-problem`} className="xp-filter-problem" role="status" data-start={first.start} data-end={first.end}>
          col {first.start + 1}: {first.message}
        </div>
      )}
    </div>
  );
}
