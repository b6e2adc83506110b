// Temporary flow projects on disk for tests: write files, get paths, clean up.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempProject {
  root: string;
  path(rel: string): string;
  write(rel: string, content: string): string;
  remove(): void;
}

/** `links` maps paths in the project to what they link to (e.g. a shared data file outside it). */
export function tempProject(files: Record<string, string> = {}, links: Record<string, string> = {}): TempProject {
  const root = mkdtempSync(join(tmpdir(), 'flowbench-test-'));
  const project: TempProject = {
    root,
    path: (rel) => join(root, rel),
    write(rel, content) {
      const file = join(root, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  for (const [rel, content] of Object.entries(files)) project.write(rel, content);
  for (const [rel, target] of Object.entries(links)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    symlinkSync(target, join(root, rel));
  }
  return project;
}
