// flowbench status: which steps are up to date and, for the others, why not; runs nothing.
import { formatProblem } from '../../flow/analyze';
import { flowStatus, type StepStatusState } from '../../engine/status';
import { parseCommandArgs } from '../args';
import { EXIT } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { formatTime, table } from '../format';
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
  const overrides = parseOverrides(values.set ?? [], loadFlowOrExplain(file, o, { allowErrors: true }).flow);
  const { analysis, steps } = await flowStatus(file, { overrides });
  const errors = analysis.problems.filter((p) => p.severity === 'error');

  if (values.json) {
    line(o.out, JSON.stringify({ flow: analysis.flow.name?.value, flowFile: analysis.flow.file, steps: [...steps.values()], problems: errors.map((p) => formatProblem(p)) }, null, 2));
    return errors.length ? EXIT.failed : EXIT.ok;
  }
  for (const p of errors) line(o.err, paint(o, 'red', formatProblem(p)));
  const rows = [...steps.values()].map((s) => {
    const look = LOOK[s.state];
    const detail = s.state === 'up-to-date' && s.last ? `last ran ${formatTime(s.last.finishedAt)} (run ${s.last.runId})` : s.reasons.join('; ');
    return [paint(o, look.color, look.symbol), s.step, paint(o, look.color, look.label), paint(o, 'gray', detail)];
  });
  for (const text of table(rows)) line(o.out, text);
  const counts = (Object.keys(LOOK) as StepStatusState[])
    .map((state) => [state, [...steps.values()].filter((s) => s.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${LOOK[state].label}`);
  line(o.out, counts.length ? counts.join(', ') : 'This flow has no steps.');
  return errors.length ? EXIT.failed : EXIT.ok;
}
