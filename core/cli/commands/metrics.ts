// flowbench metrics NAME [FLOW] [--minutes N]: a SageMaker deployment's traffic as a MonitorSeries JSON
// object (CloudWatch Invocations, ModelLatency, 4XX/5XX through core/deploy/sagemaker-metrics.ts), what the
// editor's Endpoint Monitor draws for endpoints whose requests it cannot read itself. A local endpoint's
// series comes from its request log, which the editor reads directly.
import { dirname, join } from 'node:path';
import { deploymentNameProblem, readDeployment } from '../../deploy/records';
import { parseCommandArgs, positiveInteger } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { line, type Output } from '../output';

/** Three hours: what the panel shows of an endpoint by default. */
const DEFAULT_MINUTES = 180;

export async function metricsCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('metrics', args, { minutes: { type: 'string' } }, 2);
  const [name, flowArg] = positionals;
  if (!name) throw new UsageError('which deployment? NAME is missing', 'list them with flowbench endpoints', 'metrics');
  const problem = deploymentNameProblem(name);
  if (problem) throw new UsageError(problem, 'list deployments with flowbench endpoints', 'metrics');
  const stateDir = join(dirname(resolveFlowFile(flowArg)), '.flowbench');
  const record = readDeployment(stateDir, name);
  if (!record) throw new UsageError(`no deployment '${name}'`, 'list them with flowbench endpoints', 'metrics');
  if (record.target !== 'sagemaker') throw new UsageError(`${name} is a local endpoint: its traffic is in .flowbench/deployments/${name}/requests.jsonl`, 'open its Endpoint Monitor in the editor', 'metrics');
  const minutes = positiveInteger(values.minutes, '--minutes', 'metrics') ?? DEFAULT_MINUTES;
  line(o.out, JSON.stringify(await (await import('../../aws/services')).sageMakerSeries(record, Date.now() - minutes * 60_000)));
  return EXIT.ok;
}
