// Keyboard helpers: a handler from a map of key chords, so components declare their keys in one place.
import type { KeyboardEvent } from 'react';

/** Chords like `ArrowDown`, `Shift+ArrowDown`, `Mod+a` (Mod: Ctrl, or Cmd on macOS), ` ` for Space. */
export type KeyMap = Record<string, (event: KeyboardEvent) => void>;

export function chordOf(event: { key: string; shiftKey: boolean; altKey: boolean; ctrlKey: boolean; metaKey: boolean }): string {
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push('Mod');
  if (event.altKey) parts.push('Alt');
  if (event.shiftKey && event.key.length > 1) parts.push('Shift');
  parts.push(event.key.length === 1 ? event.key.toLowerCase() : event.key);
  return parts.join('+');
}

/** Runs the map's handler for the chord pressed, and then swallows the event. */
export function onKeys(map: KeyMap): (event: KeyboardEvent) => void {
  return (event) => {
    const handler = map[chordOf(event)];
    if (!handler) return;
    event.preventDefault();
    event.stopPropagation();
    handler(event);
  };
}
