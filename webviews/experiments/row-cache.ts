// The rows the webview has been sent, in blocks of BLOCK positions for one query result (`version`) and one
// list of columns. Scrolling asks only for the blocks it lacks; at most MAX_BLOCKS are kept, so the webview's
// memory does not grow with the number of runs.
import type { Row, WireCell } from './contract';

export const BLOCK = 100;
const MAX_BLOCKS = 40;

/** The whole blocks covering positions [from, to). */
export function blockWindow(from: number, to: number): { from: number; to: number } {
  return { from: Math.floor(from / BLOCK) * BLOCK, to: Math.ceil(to / BLOCK) * BLOCK };
}

export class RowCache {
  private readonly blocks = new Map<number, Row[]>();
  private readonly inFlight = new Set<number>();

  constructor(
    readonly version: number,
    readonly columns: readonly string[],
  ) {}

  get(position: number): Row | undefined {
    const block = this.blocks.get(Math.floor(position / BLOCK));
    return block?.[position % BLOCK];
  }

  /** Blocks covering [from, to) that are neither here nor asked for; marks them asked for. */
  missing(from: number, to: number): number[] {
    const wanted: number[] = [];
    for (let b = Math.floor(from / BLOCK); b * BLOCK < to; b++) {
      if (this.blocks.has(b) || this.inFlight.has(b)) continue;
      this.inFlight.add(b);
      wanted.push(b);
    }
    return wanted;
  }

  put(block: number, rows: Row[]): void {
    this.inFlight.delete(block);
    this.blocks.delete(block);
    this.blocks.set(block, rows);
    // Map order is insertion order: the first key is the block used least recently.
    while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
  }

  /** Rows from a block boundary on (the window a query answer carries), as blocks; a short last block is the
   *  end of the result. */
  putWindow(from: number, rows: readonly Row[]): void {
    if (from % BLOCK !== 0) return;
    for (let at = 0; at < rows.length; at += BLOCK) this.put((from + at) / BLOCK, rows.slice(at, at + BLOCK));
  }

  failed(block: number): void {
    this.inFlight.delete(block);
  }

  /** Applies a live delta; returns whether any cached row changed. A changed row is a new object, so the
   *  table's memoized rows see it (and only it) change. */
  patch(rows: readonly Row[], columns: readonly string[]): boolean {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const at = this.columns.map((key) => columns.indexOf(key));
    let changed = false;
    for (const block of this.blocks.values()) {
      for (let i = 0; i < block.length; i++) {
        const row = block[i]!;
        const fresh = byId.get(row.id);
        if (!fresh) continue;
        block[i] = { id: row.id, cells: at.map((j, k): WireCell => (j >= 0 ? fresh.cells[j]! : row.cells[k]!)) };
        changed = true;
      }
    }
    return changed;
  }
}
