// flowbench apply RUN: puts a run's outs (e.g. one variant of a sweep) into the working tree from the cache.
import { ApplyError, applyRun } from '../../sweeps/apply';
import { AmbiguousRunIdError } from '../../runs/store';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { line, type Output } from '../output';

export async function applyCommand(args: string[], o: Output): Promise<number> {
  const { positionals } = parseCommandArgs('apply', args, {}, 2);
  const [run, flowArg] = positionals;
  if (!run) throw new UsageError('which run?', 'flowbench runs lists them; RUN may be a unique prefix of its id', 'apply');
  const file = resolveFlowFile(flowArg);
  try {
    const result = await applyRun(file, run);
    line(o.out, result.restored.length ? `Applied run ${result.runId}: ${result.restored.join(', ')}` : `Run ${result.runId} has no outs to apply.`);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof ApplyError) && !(err instanceof AmbiguousRunIdError)) throw err;
    line(o.err, `flowbench: ${err.message}`);
    return EXIT.failed;
  }
}
