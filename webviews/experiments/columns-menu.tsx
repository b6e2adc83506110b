// Which columns show and which are pinned. With a thousand columns the list is narrowed by typing, not
// scrolled through: it shows at most SHOWN matches.
import { useState } from 'react';
import { Button } from '../components';
import { onKeys } from '../platform/keyboard';
import type { ColumnInfo, ViewState } from './contract';

const SHOWN = 200;

interface Props {
  columns: ColumnInfo[];
  state: ViewState;
  update(fn: (s: ViewState) => ViewState): void;
  onClose(): void;
}

export function ColumnsMenu({ columns, state, update, onClose }: Props) {
  const [search, setSearch] = useState('');
  const matches = columns.filter((c) => c.key.toLowerCase().includes(search.toLowerCase()));
  const toggle = (list: 'hidden' | 'pinned', key: string) =>
    update((s) => ({ ...s, [list]: s[list].includes(key) ? s[list].filter((k) => k !== key) : [...s[list], key] }));
  return (
    <div className="xp-columns" role="dialog" aria-label="Columns" onKeyDown={onKeys({ Escape: onClose })}>
      <div className="xp-columns-head">
        <input autoFocus className="xp-columns-search" aria-label="Find a column" placeholder="Find a column" value={search} onChange={(e) => setSearch(e.target.value)} />
        <Button onClick={() => update((s) => ({ ...s, hidden: [] }))}>Show all</Button>
        <Button onClick={() => update((s) => ({ ...s, order: [], widths: {} }))}>Reset order and widths</Button>
        <Button onClick={onClose}>Close</Button>
      </div>
      <ul className="xp-columns-list">
        {matches.slice(0, SHOWN).map((c) => (
          <li key={c.key}>
            <label>
              <input type="checkbox" checked={!state.hidden.includes(c.key)} onChange={() => toggle('hidden', c.key)} /> {c.key}
              {!c.differs && <span className="fb-muted"> (same in every run)</span>}
            </label>
            <button type="button" className="fb-plain" aria-pressed={state.pinned.includes(c.key)} aria-label={`Pin ${c.key}`} onClick={() => toggle('pinned', c.key)}>
              {state.pinned.includes(c.key) ? 'Unpin' : 'Pin'}
            </button>
          </li>
        ))}
      </ul>
      {matches.length > SHOWN && <div className="fb-muted">{matches.length - SHOWN} more: type to narrow</div>}
    </div>
  );
}
