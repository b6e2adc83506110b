import { existsSync, readFileSync } from 'node:fs';

/**
 * Where analysis reads files from. The language server passes one that prefers unsaved editor
 * buffers, so diagnostics follow what the user types rather than what is on disk.
 */
export interface FileHost {
  readText(path: string): string | undefined;
  exists(path: string): boolean;
}

export const diskHost: FileHost = {
  readText(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  exists: existsSync,
};
