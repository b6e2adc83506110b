// flowbench status: which steps are up to date and, for the others, why not; runs nothing.
import { dirname } from 'node:path';
import { formatProblem } from '../../flow/analyze';
import { diskHost } from '../../flow/host';
import { lastTests, type LastTest } from '../../flow/validate-tests';
import { flowStatus, type StepStatusState } from '../../engine/status';
import { parseCommandArgs } from '../args';
import { EXIT } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { table } from '../format';
import { formatTime } from '../../time-text';
import { loadFlowOrExplain } from '../load';
import { line, paint, type Color, type Output } from '../output';
import { parseOverrides } from '../overrides';

const LOOK: Record<StepStatusState, { symbol: string; label: string; color: Color }> = {
  'up-to-date': { symbol: '✓', label: 'up to date', color: 'green' },
  stale: { symbol: '●', label: 'stale', color: 'yellow' },
  'never-run': { symbol: '+', label: 'never run', color: 'blue' },
  invalid: { symbol: '✗', label: 'invalid', color: 'red' },
};

export async function statusCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('status', args, { json: { type: 'boolean' }, set: { type: 'string', multiple: true } }, 1);
  const file = resolveFlowFile(positionals[0]);
  const loaded = loadFlowOrExplain(file, o, { allowErrors: true });
  const overrides = parseOverrides(values.set ?? [], loaded.flow);
  const { analysis, steps } = await flowStatus(file, { overrides, analysis: loaded });
  const errors = analysis.problems.filter((p) => p.severity === 'error');
  // A step can be up to date while its data fails its tests (a warn-severity test, or tests changed since):
  // status says so from each SQL step's last check, without running anything.
  const tests = new Map([...steps.keys()].map((step) => [step, lastTests(dirname(analysis.flow.file), step, diskHost)] as const).filter((e): e is [string, LastTest[]] => e[1] !== undefined));

  if (values.json) {
    const withTests = [...steps.values()].map((s) => ({ ...s, ...(tests.has(s.step) && { tests: testCounts(tests.get(s.step)!) }) }));
    line(o.out, JSON.stringify({ flow: analysis.flow.name?.value, flowFile: analysis.flow.file, steps: withTests, problems: errors.map((p) => formatProblem(p)) }, null, 2));
    return errors.length ? EXIT.failed : EXIT.ok;
  }
  for (const p of errors) line(o.err, paint(o, 'red', formatProblem(p)));
  const rows = [...steps.values()].map((s) => {
    const look = LOOK[s.state];
    const detail = s.state === 'up-to-date' && s.last ? `last ran ${formatTime(s.last.finishedAt)} (run ${s.last.runId})` : s.reasons.join('; ');
    const counts = tests.has(s.step) ? testCounts(tests.get(s.step)!) : undefined;
    const testText = counts ? `tests ${counts.passed} passed${counts.failed ? `, ${counts.failed} failed` : ''}${counts.errors ? `, ${counts.errors} could not run` : ''}` : '';
    return [paint(o, look.color, look.symbol), s.step, paint(o, look.color, look.label), paint(o, counts && counts.passed < counts.total ? 'yellow' : 'gray', testText), paint(o, 'gray', detail)];
  });
  for (const text of table(rows)) line(o.out, text);
  for (const [step, all] of tests) {
    for (const t of all.filter((t) => t.status !== 'pass')) {
      const what = t.status === 'error' ? `could not run: ${t.message ?? 'see the step log'}` : `${(t.failing ?? 0).toLocaleString('en-US')} failing row${t.failing === 1 ? '' : 's'}`;
      line(o.out, paint(o, t.severity === 'error' ? 'red' : 'yellow', `  ${t.severity === 'error' ? '✗' : '!'} ${step}: ${t.name} (${t.severity}) ${what}`));
    }
  }
  if ([...tests.values()].some((all) => all.some((t) => t.status !== 'pass'))) line(o.out, paint(o, 'gray', '  (from the last check; `flowbench test STEP` checks the tables as they are now and shows sample rows)'));
  const counts = (Object.keys(LOOK) as StepStatusState[])
    .map((state) => [state, [...steps.values()].filter((s) => s.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${LOOK[state].label}`);
  line(o.out, counts.length ? counts.join(', ') : 'This flow has no steps.');
  return errors.length ? EXIT.failed : EXIT.ok;
}

function testCounts(all: LastTest[]): { total: number; passed: number; failed: number; errors: number } {
  const count = (status: LastTest['status']) => all.filter((t) => t.status === status).length;
  return { total: all.length, passed: count('pass'), failed: count('fail'), errors: count('error') };
}
