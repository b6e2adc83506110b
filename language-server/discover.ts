// Finds the flow files of a workspace folder without blocking the server (async, bounded).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isFlowFile } from '../core/analysis/workspace';

const SKIP = new Set(['node_modules', '.git', '.flowbench', 'dist', 'out', '.venv', 'venv', '__pycache__']);
const MAX_ENTRIES = 50_000;
const MAX_DEPTH = 8;

export async function findFlowFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || seen > MAX_ENTRIES) return;
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    seen += entries.length;
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIP.has(entry.name)) await walk(path.join(dir, entry.name), depth + 1);
      else if (entry.isFile() && isFlowFile(entry.name)) found.push(path.join(dir, entry.name));
    }
  };
  await walk(root, 0);
  return found;
}
