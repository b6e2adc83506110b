// Loads a flow for a command; with validation errors, prints them (file:line:col) and stops, since
// nothing sensible can run on a broken flow.
import { formatProblem, hasErrors, loadFlow, type FlowAnalysis } from '../flow/analyze';
import { EXIT, ReportedFailure } from './errors';
import { line, paint, type Output } from './output';

export { ReportedFailure };

export function loadFlowOrExplain(file: string, o: Output, opts: { allowErrors?: boolean } = {}): FlowAnalysis {
  const analysis = loadFlow(file);
  if (!opts.allowErrors && hasErrors(analysis.problems)) {
    const errors = analysis.problems.filter((p) => p.severity === 'error');
    for (const p of errors) line(o.err, paint(o, 'red', formatProblem(p)));
    line(o.err, `${errors.length} error${errors.length === 1 ? '' : 's'} in the flow: fix them, then run again (flowbench validate lists warnings too).`);
    throw new ReportedFailure(EXIT.failed);
  }
  return analysis;
}
