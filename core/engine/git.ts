// The code version a run records: the commit of the repository holding the flow and whether it has changes.
import { execFile } from 'node:child_process';

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/** `{ dirty: false }` without a commit when the flow is not in a git repository (or git is absent). */
export async function codeVersion(root: string): Promise<{ commit?: string; dirty: boolean }> {
  const [head, status] = await Promise.all([git(root, ['rev-parse', 'HEAD']), git(root, ['status', '--porcelain', '--', '.'])]);
  const commit = head?.trim();
  return commit ? { commit, dirty: Boolean(status?.trim()) } : { dirty: false };
}
