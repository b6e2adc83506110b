// The rows the webview has been sent, for one query result (`version`), in blocks of BLOCK positions, and of
// each block only the columns that were on screen while it was (a 2-D window: rows × columns): a horizontal
// scroll asks for the newly visible columns of the blocks in view, a vertical one for the blocks it lacks, with
// the columns on screen. At most MAX_BLOCKS are kept, so the webview's memory does not grow with the runs.
// A row's `cells` are indexed by `columns` (every column the table can show); a cell not fetched yet is
// undefined and renders empty until its answer comes.
import type { Row, WireCell } from './contract';

export const BLOCK = 100;
const MAX_BLOCKS = 40;

/** The whole blocks covering positions [from, to). */
export function blockWindow(from: number, to: number): { from: number; to: number } {
  return { from: Math.floor(from / BLOCK) * BLOCK, to: Math.ceil(to / BLOCK) * BLOCK };
}

interface Block {
  rows: Row[];
  /** Columns fetched, or asked for and not answered yet. */
  asked: Set<string>;
}

export class RowCache {
  private readonly blocks = new Map<number, Block>();
  private readonly index: ReadonlyMap<string, number>;

  constructor(
    readonly version: number,
    readonly columns: readonly string[],
  ) {
    this.index = new Map(columns.map((key, i) => [key, i]));
  }

  get(position: number): Row | undefined {
    const block = this.blocks.get(Math.floor(position / BLOCK));
    return block?.rows[position % BLOCK];
  }

  /**
   * What to ask for so that positions [from, to) have `wanted` columns: per block, the columns it neither has
   * nor has asked for (all of `wanted` for a block not here). Marks them asked for.
   */
  missing(from: number, to: number, wanted: readonly string[]): { block: number; columns: string[] }[] {
    const out: { block: number; columns: string[] }[] = [];
    const known = wanted.filter((key) => this.index.has(key));
    for (let b = Math.floor(from / BLOCK); b * BLOCK < to; b++) {
      let block = this.blocks.get(b);
      if (!block) {
        block = { rows: [], asked: new Set() };
        this.blocks.set(b, block);
        this.trim();
      }
      const columns = known.filter((key) => !block.asked.has(key));
      if (columns.length === 0) continue;
      for (const key of columns) block.asked.add(key);
      out.push({ block: b, columns });
    }
    return out;
  }

  /** An answer for `block`: rows carrying `columns`, merged into what the block has. */
  put(block: number, rows: readonly Row[], columns: readonly string[]): void {
    let held = this.blocks.get(block);
    if (!held) {
      held = { rows: [], asked: new Set(columns) };
      this.blocks.set(block, held);
      this.trim();
    }
    // Map order is insertion order: the block used last moves to the end, the first is the least recent.
    this.blocks.delete(block);
    this.blocks.set(block, held);
    const at = columns.map((key) => this.index.get(key) ?? -1);
    // The answer is the block's rows in result order; a shorter one is the end of the result.
    const merged: Row[] = [];
    for (let i = 0; i < rows.length; i++) {
      const old = held.rows[i];
      const fresh = rows[i]!;
      const cells: (WireCell | undefined)[] = old && old.id === fresh.id ? old.cells.slice() : new Array<WireCell | undefined>(this.columns.length).fill(undefined);
      for (let j = 0; j < at.length; j++) if (at[j]! >= 0) cells[at[j]!] = fresh.cells[j];
      merged.push({ id: fresh.id, cells: cells as WireCell[] });
    }
    held.rows = merged;
  }

  /** Rows from a block boundary on (the window a query answer carries), as blocks. */
  putWindow(from: number, rows: readonly Row[], columns: readonly string[]): void {
    if (from % BLOCK !== 0) return;
    for (let at = 0; at < rows.length; at += BLOCK) this.put((from + at) / BLOCK, rows.slice(at, at + BLOCK), columns);
  }

  /** An ask that got no answer: its columns may be asked for again. */
  failed(block: number, columns: readonly string[]): void {
    const held = this.blocks.get(block);
    if (held) for (const key of columns) held.asked.delete(key);
  }

  /** Applies a live delta; returns whether any cached row changed. A changed row is a new object, so the
   *  table's memoized rows see it (and only it) change. */
  patch(rows: readonly Row[], columns: readonly string[]): boolean {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const at = columns.map((key) => this.index.get(key) ?? -1);
    let changed = false;
    for (const block of this.blocks.values()) {
      for (let i = 0; i < block.rows.length; i++) {
        const row = block.rows[i]!;
        const fresh = byId.get(row.id);
        if (!fresh) continue;
        const cells = row.cells.slice();
        for (let j = 0; j < at.length; j++) if (at[j]! >= 0) cells[at[j]!] = fresh.cells[j]!;
        block.rows[i] = { id: row.id, cells };
        changed = true;
      }
    }
    return changed;
  }

  private trim(): void {
    while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
  }
}
