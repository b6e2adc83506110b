// flowbench validate: every problem of a flow file and its SQL files, compiler style.
import { formatProblem, hasErrors, loadFlow } from '../../flow/analyze';
import { parseCommandArgs } from '../args';
import { EXIT } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { line, paint, type Output } from '../output';

export async function validateCommand(args: string[], o: Output): Promise<number> {
  const { positionals } = parseCommandArgs('validate', args, {}, 1);
  const file = resolveFlowFile(positionals[0]);
  const { flow, problems } = loadFlow(file);
  for (const p of problems) {
    const text = formatProblem(p);
    line(o.out, p.severity === 'error' ? paint(o, 'red', text) : p.severity === 'warning' ? paint(o, 'yellow', text) : text);
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  const name = flow.name?.value ?? file;
  if (problems.length === 0) line(o.out, `${name}: ${flow.steps.size} steps, no problems`);
  else line(o.out, `${name}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return hasErrors(problems) ? EXIT.failed : EXIT.ok;
}
