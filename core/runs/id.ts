// Run ids sort by start time (UTC, to the second) and carry a random suffix; the store reserves each
// id by creating its directory exclusively, so two processes starting in the same second never share one.
import { randomBytes } from 'node:crypto';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatRunId(time: number, suffix: string): string {
  const d = new Date(time);
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const clock = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${date}-${clock}-${suffix}`;
}

export function randomRunId(time = Date.now()): string {
  return formatRunId(time, randomBytes(2).toString('hex'));
}

/** Run ids become directory names; anything else found under runs/ is not a run. */
export function isRunId(name: string): boolean {
  return /^\d{8}-\d{6}-[0-9a-f]{4,}$/.test(name);
}
